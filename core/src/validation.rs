//! Answers for a client that holds a body it has not sent yet (the test page, Pulumi):
//! is it valid, where would it go, and the record it would make.

use serde::Serialize;

use crate::error::ValidationErrors;
use crate::limits::{MAX_BODY_BYTES, MAX_DEPTH};
use crate::message::parse_message_str;
use crate::record::{build_record, Envelope, RandomValue, Record, RecordError};
use crate::route::{Route, STORE_INSERT_VALUE};
use crate::time::millis_from_f64;

/// Whether a body is valid, and if so its route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    pub ok: bool,
    pub route: Option<Route>,
    /// `<path>: <reason>` lines; empty when `ok`.
    pub errors: Vec<String>,
}

pub fn validate(body: &str) -> Validation {
    match parse_message_str(body) {
        Ok(m) => Validation {
            ok: true,
            route: Some(m.route()),
            errors: Vec::new(),
        },
        Err(e) => Validation {
            ok: false,
            route: None,
            errors: e.messages(),
        },
    }
}

/// The contract's limits, for clients that check before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_depth: usize,
}

pub const LIMITS: Limits = Limits {
    max_body_bytes: MAX_BODY_BYTES,
    max_depth: MAX_DEPTH,
};

/// Why [`record_for_body`] made no record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BodyRecordError {
    #[error("{0}")]
    Invalid(#[from] ValidationErrors),
    #[error(
        "/Insert: {0:?} routes to a notification; only \"{STORE_INSERT_VALUE}\" makes a record"
    )]
    NotStoreRoute(String),
    #[error("{0}")]
    Argument(#[from] RecordError),
}

/// The record a body would make, with arguments as a JavaScript caller holds them.
pub fn record_for_body(
    body: &str,
    message_id: &str,
    random_value: f64,
    now_ms: f64,
) -> Result<Record, BodyRecordError> {
    let message = parse_message_str(body)?;
    if message.route() != Route::Store {
        return Err(BodyRecordError::NotStoreRoute(message.insert));
    }
    let random_value = RandomValue::from_f64(random_value)?;
    let now_ms = millis_from_f64(now_ms).ok_or(RecordError::TimeOutOfRange(now_ms.to_string()))?;
    Ok(build_record(
        &message,
        &Envelope::new(message_id),
        random_value,
        now_ms,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_bodies() {
        let v = validate(r#"{"Insert":"DynamoDB"}"#);
        assert_eq!(
            (v.ok, v.route, v.errors.len()),
            (true, Some(Route::Store), 0)
        );
        let v = validate(r#"{"Insert":1}"#);
        assert_eq!(v.route, None);
        assert_eq!(v.errors, ["/Insert: expected a string, found number"]);
    }

    #[test]
    fn record_for_body_checks_every_argument() {
        let store = r#"{"Insert":"DynamoDB"}"#;
        assert!(record_for_body(store, "m", 5.0, 0.0).is_ok());
        let e = |r: Result<Record, BodyRecordError>| r.unwrap_err().to_string();
        assert_eq!(
            e(record_for_body(r#"{"Insert":"x"}"#, "m", 5.0, 0.0)),
            "/Insert: \"x\" routes to a notification; only \"DynamoDB\" makes a record"
        );
        assert_eq!(
            e(record_for_body(store, "m", 0.0, 0.0)),
            "randomValue: 0 is not a whole number from 1 to 100"
        );
        assert_eq!(
            e(record_for_body(store, "m", 5.0, -3.0)),
            "nowMs: -3 is not a time in epoch milliseconds that can be formatted"
        );
        assert_eq!(
            e(record_for_body(store, "", 5.0, 0.0)),
            "messageId: must not be empty"
        );
        assert!(e(record_for_body("[]", "m", 5.0, 0.0)).starts_with("invalid request body: /:"));
    }
}
