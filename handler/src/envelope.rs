//! What the queue says about a message besides its body: the SQS record's id, its
//! `SentTimestamp` attribute and the message attributes the API's SQS integration sets
//! (named in the core's contract), as the core's [`Envelope`].

use aws_lambda_events::event::sqs::SqsMessage;
use private_ingest_core::contract::{
    IDEMPOTENCY_KEY_ATTRIBUTE, REQUEST_ID_ATTRIBUTE, SOURCE_VPCE_ATTRIBUTE,
};
use private_ingest_core::Envelope;

/// SQS system attribute: when the queue received the message, epoch milliseconds.
pub const SENT_TIMESTAMP_ATTRIBUTE: &str = "SentTimestamp";

/// When the queue received `message` (its `SentTimestamp`), epoch milliseconds.
pub fn sent_at_ms(message: &SqsMessage) -> Option<i64> {
    // SQS always sends this as a decimal string; anything else is left out rather than
    // failing the message over a field that is informational only.
    message
        .attributes
        .get(SENT_TIMESTAMP_ATTRIBUTE)
        .and_then(|t| t.parse().ok())
}

/// A String message attribute's value.
fn string_attribute(message: &SqsMessage, name: &str) -> Option<String> {
    message
        .message_attributes
        .get(name)
        .and_then(|a| a.string_value.clone())
}

/// The `Idempotency-Key` the message carries, as sent (unchecked).
pub fn idempotency_key_of(message: &SqsMessage) -> Option<String> {
    string_attribute(message, IDEMPOTENCY_KEY_ATTRIBUTE)
}

/// The envelope of `message`, whose id the caller has already checked.
pub fn envelope_of(message_id: &str, message: &SqsMessage) -> Envelope {
    let string_attribute = |name: &str| string_attribute(message, name);
    Envelope {
        message_id: message_id.to_owned(),
        received_at_ms: sent_at_ms(message),
        request_id: string_attribute(REQUEST_ID_ATTRIBUTE),
        source_vpce: string_attribute(SOURCE_VPCE_ATTRIBUTE),
        idempotency_key: idempotency_key_of(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(value: serde_json::Value) -> SqsMessage {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn copies_the_sent_timestamp_and_the_message_attributes() {
        let m = message(json!({
            "messageId": "m-1",
            "attributes": {"SentTimestamp": "1700000000123", "ApproximateReceiveCount": "1"},
            "messageAttributes": {
                "requestId": {"stringValue": "req-9", "dataType": "String"},
                "sourceVpce": {"stringValue": "vpce-0abc", "dataType": "String"},
                "idempotencyKey": {"stringValue": "order 42", "dataType": "String"}
            }
        }));
        assert_eq!(
            envelope_of("m-1", &m),
            Envelope {
                message_id: "m-1".into(),
                received_at_ms: Some(1_700_000_000_123),
                request_id: Some("req-9".into()),
                source_vpce: Some("vpce-0abc".into()),
                idempotency_key: Some("order 42".into()),
            }
        );
    }

    #[test]
    fn absent_or_malformed_attributes_are_left_out() {
        let m = message(json!({
            "messageId": "m-2",
            "attributes": {"SentTimestamp": "yesterday"},
            "messageAttributes": {"requestId": {"binaryValue": "MTEwMA==", "dataType": "Binary"}}
        }));
        assert_eq!(envelope_of("m-2", &m), Envelope::new("m-2"));
    }
}
