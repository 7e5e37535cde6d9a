//! The value checks behind the stack settings: each accepts what AWS accepts for that
//! kind of value (an EC2 id, a DNS name, an ACM ARN, a queue name, ...) and otherwise
//! says why, without the key (the caller prefixes it).

use std::collections::HashSet;

use serde_json::Value;

use crate::contract::{DLQ_SUFFIX, IDEMPOTENCY_TABLE_SUFFIX};
use crate::error::quote;
use crate::message::json_kind;

/// CloudWatch Logs' accepted retention periods, in days (PutRetentionPolicy).
pub const LOG_RETENTION_DAYS: &[u64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

pub fn string(v: &Value) -> Result<&str, String> {
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

pub fn id_of(v: &Value, prefix: &str) -> Result<String, String> {
    let s = string(v)?;
    if ec2_id(s, prefix) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{} is not a {prefix} id ({prefix}- followed by 8 or 17 lowercase hex digits)",
            quote(s)
        ))
    }
}

/// A non-empty list of ids, given as a JSON array or a comma-separated string (the form
/// `pulumi config set` and the original template's parameters use).
pub fn id_list(v: &Value, prefix: &str, what: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = match v {
        Value::Array(a) => a
            .iter()
            .map(|x| string(x).map(|s| s.trim().to_owned()))
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
    let items: Vec<String> = items.into_iter().filter(|s| !s.is_empty()).collect();
    if items.is_empty() {
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
    Ok(items)
}

/// A DNS name an ACM certificate and API Gateway accept: 2+ labels of letters, digits
/// and hyphens (1-63 each, no hyphen at either end), at most 253 characters, no wildcard.
/// Returned without the final dot.
pub fn domain_name(s: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("{} is not a valid domain name: {why}", quote(s)));
    if s.contains('*') {
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
    Ok(name.to_owned())
}

pub fn email(s: &str) -> Result<String, String> {
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
    Ok(s.to_owned())
}

/// `arn:<partition>:acm:<region>:<account>:certificate/<id>`.
pub fn certificate_arn(s: &str) -> Result<String, String> {
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
        Ok(s.to_owned())
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
pub fn hosted_zone_id(s: &str) -> Result<String, String> {
    let ok = s.len() >= 2
        && s.len() <= 32
        && s.starts_with('Z')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        return Ok(s.to_owned());
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
pub fn queue_name(s: &str) -> Result<String, String> {
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
    Ok(s.to_owned())
}

/// DynamoDB: 3-255 of letters, digits, `_`, `-`, `.`; the dedupe table's name adds
/// [`IDEMPOTENCY_TABLE_SUFFIX`].
pub fn table_name(s: &str) -> Result<String, String> {
    let max = 255 - IDEMPOTENCY_TABLE_SUFFIX.len();
    if s.len() < 3 || s.len() > max || !name_chars(s, b"_-.") {
        return Err(format!(
            "{} is not a valid DynamoDB table name (3 to {max} letters, digits, underscores, \
             hyphens or dots; {max} so that the dedupe table's name, with \"{IDEMPOTENCY_TABLE_SUFFIX}\", fits in 255)",
            quote(s)
        ));
    }
    Ok(s.to_owned())
}

/// SNS: 1-256 of letters, digits, `-`, `_`; standard topic.
pub fn topic_name(s: &str) -> Result<String, String> {
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
    Ok(s.to_owned())
}

/// A whole number, given as a JSON number or a string of digits (Pulumi config values
/// are strings unless set with `--path` or as numbers in YAML).
fn whole_number(v: &Value) -> Result<u64, String> {
    let parsed = match v {
        // From the number's text (serde_json keeps it): `5` and `5.0` are whole, `5.5` not.
        Value::Number(n) => {
            let text = n.to_string();
            let whole = text
                .split_once('.')
                .filter(|(_, frac)| frac.bytes().all(|b| b == b'0'))
                .map_or(text.as_str(), |(int, _)| int);
            whole.parse::<u64>().ok()
        }
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| match v {
        Value::Number(_) | Value::String(_) => format!("{v} is not a whole number"),
        other => format!("expected a whole number, found {}", json_kind(other)),
    })
}

pub fn int_in(v: &Value, min: u32, max: u32) -> Result<u32, String> {
    let n = whole_number(v)?;
    if (u64::from(min)..=u64::from(max)).contains(&n) {
        Ok(n as u32)
    } else {
        Err(format!("{n} is out of range ({min} to {max})"))
    }
}

pub fn retention(v: &Value) -> Result<u32, String> {
    let n = whole_number(v)?;
    if LOG_RETENTION_DAYS.contains(&n) {
        Ok(n as u32)
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

/// A CloudWatch metric namespace (the rules are the contract's, shared with the Lambda's
/// environment check).
pub fn metrics_namespace(s: &str) -> Result<String, String> {
    match crate::contract::metrics::namespace_problem(s) {
        None => Ok(s.to_owned()),
        Some(problem) => Err(problem),
    }
}

/// `true`/`false`, as a JSON boolean or the string `pulumi config set` stores.
pub fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("{} is not true or false", quote(s))),
        },
        other => Err(format!(
            "expected true or false, found {}",
            json_kind(other)
        )),
    }
}

/// One of `allowed`, spelt exactly (AWS's enums are case-sensitive).
pub fn one_of(v: &Value, allowed: &[&'static str]) -> Result<&'static str, String> {
    let s = string(v)?;
    allowed
        .iter()
        .find(|a| **a == s)
        .copied()
        .ok_or_else(|| format!("{} is not one of {}", quote(s), allowed.join(", ")))
}
