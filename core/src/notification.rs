//! Notifications: for the notify route, and the alert about a body the handler rejected
//! (one that bypassed the API's validator). Each has a subject (SNS limits), a text a
//! person can read in an email, and the structured fields a program can read.
//!
//! Notifications leave the private network (SNS delivers them by email), so by default
//! they carry ids, the route and reasons only; the caller's content (`Insert`, `data`,
//! the start of a rejected body) only with [`NotificationContent::WithCallerData`].

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::contract::{
    IDEMPOTENCY_KEY_HEADER, MAX_BODY_PREVIEW_CHARS, MAX_NOTIFICATION_DATA_BYTES, MAX_SUBJECT_CHARS,
};
use crate::envelope::{Envelope, Stamp};
use crate::error::{quote, ErrorCode, ValidationErrors};
use crate::idempotency::Dedupe;
use crate::message::Message;
use crate::record::RecordError;
use crate::route::Route;
use crate::rules::{FiredRule, Severity};

mod fired_rules;

pub use fired_rules::{
    fired_rules_reason, fired_rules_subject, for_fired_rules, RULES_OTHERWISE_REASON,
};

/// The notify route's text, as in the original pattern.
pub const NOTIFY_ROUTE_REASON: &str = "No DynamoDB insertion requested.";

/// Why a notification was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A valid message on the notify route (its `Insert` asked for no DynamoDB insertion).
    Notify,
    /// A body that failed validation after the edge (it bypassed the API's validator).
    Rejected,
}

impl NotificationKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Notify => "notify",
            NotificationKind::Rejected => "rejected",
        }
    }
}

/// How much of the caller's content a notification carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum NotificationContent {
    /// Ids, the route and reasons only (the default).
    #[default]
    IdsOnly,
    /// Also the `Insert` value, the caller's `data` (up to
    /// [`MAX_NOTIFICATION_DATA_BYTES`]) and the start of a rejected body.
    WithCallerData,
}

impl NotificationContent {
    /// From a yes/no setting such as `NOTIFICATION_INCLUDES_DATA`.
    pub const fn from_includes_data(includes_data: bool) -> Self {
        if includes_data {
            Self::WithCallerData
        } else {
            Self::IdsOnly
        }
    }

    pub const fn includes_data(self) -> bool {
        matches!(self, Self::WithCallerData)
    }
}

/// What withheld caller content says in a notification's text.
const WITHHELD: &str = "withheld (this deployment's notifications carry ids, the route and \
                        reasons only)";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: NotificationKind,
    pub message_id: String,
    /// The message's route; none for a rejected body, which never got one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// At most 100 printable ASCII characters (the SNS subject limit).
    pub subject: String,
    /// The email body.
    pub text: String,
    pub reason: String,
    /// Processing time, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// The caller's `Insert` (with [`NotificationContent::WithCallerData`] only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insert: Option<String>,
    /// The caller's `data` (with [`NotificationContent::WithCallerData`] only).
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
    /// The caller's `Idempotency-Key`, when the message had a valid one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// With a key: SHA-256 (hex) of the body as received, which the dedupe marker keeps.
    /// Never in the email text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// With routing rules: every rule that fired for the message, in the document's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FiredRule>,
    /// With routing rules: the highest severity of [`Self::rules`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// The notify route: a valid message that did not ask for a DynamoDB insertion. With a
/// `dedupe` (the message had an `Idempotency-Key`), the notification carries the key and
/// the body's digest, and the handler publishes it at most once per key.
pub fn for_notify_route(
    message: &Message,
    envelope: &Envelope,
    dedupe: Option<&Dedupe>,
    now_ms: i64,
    content: NotificationContent,
) -> Result<Notification, RecordError> {
    let mut n = notify_skeleton(envelope, dedupe, now_ms)?;
    n.reason = NOTIFY_ROUTE_REASON.to_owned();
    n.subject = notify_route_subject();
    finish_notify(n, message, content, Vec::new())
}

/// The notify route's subject.
pub fn notify_route_subject() -> String {
    sns_subject(&format!("private-ingest: {NOTIFY_ROUTE_REASON}"))
}

fn notify_skeleton(
    envelope: &Envelope,
    dedupe: Option<&Dedupe>,
    now_ms: i64,
) -> Result<Notification, RecordError> {
    let mut n = skeleton(
        NotificationKind::Notify,
        Some(Route::Notify),
        envelope,
        now_ms,
    )?;
    if let Some(dedupe) = dedupe {
        n.idempotency_key = Some(dedupe.key.as_str().to_owned());
        n.body_sha256 = Some(dedupe.body_sha256.clone());
    }
    Ok(n)
}

/// A notify-route notification's caller content (or the line saying it is withheld)
/// and its text, after `lines`.
fn finish_notify(
    mut n: Notification,
    message: &Message,
    content: NotificationContent,
    mut lines: Vec<String>,
) -> Result<Notification, RecordError> {
    let fields = if content.includes_data() {
        n.insert = Some(message.insert.clone());
        n.data = message.data.clone();
        lines.extend(data_lines(&n.data));
        vec![("Insert", quote(&message.insert))]
    } else {
        lines.push(format!("Insert and data: {WITHHELD}"));
        Vec::new()
    };
    n.text = text(&n, &fields, lines);
    Ok(n)
}

/// A body that failed validation: every error, and (with the caller's content) the start
/// of the body, so a person can find it.
pub fn for_rejected_body(
    errors: &ValidationErrors,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
    content: NotificationContent,
) -> Result<Notification, RecordError> {
    let mut n = skeleton(NotificationKind::Rejected, None, envelope, now_ms)?;
    n.errors = errors.messages();
    let what = if errors
        .errors()
        .iter()
        .any(|e| e.code == ErrorCode::InvalidIdempotencyKey)
    {
        "message"
    } else {
        "message body"
    };
    n.reason = format!(
        "The {what} was rejected: {}",
        n.errors.first().map(String::as_str).unwrap_or("invalid")
    );
    n.subject = sns_subject("private-ingest: message rejected (invalid body)");
    n.text = text(&n, &[], rejection_lines(&n.errors, body, content));
    Ok(n)
}

/// A valid message whose record id was already used by another message for a different
/// body: the caller's `Idempotency-Key` reused (for a record, or a notification within its
/// dedupe window), or, without a key, this message's own id taken as another request's
/// key. Nothing is overwritten or sent twice; this alert says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyClash<'a> {
    /// The record id (or dedupe key) the message would have used.
    pub key: &'a str,
    /// True when the caller chose `key` as its `Idempotency-Key`; false when it is the
    /// message's own id.
    pub keyed: bool,
    /// The message that used the key first, when it is known.
    pub first_message_id: Option<&'a str>,
    pub route: Route,
}

/// The "rejected" alert about a [`KeyClash`].
pub fn for_reused_key(
    clash: &KeyClash<'_>,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
    content: NotificationContent,
) -> Result<Notification, RecordError> {
    let mut n = skeleton(
        NotificationKind::Rejected,
        Some(clash.route),
        envelope,
        now_ms,
    )?;
    let key = quote(clash.key);
    let first = clash
        .first_message_id
        .map_or_else(String::new, |id| format!(" by message {id}"));
    n.errors = vec![if clash.keyed {
        let what = match clash.route {
            Route::Store => format!("it names the record {key}"),
            Route::Notify => "its notification was already sent".to_owned(),
        };
        format!(
            "{IDEMPOTENCY_KEY_HEADER}: {key} was already used{first} for a different body; \
             {what}, which is kept as it is. Send a new body with a new key."
        )
    } else {
        format!(
            "/: the record id {key} (this message's id) was already taken{first} as an \
             {IDEMPOTENCY_KEY_HEADER}; that record is kept as it is and this message was not \
             stored."
        )
    }];
    n.reason = format!("The message was rejected: {}", n.errors[0]);
    n.subject = sns_subject(if clash.keyed {
        "private-ingest: message rejected (Idempotency-Key reused)"
    } else {
        "private-ingest: message rejected (record id taken)"
    });
    if clash.keyed {
        n.idempotency_key = Some(clash.key.to_owned());
    }
    n.text = text(&n, &[], rejection_lines(&n.errors, body, content));
    Ok(n)
}

/// A rejection's last lines: each error, then the body's size and (with the caller's
/// content) its start.
fn rejection_lines(errors: &[String], body: &[u8], content: NotificationContent) -> Vec<String> {
    let mut lines = vec![String::from("Errors:")];
    lines.extend(errors.iter().map(|e| format!("  - {e}")));
    if content.includes_data() {
        lines.push(format!("Body ({} bytes), start:", body.len()));
        lines.push(format!("  {}", body_preview(body)));
    } else {
        lines.push(format!("Body ({} bytes): {WITHHELD}", body.len()));
    }
    lines
}

fn skeleton(
    kind: NotificationKind,
    route: Option<Route>,
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Notification, RecordError> {
    let stamp: Stamp = envelope.stamp(now_ms)?;
    Ok(Notification {
        kind,
        message_id: stamp.message_id,
        route,
        subject: String::new(),
        text: String::new(),
        reason: String::new(),
        timestamp: stamp.timestamp,
        insert: None,
        data: None,
        errors: Vec::new(),
        received_at: stamp.received_at,
        request_id: stamp.request_id,
        source_vpce: stamp.source_vpce,
        idempotency_key: None,
        body_sha256: None,
        rules: Vec::new(),
        severity: None,
    })
}

/// An SNS-safe subject: printable ASCII, no line breaks, at most 100 characters.
pub(crate) fn sns_subject(raw: &str) -> String {
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
    if let Some(route) = n.route {
        line("Route", route.as_str());
    }
    if let Some(key) = &n.idempotency_key {
        line("Idempotency key", key);
    }
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

    const WITH_DATA: NotificationContent = NotificationContent::WithCallerData;
    const IDS_ONLY: NotificationContent = NotificationContent::IdsOnly;

    #[test]
    fn the_notify_route_carries_the_original_text_and_with_data_the_fields() {
        let m = parse_message(br#"{"Insert":"Dynamoooo","data":{"k":"v"}}"#).unwrap();
        let mut env = Envelope::new("m-7");
        env.request_id = Some("req-1".into());
        let n = for_notify_route(&m, &env, None, 1_700_000_000_000, WITH_DATA).unwrap();
        assert_eq!(n.kind, NotificationKind::Notify);
        assert_eq!(n.route, Some(Route::Notify));
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
    fn by_default_the_notify_route_carries_ids_route_and_reason_only() {
        let m = parse_message(br#"{"Insert":"secret-insert","data":{"k":"secret-data"}}"#).unwrap();
        let mut env = Envelope::new("m-7");
        env.request_id = Some("req-1".into());
        let n = for_notify_route(&m, &env, None, 1_700_000_000_000, IDS_ONLY).unwrap();
        assert_eq!(
            (n.kind, n.route),
            (NotificationKind::Notify, Some(Route::Notify))
        );
        assert_eq!(n.reason, "No DynamoDB insertion requested.");
        assert_eq!((&n.insert, &n.data), (&None, &None));
        assert!(
            n.text.contains("Message id: m-7\nRoute: notify\n"),
            "{}",
            n.text
        );
        assert!(n.text.contains("Request id: req-1\n"));
        assert!(n.text.contains("Insert and data: withheld"), "{}", n.text);
        let json = serde_json::to_string(&n).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }

    #[test]
    fn a_rejected_body_lists_every_error_and_with_data_quotes_the_body() {
        let body = br#"{"Insert": 5, "x": 1}"#;
        let errors = parse_message(body).unwrap_err();
        let n = for_rejected_body(&errors, body, &Envelope::new("m-8"), 0, WITH_DATA).unwrap();
        assert_eq!(n.kind, NotificationKind::Rejected);
        assert_eq!(n.route, None);
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
    fn by_default_a_rejected_body_is_not_quoted() {
        let body = br#"{"Insert": 5, "secret": 1}"#;
        let errors = parse_message(body).unwrap_err();
        let n = for_rejected_body(&errors, body, &Envelope::new("m-8"), 0, IDS_ONLY).unwrap();
        assert_eq!(n.errors.len(), 2, "the reasons stay");
        assert!(n.text.contains("Body (26 bytes): withheld"), "{}", n.text);
        assert!(!n.text.contains(r#"\"Insert\": 5"#), "{}", n.text);
    }

    #[test]
    fn a_keyed_notification_names_its_key_in_the_text() {
        let m = parse_message(br#"{"Insert":"x"}"#).unwrap();
        let dedupe = Dedupe::new(crate::parse_idempotency_key("k-1").unwrap(), b"{}");
        let n = for_notify_route(&m, &Envelope::new("m-1"), Some(&dedupe), 0, IDS_ONLY).unwrap();
        assert_eq!(n.idempotency_key.as_deref(), Some("k-1"));
        assert!(
            n.text
                .contains("Route: notify\nIdempotency key: k-1\nProcessed at: "),
            "{}",
            n.text
        );
        assert!(
            !n.text.contains(&dedupe.body_sha256),
            "no digest in the email"
        );
    }

    #[test]
    fn a_reused_key_is_a_rejection_that_names_the_key_and_the_first_message() {
        let clash = KeyClash {
            key: "k-1",
            keyed: true,
            first_message_id: Some("m-first"),
            route: Route::Store,
        };
        let n = for_reused_key(
            &clash,
            br#"{"Insert":"DynamoDB","data":{"secret":1}}"#,
            &Envelope::new("m-2"),
            0,
            IDS_ONLY,
        )
        .unwrap();
        assert_eq!(
            (n.kind, n.route),
            (NotificationKind::Rejected, Some(Route::Store))
        );
        assert_eq!(
            n.errors,
            [
                "Idempotency-Key: \"k-1\" was already used by message m-first for a different \
              body; it names the record \"k-1\", which is kept as it is. Send a new body with a \
              new key."
            ]
        );
        assert_eq!(
            n.subject,
            "private-ingest: message rejected (Idempotency-Key reused)"
        );
        assert!(n.text.contains("Message id: m-2\n"), "{}", n.text);
        assert!(n.text.contains("Idempotency key: k-1\n"), "{}", n.text);
        assert!(!n.text.contains("secret"), "{}", n.text);
        let taken = KeyClash {
            key: "m-2",
            keyed: false,
            ..clash
        };
        let n = for_reused_key(&taken, b"{}", &Envelope::new("m-2"), 0, IDS_ONLY).unwrap();
        assert_eq!(
            n.subject,
            "private-ingest: message rejected (record id taken)"
        );
        assert_eq!(n.idempotency_key, None);
        assert!(n.errors[0].starts_with(
            "/: the record id \"m-2\" (this message's id) was already taken by message m-first"
        ));
    }

    #[test]
    fn a_rejected_key_says_the_message_was_rejected() {
        let key_error = crate::parse_idempotency_key("").unwrap_err();
        let errors = ValidationErrors::single(key_error);
        let n = for_rejected_body(&errors, b"{}", &Envelope::new("m"), 0, IDS_ONLY).unwrap();
        assert!(
            n.reason
                .starts_with("The message was rejected: Idempotency-Key: must not be empty"),
            "{}",
            n.reason
        );
    }

    #[test]
    fn subject_is_sns_safe() {
        let s = sns_subject(&format!("a\nb\u{e9}{}", "x".repeat(200)));
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
        let n = for_notify_route(&m, &Envelope::new("m"), None, 0, WITH_DATA).unwrap();
        assert!(n.text.contains("too large to quote here"));
        assert!(n.text.len() < 2_000);
    }
}
