//! The Lambda's settings, read once at init from its environment. A missing setting
//! fails the init with a message naming every missing variable, rather than failing
//! every message later.

/// The DynamoDB table the store route writes to (partition key `id`, type S).
pub const TABLE_NAME_VAR: &str = "TABLE_NAME";
/// The SNS topic notifications and "rejected" alerts are published to.
pub const TOPIC_ARN_VAR: &str = "TOPIC_ARN";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub table_name: String,
    pub topic_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing environment variable(s): {}", .0.join(", "))]
pub struct MissingSettings(pub Vec<String>);

impl Settings {
    pub fn from_env() -> Result<Self, MissingSettings> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any lookup of variables; an empty value counts as missing.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, MissingSettings> {
        let mut missing = Vec::new();
        let mut read = |name: &str, purpose: &str| {
            let value = lookup(name).filter(|v| !v.trim().is_empty());
            if value.is_none() {
                missing.push(format!("{name} ({purpose})"));
            }
            value.unwrap_or_default()
        };
        let table_name = read(TABLE_NAME_VAR, "the DynamoDB table for stored records");
        let topic_arn = read(TOPIC_ARN_VAR, "the SNS topic for notifications");
        if missing.is_empty() {
            Ok(Self {
                table_name,
                topic_arn,
            })
        } else {
            Err(MissingSettings(missing))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_variables() {
        let s = Settings::from_lookup(|n| Some(format!("value-of-{n}"))).unwrap();
        assert_eq!(s.table_name, "value-of-TABLE_NAME");
        assert_eq!(s.topic_arn, "value-of-TOPIC_ARN");
    }

    #[test]
    fn names_every_missing_or_empty_variable() {
        let err = Settings::from_lookup(|n| (n == TOPIC_ARN_VAR).then(|| " ".to_owned()));
        assert_eq!(
            err.unwrap_err().to_string(),
            "missing environment variable(s): TABLE_NAME (the DynamoDB table for stored records), \
             TOPIC_ARN (the SNS topic for notifications)"
        );
    }
}
