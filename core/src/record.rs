//! The record the store route writes (one DynamoDB item, key `id`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::envelope::Envelope;
use crate::idempotency::Dedupe;
use crate::message::Message;

/// A random value in 1..=100, as the original pattern's record carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct RandomValue(u8);

impl RandomValue {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 100;

    pub fn new(value: u8) -> Result<Self, RecordError> {
        (Self::MIN..=Self::MAX)
            .contains(&value)
            .then_some(Self(value))
            .ok_or(RecordError::RandomValueOutOfRange(value.to_string()))
    }

    /// The value in range nearest to `value` (for a source that already draws from
    /// 1..=100, so nothing is ever moved).
    pub fn clamped(value: u8) -> Self {
        Self(value.clamp(Self::MIN, Self::MAX))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for RandomValue {
    type Error = RecordError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<RandomValue> for u8 {
    fn from(value: RandomValue) -> Self {
        value.0
    }
}

/// A caller passed an argument outside its domain: a programming error, never the
/// message's fault, so the handler treats it as a failure of the item, not a rejection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("randomValue: {0} is not a whole number from 1 to 100")]
    RandomValueOutOfRange(String),
    #[error("nowMs: {0} is not a time in epoch milliseconds that can be formatted")]
    TimeOutOfRange(String),
    #[error("messageId: must not be empty")]
    EmptyMessageId,
}

/// One stored record. Field names are the DynamoDB attribute names.
///
/// Keyed by `id`: the queue message id, so a redelivery cannot make a second record; or,
/// when the request had an `Idempotency-Key`, the key, so a client's retry cannot either.
/// A keyed record also keeps the first message's id (`message_id`) and its body's digest
/// (`body_sha256`), which tells a retry (same digest) from a reuse of the key for another
/// body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub random_value: u8,
    pub message: String,
    /// Processing time, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// Queue receive time, RFC 3339 UTC with milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpce: Option<String>,
    /// With an `Idempotency-Key` only: the id of the message that stored the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// With an `Idempotency-Key` only: SHA-256 (hex) of that message's body as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
}

impl Record {
    /// The record keyed by the caller's key instead of the message id, which it keeps as
    /// `message_id`, with the body's digest.
    pub fn keyed(mut self, dedupe: &Dedupe) -> Self {
        self.message_id = Some(std::mem::replace(
            &mut self.id,
            dedupe.key.as_str().to_owned(),
        ));
        self.body_sha256 = Some(dedupe.body_sha256.clone());
        self
    }
}

/// Builds the store route's record (keyed by the message id; see [`Record::keyed`]).
pub fn build_record(
    message: &Message,
    envelope: &Envelope,
    random_value: RandomValue,
    now_ms: i64,
) -> Result<Record, RecordError> {
    let stamp = envelope.stamp(now_ms)?;
    Ok(Record {
        id: stamp.message_id,
        random_value: random_value.get(),
        message: format!("Random value is {}", random_value.get()),
        timestamp: stamp.timestamp,
        received_at: stamp.received_at,
        data: message.data.clone(),
        request_id: stamp.request_id,
        source_vpce: stamp.source_vpce,
        message_id: None,
        body_sha256: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_the_record_of_the_contract() {
        let message = Message {
            insert: "DynamoDB".into(),
            data: Some(json!({"k": 1}).as_object().cloned().unwrap()),
        };
        let envelope = Envelope {
            message_id: "m-1".into(),
            received_at_ms: Some(1_700_000_000_000),
            request_id: Some("r-1".into()),
            source_vpce: Some("vpce-0123456789abcdef0".into()),
            idempotency_key: None,
        };
        let r = build_record(
            &message,
            &envelope,
            RandomValue::new(42).unwrap(),
            1_700_000_000_456,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({
                "id": "m-1",
                "random_value": 42,
                "message": "Random value is 42",
                "timestamp": "2023-11-14T22:13:20.456Z",
                "received_at": "2023-11-14T22:13:20.000Z",
                "data": {"k": 1},
                "request_id": "r-1",
                "source_vpce": "vpce-0123456789abcdef0"
            })
        );
    }

    #[test]
    fn optional_fields_are_left_out_when_absent() {
        let message = Message {
            insert: "DynamoDB".into(),
            data: None,
        };
        let r = build_record(
            &message,
            &Envelope::new("m"),
            RandomValue::new(1).unwrap(),
            0,
        )
        .unwrap();
        let v = serde_json::to_value(&r).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["id", "message", "random_value", "timestamp"]);
    }

    #[test]
    fn a_keyed_record_is_keyed_by_the_key_and_keeps_the_message_id_and_digest() {
        let message = Message {
            insert: "DynamoDB".into(),
            data: None,
        };
        let dedupe = Dedupe::new(
            crate::parse_idempotency_key("order-42").unwrap(),
            br#"{"Insert":"DynamoDB"}"#,
        );
        let r = build_record(
            &message,
            &Envelope::new("m-1"),
            RandomValue::new(1).unwrap(),
            0,
        )
        .unwrap()
        .keyed(&dedupe);
        assert_eq!(r.id, "order-42");
        assert_eq!(r.message_id.as_deref(), Some("m-1"));
        assert_eq!(r.body_sha256, Some(dedupe.body_sha256));
    }

    #[test]
    fn random_value_must_be_1_to_100() {
        assert!(RandomValue::new(0).is_err());
        assert!(RandomValue::new(101).is_err());
        assert!(RandomValue::new(100).is_ok());
        assert_eq!(
            RandomValue::new(0).unwrap_err().to_string(),
            "randomValue: 0 is not a whole number from 1 to 100"
        );
        assert_eq!(RandomValue::clamped(0).get(), 1);
        assert_eq!(RandomValue::clamped(42).get(), 42);
        assert_eq!(RandomValue::clamped(255).get(), 100);
    }

    #[test]
    fn empty_message_id_is_refused() {
        let message = Message {
            insert: "DynamoDB".into(),
            data: None,
        };
        let err = build_record(
            &message,
            &Envelope::new(""),
            RandomValue::new(1).unwrap(),
            0,
        );
        assert_eq!(err, Err(RecordError::EmptyMessageId));
    }
}
