//! Notifications: for the notify route and for a body that should never have reached
//! the queue. Each has a subject (SNS limits), a text a person can read in an email, and
//! the structured fields a program can read.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{quote, ValidationErrors};
use crate::limits::{MAX_BODY_PREVIEW_CHARS, MAX_NOTIFICATION_DATA_BYTES, MAX_SUBJECT_CHARS};
use crate::message::Message;
use crate::record::{Envelope, RecordError};
use crate::route::NOT_INSERTED_REASON;
use crate::time::format_millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A valid message whose `Insert` asked for no DynamoDB insertion.
    NotInserted,
    /// A body that failed validation after the edge (it bypassed the API's validator).
    Rejected,
}

impl NotificationKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            NotificationKind::NotInserted => "not_inserted",
            NotificationKind::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: NotificationKind,
    pub message_id: String,
    /// At most 100 printable ASCII characters (the SNS subject limit).
    pub subject: String,
    /// The email body.
    pub text: String,
    pub reason: String,
    /// Processing time, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpce: Option<String>,
}

/// The notify route: a valid message that did not ask for a DynamoDB insertion.
pub fn not_inserted(
    message: &Message,
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Notification, RecordError> {
    let mut n = skeleton(NotificationKind::NotInserted, envelope, now_ms)?;
    n.reason = NOT_INSERTED_REASON.to_owned();
    n.subject = subject(&format!("private-ingest: {NOT_INSERTED_REASON}"));
    n.insert = Some(message.insert.clone());
    n.data = message.data.clone();
    n.text = text(
        &n,
        &[("Insert", quote(&message.insert))],
        data_lines(&n.data),
    );
    Ok(n)
}

/// A body that failed validation; `body` is quoted (shortened) so a person can find it.
pub fn rejected(
    errors: &ValidationErrors,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Notification, RecordError> {
    let mut n = skeleton(NotificationKind::Rejected, envelope, now_ms)?;
    n.errors = errors.messages();
    n.reason = format!(
        "The message body was rejected: {}",
        n.errors.first().map(String::as_str).unwrap_or("invalid")
    );
    n.subject = subject("private-ingest: message rejected (invalid body)");
    let mut extra = vec![String::from("Errors:")];
    extra.extend(n.errors.iter().map(|e| format!("  - {e}")));
    extra.push(format!("Body ({} bytes), start:", body.len()));
    extra.push(format!("  {}", body_preview(body)));
    n.text = text(&n, &[], extra);
    Ok(n)
}

fn skeleton(
    kind: NotificationKind,
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Notification, RecordError> {
    if envelope.message_id.is_empty() {
        return Err(RecordError::EmptyMessageId);
    }
    Ok(Notification {
        kind,
        message_id: envelope.message_id.clone(),
        subject: String::new(),
        text: String::new(),
        reason: String::new(),
        timestamp: format_millis(now_ms)
            .ok_or_else(|| RecordError::TimeOutOfRange(now_ms.to_string()))?,
        insert: None,
        data: None,
        errors: Vec::new(),
        received_at: envelope.received_at_ms.and_then(format_millis),
        request_id: envelope.request_id.clone(),
        source_vpce: envelope.source_vpce.clone(),
    })
}

/// An SNS-safe subject: printable ASCII, no line breaks, at most 100 characters.
fn subject(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(MAX_SUBJECT_CHARS)
        .collect()
}

fn data_lines(data: &Option<Map<String, Value>>) -> Vec<String> {
    let Some(data) = data else {
        return vec!["Data: (none)".into()];
    };
    let pretty = serde_json::to_string_pretty(data).unwrap_or_default();
    if pretty.len() <= MAX_NOTIFICATION_DATA_BYTES {
        vec![format!("Data:\n{pretty}")]
    } else {
        vec![format!(
            "Data: {} bytes, too large to quote here (SNS messages are limited to 256 KB); \
             fields: {}",
            pretty.len(),
            data.keys().cloned().collect::<Vec<_>>().join(", ")
        )]
    }
}

/// The first [`MAX_BODY_PREVIEW_CHARS`] characters of a body, lossily decoded.
fn body_preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut preview: String = text.chars().take(MAX_BODY_PREVIEW_CHARS).collect();
    if text.chars().count() > MAX_BODY_PREVIEW_CHARS {
        preview.push_str(" ...");
    }
    preview.escape_debug().to_string()
}

fn text(n: &Notification, fields: &[(&str, String)], extra: Vec<String>) -> String {
    let mut out = format!("{}\n\n", n.reason);
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(out, "{k}: {v}");
    };
    line("Message id", &n.message_id);
    for (k, v) in fields {
        line(k, v);
    }
    line("Processed at", &n.timestamp);
    for (k, v) in [
        ("Received at", &n.received_at),
        ("Request id", &n.request_id),
        ("Source VPC endpoint", &n.source_vpce),
    ] {
        if let Some(v) = v {
            line(k, v);
        }
    }
    for e in extra {
        out.push_str(&e);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse_message;

    #[test]
    fn not_inserted_carries_the_original_text_and_the_fields() {
        let m = parse_message(br#"{"Insert":"Dynamoooo","data":{"k":"v"}}"#).unwrap();
        let mut env = Envelope::new("m-7");
        env.request_id = Some("req-1".into());
        let n = not_inserted(&m, &env, 1_700_000_000_000).unwrap();
        assert_eq!(n.kind, NotificationKind::NotInserted);
        assert_eq!(n.reason, "No DynamoDB insertion requested.");
        assert_eq!(
            n.subject,
            "private-ingest: No DynamoDB insertion requested."
        );
        assert_eq!(n.insert.as_deref(), Some("Dynamoooo"));
        assert!(n
            .text
            .starts_with("No DynamoDB insertion requested.\n\nMessage id: m-7\n"));
        assert!(n.text.contains("Insert: \"Dynamoooo\"\n"));
        assert!(n.text.contains("Request id: req-1\n"));
        assert!(n.text.contains("\"k\": \"v\""));
    }

    #[test]
    fn rejected_lists_every_error_and_quotes_the_body() {
        let body = br#"{"Insert": 5, "x": 1}"#;
        let errors = parse_message(body).unwrap_err();
        let n = rejected(&errors, body, &Envelope::new("m-8"), 0).unwrap();
        assert_eq!(n.kind, NotificationKind::Rejected);
        assert_eq!(n.errors.len(), 2);
        assert_eq!(
            n.reason,
            "The message body was rejected: /Insert: expected a string, found number"
        );
        assert!(n
            .text
            .contains("  - /x: unknown field; allowed fields are Insert, data\n"));
        assert!(n.text.contains(r#"{\"Insert\": 5, \"x\": 1}"#));
    }

    #[test]
    fn subject_is_sns_safe() {
        let s = subject(&format!("a\nb\u{e9}{}", "x".repeat(200)));
        assert_eq!(s.len(), MAX_SUBJECT_CHARS);
        assert!(s.starts_with("a?b?x"));
    }

    #[test]
    fn huge_data_is_summarised_not_quoted() {
        let body = format!(
            r#"{{"Insert":"no","data":{{"big":"{}"}}}}"#,
            "y".repeat(MAX_NOTIFICATION_DATA_BYTES + 10)
        );
        let m = parse_message(body.as_bytes()).unwrap();
        let n = not_inserted(&m, &Envelope::new("m"), 0).unwrap();
        assert!(n.text.contains("too large to quote here"));
        assert!(n.text.len() < 2_000);
    }
}
