//! Deployment settings, checked the way AWS would reject them, before any resource is
//! created. Keys are the Pulumi config keys; each error starts with the key.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::quote;
use crate::message::json_kind;

/// One bad setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

/// CloudWatch Logs' accepted retention periods, in days.
pub const LOG_RETENTION_DAYS: &[u64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Suffix the stack adds to `queueName` for the dead-letter queue.
pub const DLQ_SUFFIX: &str = "-dlq";

type Check = fn(&str, &Value) -> Result<(), String>;

/// Every setting: key, required, check. Optional settings have defaults in the program.
const SETTINGS: &[(&str, bool, Check)] = &[
    ("vpcId", true, |_, v| id_of(v, "vpc")),
    ("routeTableIds", true, |_, v| {
        id_list(v, "rtb", "route table")
    }),
    ("subnetIds", true, |_, v| id_list(v, "subnet", "subnet")),
    ("customDomainName", true, |_, v| domain_name(string(v)?)),
    ("certificateArn", true, |_, v| certificate_arn(string(v)?)),
    ("privateHostedZoneId", true, |_, v| {
        hosted_zone_id(string(v)?)
    }),
    ("queueName", false, |_, v| queue_name(string(v)?)),
    ("tableName", false, |_, v| table_name(string(v)?)),
    ("topicName", false, |_, v| topic_name(string(v)?)),
    ("subscriptionEmail", true, |_, v| email(string(v)?)),
    ("maxReceiveCount", false, |_, v| int_in(v, 1, 1000)),
    // Above 10, Lambda requires a batching window; this stack keeps batches immediate.
    ("batchSize", false, |_, v| int_in(v, 1, 10)),
    ("lambdaMemoryMb", false, |_, v| int_in(v, 128, 10240)),
    ("logRetentionDays", false, |_, v| retention(v)),
];

/// The setting keys this stack reads.
pub fn setting_keys() -> impl Iterator<Item = &'static str> {
    SETTINGS.iter().map(|(k, _, _)| *k)
}

/// Every problem with a settings object; empty when it can be deployed.
pub fn validate_stack_config(config: &Value) -> Vec<ConfigError> {
    let err = |key: &str, reason: String| ConfigError {
        key: key.to_owned(),
        reason,
    };
    let Value::Object(map) = config else {
        return vec![err(
            "(config)",
            format!(
                "expected an object of settings, found {}",
                json_kind(config)
            ),
        )];
    };
    let mut errors = Vec::new();
    for (key, required, check) in SETTINGS {
        match present(map, key) {
            None if *required => errors.push(err(key, "is required".into())),
            None => {}
            Some(v) => {
                if let Err(reason) = check(key, v) {
                    errors.push(err(key, reason));
                }
            }
        }
    }
    for key in map.keys() {
        if !setting_keys().any(|k| k == key) {
            let allowed = setting_keys().collect::<Vec<_>>().join(", ");
            errors.push(err(
                key,
                format!("unknown setting; known settings are {allowed}"),
            ));
        }
    }
    errors
}

/// A value counts as absent when missing or null (JavaScript `undefined` arrives as null).
fn present<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn string(v: &Value) -> Result<&str, String> {
    v.as_str()
        .ok_or_else(|| format!("expected a string, found {}", json_kind(v)))
}

/// `<prefix>-` followed by 8 or 17 lowercase hex digits, as EC2 ids are.
fn ec2_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            matches!(hex.len(), 8 | 17)
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn id_of(v: &Value, prefix: &str) -> Result<(), String> {
    let s = string(v)?;
    if ec2_id(s, prefix) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a {prefix} id ({prefix}- followed by 8 or 17 lowercase hex digits)",
            quote(s)
        ))
    }
}

/// A non-empty list of ids, given as a JSON array or a comma-separated string (the form
/// `pulumi config set` and the original template's parameters use).
fn id_list(v: &Value, prefix: &str, what: &str) -> Result<(), String> {
    let items: Vec<String> = match v {
        Value::Array(a) => a
            .iter()
            .map(|x| string(x).map(str::to_owned))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("every item: {e}"))?,
        Value::String(s) => s.split(',').map(|x| x.trim().to_owned()).collect(),
        other => {
            return Err(format!(
                "expected a list of {what} ids, found {}",
                json_kind(other)
            ))
        }
    };
    if items.iter().all(String::is_empty) {
        return Err(format!("needs at least one {what} id"));
    }
    let bad: Vec<&String> = items.iter().filter(|s| !ec2_id(s, prefix)).collect();
    if !bad.is_empty() {
        return Err(format!(
            "[{}] {} not {what} ids ({prefix}- followed by 8 or 17 lowercase hex digits)",
            bad.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "),
            if bad.len() == 1 { "is" } else { "are" }
        ));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = items.iter().find(|s| !seen.insert(s.as_str())) {
        return Err(format!("{} is listed more than once", quote(dup)));
    }
    Ok(())
}

/// A DNS name an ACM certificate and API Gateway accept: 2+ labels of letters, digits
/// and hyphens (1-63 each, no hyphen at either end), at most 253 characters, no wildcard.
fn domain_name(s: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{} is not a valid domain name: {why}", quote(s)));
    if s.starts_with("*.") || s.contains('*') {
        return bad("wildcards are not allowed for a custom domain name");
    }
    let name = s.strip_suffix('.').unwrap_or(s);
    if name.is_empty() || name.len() > 253 {
        return bad("must be 1 to 253 characters");
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return bad("needs at least two labels, such as api.example.internal");
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return bad("each label must be 1 to 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return bad("labels may hold only letters, digits and hyphens");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("a label may not start or end with a hyphen");
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad("the last label may not be all digits");
    }
    Ok(())
}

fn email(s: &str) -> Result<(), String> {
    let not = || Err(format!("{} is not an email address", quote(s)));
    let Some((local, domain)) = s.rsplit_once('@') else {
        return not();
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains([
            '@', ' ', '"', '(', ')', ',', ':', ';', '<', '>', '[', '\\', ']',
        ])
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local.chars().all(|c| c.is_ascii_graphic());
    if !local_ok || domain_name(domain).is_err() || s.len() > 254 {
        return not();
    }
    Ok(())
}

/// `arn:<partition>:acm:<region>:<account>:certificate/<id>`.
fn certificate_arn(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "acm"
        && is_region(parts[3])
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("certificate/").is_some_and(|id| {
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not an ACM certificate ARN (arn:aws:acm:<region>:<12-digit account>:certificate/<id>)",
            quote(s)
        ))
    }
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Route 53 hosted zone ids: `Z` and up to 31 uppercase letters or digits.
fn hosted_zone_id(s: &str) -> Result<(), String> {
    let ok = s.len() >= 2
        && s.len() <= 32
        && s.starts_with('Z')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        return Ok(());
    }
    let hint = if s.starts_with("/hostedzone/") {
        " (leave out the /hostedzone/ prefix)"
    } else {
        ""
    };
    Err(format!(
        "{} is not a Route 53 hosted zone id (Z followed by uppercase letters and digits){hint}",
        quote(s)
    ))
}

fn name_chars(s: &str, extra: &[u8]) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// SQS: 1-80 of letters, digits, `-`, `_`; the DLQ name adds [`DLQ_SUFFIX`].
fn queue_name(s: &str) -> Result<(), String> {
    let max = 80 - DLQ_SUFFIX.len();
    if s.ends_with(".fifo") {
        return Err(format!(
            "{} is a FIFO queue name; this stack uses a standard queue",
            quote(s)
        ));
    }
    if s.is_empty() || s.len() > max || !name_chars(s, b"-_") {
        return Err(format!(
            "{} is not a valid SQS queue name (1 to {max} letters, digits, hyphens or \
             underscores; {max} so that the dead-letter queue's name, with \"{DLQ_SUFFIX}\", fits in 80)",
            quote(s)
        ));
    }
    Ok(())
}

/// DynamoDB: 3-255 of letters, digits, `_`, `-`, `.`.
fn table_name(s: &str) -> Result<(), String> {
    if s.len() < 3 || s.len() > 255 || !name_chars(s, b"_-.") {
        return Err(format!(
            "{} is not a valid DynamoDB table name (3 to 255 letters, digits, underscores, hyphens or dots)",
            quote(s)
        ));
    }
    Ok(())
}

/// SNS: 1-256 of letters, digits, `-`, `_`; standard topic.
fn topic_name(s: &str) -> Result<(), String> {
    if s.ends_with(".fifo") {
        return Err(format!(
            "{} is a FIFO topic name; this stack uses a standard topic",
            quote(s)
        ));
    }
    if s.is_empty() || s.len() > 256 || !name_chars(s, b"-_") {
        return Err(format!(
            "{} is not a valid SNS topic name (1 to 256 letters, digits, hyphens or underscores)",
            quote(s)
        ));
    }
    Ok(())
}

/// A whole number, given as a JSON number or a string of digits (Pulumi config values
/// are strings unless set with `--path` or as numbers in YAML).
fn whole_number(v: &Value) -> Result<u64, String> {
    let parsed = match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| match v {
        Value::Number(_) | Value::String(_) => format!("{v} is not a whole number"),
        other => format!("expected a whole number, found {}", json_kind(other)),
    })
}

fn int_in(v: &Value, min: u64, max: u64) -> Result<(), String> {
    let n = whole_number(v)?;
    if (min..=max).contains(&n) {
        Ok(())
    } else {
        Err(format!("{n} is out of range ({min} to {max})"))
    }
}

fn retention(v: &Value) -> Result<(), String> {
    let n = whole_number(v)?;
    if LOG_RETENTION_DAYS.contains(&n) {
        Ok(())
    } else {
        Err(format!(
            "{n} is not a retention CloudWatch Logs accepts (one of {})",
            LOG_RETENTION_DAYS
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A settings object AWS would accept.
    pub(crate) fn good() -> Value {
        json!({
            "vpcId": "vpc-0123456789abcdef0",
            "routeTableIds": ["rtb-0123456789abcdef0"],
            "subnetIds": ["subnet-0123456789abcdef0", "subnet-89abcdef"],
            "customDomainName": "api.private.example.internal",
            "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "privateHostedZoneId": "Z0123456789ABCDEFGHIJ",
            "queueName": "MyCustomQueue",
            "tableName": "MyCustomTable",
            "topicName": "MyCustomTopic",
            "subscriptionEmail": "ops@example.com",
            "maxReceiveCount": 5,
            "batchSize": "10",
            "lambdaMemoryMb": 256,
            "logRetentionDays": 30
        })
    }

    fn errors_with(key: &str, value: Value) -> Vec<String> {
        let mut c = good();
        c[key] = value;
        validate_stack_config(&c)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_config_has_no_errors() {
        assert_eq!(validate_stack_config(&good()), vec![]);
    }

    #[test]
    fn optional_settings_may_be_left_out() {
        let mut c = good();
        let m = c.as_object_mut().unwrap();
        for k in [
            "queueName",
            "tableName",
            "topicName",
            "maxReceiveCount",
            "batchSize",
        ] {
            m.remove(k);
        }
        m.insert("lambdaMemoryMb".into(), Value::Null);
        assert_eq!(validate_stack_config(&c), vec![]);
    }

    #[test]
    fn every_error_starts_with_its_key_and_says_why() {
        let cases: &[(&str, Value, &str)] = &[
            (
                "subscriptionEmail",
                json!("x"),
                "subscriptionEmail: \"x\" is not an email address",
            ),
            (
                "subscriptionEmail",
                json!("a b@example.com"),
                "is not an email address",
            ),
            (
                "vpcId",
                json!("vpc-123"),
                "vpcId: \"vpc-123\" is not a vpc id",
            ),
            ("vpcId", json!(12), "vpcId: expected a string, found number"),
            (
                "subnetIds",
                json!([]),
                "subnetIds: needs at least one subnet id",
            ),
            (
                "subnetIds",
                json!(""),
                "subnetIds: needs at least one subnet id",
            ),
            (
                "subnetIds",
                json!(["subnet-0123456789abcdef0", "sg-12345678"]),
                "[\"sg-12345678\"] is not subnet ids",
            ),
            (
                "subnetIds",
                json!(["subnet-89abcdef", "subnet-89abcdef"]),
                "is listed more than once",
            ),
            (
                "routeTableIds",
                json!("rtb-zzzzzzzz"),
                "routeTableIds: [\"rtb-zzzzzzzz\"] is not route table ids",
            ),
            (
                "customDomainName",
                json!("*.example.com"),
                "wildcards are not allowed",
            ),
            (
                "customDomainName",
                json!("localhost"),
                "needs at least two labels",
            ),
            (
                "customDomainName",
                json!("bad_name.example.com"),
                "only letters, digits and hyphens",
            ),
            (
                "customDomainName",
                json!("-a.example.com"),
                "may not start or end with a hyphen",
            ),
            (
                "customDomainName",
                json!(format!("{}.com", "a".repeat(64))),
                "1 to 63 characters",
            ),
            (
                "certificateArn",
                json!("arn:aws:iam::123456789012:role/x"),
                "is not an ACM certificate ARN",
            ),
            (
                "privateHostedZoneId",
                json!("/hostedzone/Z123"),
                "leave out the /hostedzone/ prefix",
            ),
            ("queueName", json!("q.fifo"), "FIFO queue name"),
            ("queueName", json!("a".repeat(77)), "1 to 76 letters"),
            (
                "queueName",
                json!("has space"),
                "is not a valid SQS queue name",
            ),
            (
                "tableName",
                json!("ab"),
                "is not a valid DynamoDB table name",
            ),
            ("topicName", json!("t/x"), "is not a valid SNS topic name"),
            (
                "maxReceiveCount",
                json!(0),
                "maxReceiveCount: 0 is out of range (1 to 1000)",
            ),
            (
                "batchSize",
                json!(11),
                "batchSize: 11 is out of range (1 to 10)",
            ),
            (
                "batchSize",
                json!(2.5),
                "batchSize: 2.5 is not a whole number",
            ),
            (
                "lambdaMemoryMb",
                json!("lots"),
                "lambdaMemoryMb: \"lots\" is not a whole number",
            ),
            (
                "logRetentionDays",
                json!(2),
                "logRetentionDays: 2 is not a retention CloudWatch Logs accepts",
            ),
        ];
        for (key, value, expected) in cases {
            let errors = errors_with(key, value.clone());
            assert_eq!(errors.len(), 1, "{key}={value}: {errors:?}");
            assert!(errors[0].starts_with(&format!("{key}: ")), "{errors:?}");
            assert!(
                errors[0].contains(expected),
                "{key}={value}: {errors:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn missing_required_and_unknown_settings_are_named() {
        let errors: Vec<String> = validate_stack_config(&json!({"vpcid": "vpc-12345678"}))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(errors.contains(&"vpcId: is required".to_owned()));
        assert!(errors.contains(&"subscriptionEmail: is required".to_owned()));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("vpcid: unknown setting")));
    }

    #[test]
    fn not_an_object() {
        assert_eq!(
            validate_stack_config(&json!([1]))[0].to_string(),
            "(config): expected an object of settings, found array"
        );
    }

    #[test]
    fn comma_separated_ids_are_accepted() {
        assert!(errors_with(
            "subnetIds",
            json!("subnet-89abcdef, subnet-0123456789abcdef0")
        )
        .is_empty());
    }
}
