//! `buildRecord`'s work: the record a store-route body would make, with the arguments as
//! a JavaScript caller holds them (the Pulumi program's mapping-template tests).

use private_ingest_core::contract::STORE_INSERT_VALUE;
use private_ingest_core::{
    build_record, parse_message_str, Envelope, Record, RecordError, Route, ValidationErrors,
};

use crate::arguments;

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

/// The record `body` would make as message `message_id`, processed at `now_ms`.
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
    let random_value = arguments::random_value(random_value)?;
    let now_ms = arguments::epoch_millis(now_ms)?;
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
