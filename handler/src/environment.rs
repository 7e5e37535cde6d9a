//! The Lambda's environment, read once at init. A missing variable fails the init with
//! a message naming every missing one, rather than failing every message later.

use private_ingest_core::NotificationContent;

/// The DynamoDB table the store route writes to (partition key `id`, type S).
pub const TABLE_NAME_VAR: &str = "TABLE_NAME";
/// The DynamoDB table of the notify route's dedupe markers (partition key `id`, type S;
/// TTL on `expires_at`).
pub const IDEMPOTENCY_TABLE_NAME_VAR: &str = "IDEMPOTENCY_TABLE_NAME";
/// The SNS topic notifications and "rejected" alerts are published to.
pub const TOPIC_ARN_VAR: &str = "TOPIC_ARN";
/// `true` lets notifications carry the caller's content (`Insert`, `data`, the start of
/// a rejected body); absent or `false`: ids, the route and reasons only.
pub const NOTIFICATION_INCLUDES_DATA_VAR: &str = "NOTIFICATION_INCLUDES_DATA";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionEnvironment {
    pub table_name: String,
    pub idempotency_table_name: String,
    pub topic_arn: String,
    pub notification_content: NotificationContent,
}

/// Variables that are missing, empty, or hold a value the function cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing or invalid environment variable(s): {}", .0.join(", "))]
pub struct EnvironmentError(pub Vec<String>);

impl FunctionEnvironment {
    pub fn from_env() -> Result<Self, EnvironmentError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any lookup of variables; an empty value counts as missing.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvironmentError> {
        let mut problems = Vec::new();
        let mut required = |name: &str, purpose: &str| {
            let value = lookup(name).filter(|v| !v.trim().is_empty());
            if value.is_none() {
                problems.push(format!("{name} ({purpose})"));
            }
            value.unwrap_or_default()
        };
        let table_name = required(TABLE_NAME_VAR, "the DynamoDB table for stored records");
        let idempotency_table_name = required(
            IDEMPOTENCY_TABLE_NAME_VAR,
            "the DynamoDB table for the Idempotency-Key markers of notifications",
        );
        let topic_arn = required(TOPIC_ARN_VAR, "the SNS topic for notifications");
        let includes_data = match lookup(NOTIFICATION_INCLUDES_DATA_VAR).as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                problems.push(format!(
                    "{NOTIFICATION_INCLUDES_DATA_VAR} (\"true\" or \"false\", not {other:?})"
                ));
                false
            }
        };
        if problems.is_empty() {
            Ok(Self {
                table_name,
                idempotency_table_name,
                topic_arn,
                notification_content: NotificationContent::from_includes_data(includes_data),
            })
        } else {
            Err(EnvironmentError(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_variables_and_withholds_data_by_default() {
        let s = FunctionEnvironment::from_lookup(|n| {
            (n != NOTIFICATION_INCLUDES_DATA_VAR).then(|| format!("value-of-{n}"))
        })
        .unwrap();
        assert_eq!(s.table_name, "value-of-TABLE_NAME");
        assert_eq!(s.idempotency_table_name, "value-of-IDEMPOTENCY_TABLE_NAME");
        assert_eq!(s.topic_arn, "value-of-TOPIC_ARN");
        assert_eq!(s.notification_content, NotificationContent::IdsOnly);
    }

    #[test]
    fn notification_includes_data_is_true_or_false() {
        let with = |value: &'static str| {
            FunctionEnvironment::from_lookup(move |n| match n {
                NOTIFICATION_INCLUDES_DATA_VAR => Some(value.to_owned()),
                _ => Some("x".to_owned()),
            })
        };
        assert_eq!(
            with("true").unwrap().notification_content,
            NotificationContent::WithCallerData
        );
        assert_eq!(
            with("false").unwrap().notification_content,
            NotificationContent::IdsOnly
        );
        assert_eq!(
            with("yes").unwrap_err().to_string(),
            "missing or invalid environment variable(s): \
             NOTIFICATION_INCLUDES_DATA (\"true\" or \"false\", not \"yes\")"
        );
    }

    #[test]
    fn names_every_missing_or_empty_variable() {
        let err =
            FunctionEnvironment::from_lookup(|n| (n == TOPIC_ARN_VAR).then(|| " ".to_owned()));
        assert_eq!(
            err.unwrap_err().to_string(),
            "missing or invalid environment variable(s): TABLE_NAME (the DynamoDB table for stored records), \
             IDEMPOTENCY_TABLE_NAME (the DynamoDB table for the Idempotency-Key markers of notifications), \
             TOPIC_ARN (the SNS topic for notifications)"
        );
    }
}
