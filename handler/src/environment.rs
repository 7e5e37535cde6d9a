//! The Lambda's environment, read once at init. A missing variable fails the init with
//! a message naming every missing one, rather than failing every message later.

// The variables' names are the contract's: the Pulumi program sets the same ones.
pub use private_ingest_core::contract::function_environment::{
    IDEMPOTENCY_TABLE_NAME as IDEMPOTENCY_TABLE_NAME_VAR,
    METRICS_NAMESPACE as METRICS_NAMESPACE_VAR,
    NOTIFICATION_INCLUDES_DATA as NOTIFICATION_INCLUDES_DATA_VAR,
    ROUTING_RULES as ROUTING_RULES_VAR, TABLE_NAME as TABLE_NAME_VAR, TOPIC_ARN as TOPIC_ARN_VAR,
};
use private_ingest_core::contract::metrics::{namespace_problem, DEFAULT_METRICS_NAMESPACE};
use private_ingest_core::{parse_rules, NotificationContent, Rules};

use crate::metrics::EmfTarget;

/// Set by Lambda itself in every function (not by our Pulumi program, so not in the
/// contract): the metrics' dimension.
pub const FUNCTION_NAME_VAR: &str = "AWS_LAMBDA_FUNCTION_NAME";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionEnvironment {
    pub table_name: String,
    pub idempotency_table_name: String,
    pub topic_arn: String,
    pub notification_content: NotificationContent,
    /// Where the batch metrics go: the namespace and the function's name.
    pub metrics: EmfTarget,
    /// The routing rules; none (the variable absent or empty): the routing on `Insert`.
    pub rules: Option<Rules>,
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
        let function_name = required(FUNCTION_NAME_VAR, "set by Lambda: the metrics' dimension");
        let namespace =
            lookup(METRICS_NAMESPACE_VAR).unwrap_or_else(|| DEFAULT_METRICS_NAMESPACE.to_owned());
        if let Some(problem) = namespace_problem(&namespace) {
            problems.push(format!("{METRICS_NAMESPACE_VAR} ({problem})"));
        }
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
        // The Pulumi program checked the rules with the same core before deploying; a
        // document changed by hand since is checked again here, and a bad one stops the
        // init (every message would otherwise be routed by rules nobody meant).
        let rules = match lookup(ROUTING_RULES_VAR).filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(text) => match parse_rules(&text) {
                Ok(rules) => Some(rules),
                Err(errors) => {
                    problems.push(format!(
                        "{ROUTING_RULES_VAR} ({})",
                        errors.messages().join("; ")
                    ));
                    None
                }
            },
        };
        if problems.is_empty() {
            Ok(Self {
                table_name,
                idempotency_table_name,
                topic_arn,
                notification_content: NotificationContent::from_includes_data(includes_data),
                metrics: EmfTarget {
                    namespace,
                    function_name,
                },
                rules,
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
    fn reads_the_variables_and_withholds_data_by_default() {
        let s = FunctionEnvironment::from_lookup(|n| {
            let unset = [
                NOTIFICATION_INCLUDES_DATA_VAR,
                METRICS_NAMESPACE_VAR,
                ROUTING_RULES_VAR,
            ];
            (!unset.contains(&n)).then(|| format!("value-of-{n}"))
        })
        .unwrap();
        assert_eq!(s.table_name, "value-of-TABLE_NAME");
        assert_eq!(s.idempotency_table_name, "value-of-IDEMPOTENCY_TABLE_NAME");
        assert_eq!(s.topic_arn, "value-of-TOPIC_ARN");
        assert_eq!(s.notification_content, NotificationContent::IdsOnly);
        assert_eq!(s.rules, None, "no rules: the routing on Insert");
        assert_eq!(
            s.metrics,
            EmfTarget {
                namespace: "PrivateIngest".into(),
                function_name: "value-of-AWS_LAMBDA_FUNCTION_NAME".into(),
            }
        );
    }

    #[test]
    fn the_metrics_namespace_is_read_and_checked() {
        let with = |value: &'static str| {
            FunctionEnvironment::from_lookup(move |n| match n {
                METRICS_NAMESPACE_VAR => Some(value.to_owned()),
                NOTIFICATION_INCLUDES_DATA_VAR | ROUTING_RULES_VAR => None,
                _ => Some("x".to_owned()),
            })
        };
        assert_eq!(
            with("Team/Ingest").unwrap().metrics.namespace,
            "Team/Ingest"
        );
        assert_eq!(
            with("AWS/Lambda").unwrap_err().to_string(),
            "missing or invalid environment variable(s): METRICS_NAMESPACE \
             (\"AWS/Lambda\" starts with AWS/, which CloudWatch keeps for AWS's own metrics)"
        );
    }

    #[test]
    fn notification_includes_data_is_true_or_false() {
        let with = |value: &'static str| {
            FunctionEnvironment::from_lookup(move |n| match n {
                NOTIFICATION_INCLUDES_DATA_VAR => Some(value.to_owned()),
                ROUTING_RULES_VAR => None,
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
             TOPIC_ARN (the SNS topic for notifications), \
             AWS_LAMBDA_FUNCTION_NAME (set by Lambda: the metrics' dimension)"
        );
    }

    #[test]
    fn routing_rules_are_read_once_and_a_bad_document_stops_the_init() {
        let with = |value: &'static str| {
            FunctionEnvironment::from_lookup(move |n| match n {
                ROUTING_RULES_VAR => Some(value.to_owned()),
                NOTIFICATION_INCLUDES_DATA_VAR | METRICS_NAMESPACE_VAR => None,
                _ => Some("x".to_owned()),
            })
        };
        let iot = include_str!("../../fixtures/rules/iot-thresholds.json");
        let rules = with(iot).unwrap().rules.expect("rules read");
        assert_eq!(rules.rules[0].name, "overheat");
        assert_eq!(with("  ").unwrap().rules, None, "empty: no rules");
        assert_eq!(
            with(r#"{"rules":[{"name":"a","when":{"path":"/data/t","op":"gte","value":1},"then":["store"]}]}"#)
                .unwrap_err()
                .to_string(),
            "missing or invalid environment variable(s): ROUTING_RULES (rules[0].when.op: \"gte\" \
             is not an operator; one of eq, ne, lt, le, gt, ge, exists, in, prefix (did you mean \"ge\"?))"
        );
    }
}
