//! Received queue messages as the `SqsEvent` Lambda would invoke the handler with: message id,
//! receipt handle, body, the system attributes SQS sets (`SentTimestamp`,
//! `ApproximateReceiveCount`, `ApproximateFirstReceiveTimestamp`, `SenderId`) and the
//! message attributes as String attributes.

use std::collections::HashMap;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use private_ingest_handler::envelope::SENT_TIMESTAMP_ATTRIBUTE;

use crate::queue::ReceivedMessage;

/// The local queue's ARN: the account and region do not exist, as nothing here is AWS.
pub const QUEUE_ARN: &str = "arn:aws:sqs:local:000000000000:private-ingest-local";
const REGION: &str = "local";

pub fn sqs_event(messages: &[ReceivedMessage]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = messages.iter().map(sqs_message).collect();
    event
}

fn sqs_message(m: &ReceivedMessage) -> SqsMessage {
    let mut out = SqsMessage::default();
    out.message_id = Some(m.message_id.clone());
    out.receipt_handle = Some(m.receipt_handle.clone());
    out.body = Some(m.body.clone());
    out.attributes = HashMap::from([
        (
            SENT_TIMESTAMP_ATTRIBUTE.to_owned(),
            m.sent_at_ms.to_string(),
        ),
        (
            "ApproximateReceiveCount".to_owned(),
            m.receive_count.to_string(),
        ),
        (
            "ApproximateFirstReceiveTimestamp".to_owned(),
            m.first_received_at_ms.to_string(),
        ),
        ("SenderId".to_owned(), "local".to_owned()),
    ]);
    out.message_attributes = m
        .attributes
        .iter()
        .map(|(name, value)| (name.clone(), string_attribute(value)))
        .collect();
    out.event_source = Some("aws:sqs".to_owned());
    out.event_source_arn = Some(QUEUE_ARN.to_owned());
    out.aws_region = Some(REGION.to_owned());
    out
}

fn string_attribute(value: &str) -> SqsMessageAttribute {
    let mut a = SqsMessageAttribute::default();
    a.string_value = Some(value.to_owned());
    a.data_type = Some("String".to_owned());
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Attributes;
    use private_ingest_core::contract::{REQUEST_ID_ATTRIBUTE, SOURCE_VPCE_ATTRIBUTE};
    use private_ingest_handler::envelope::envelope_of;
    use serde_json::json;

    fn received() -> ReceivedMessage {
        ReceivedMessage {
            message_id: "m-1".into(),
            receipt_handle: "h-1".into(),
            body: r#"{"Insert":"DynamoDB"}"#.into(),
            attributes: Attributes::from([
                (REQUEST_ID_ATTRIBUTE.to_owned(), "r-1".to_owned()),
                (SOURCE_VPCE_ATTRIBUTE.to_owned(), "local".to_owned()),
            ]),
            sent_at_ms: 1_700_000_000_000,
            receive_count: 2,
            first_received_at_ms: 1_700_000_000_500,
        }
    }

    #[test]
    fn serialises_as_the_event_aws_documents() {
        let v = serde_json::to_value(sqs_event(&[received()])).unwrap();
        let r = &v["Records"][0];
        assert_eq!(r["messageId"], "m-1");
        assert_eq!(r["receiptHandle"], "h-1");
        assert_eq!(r["body"], r#"{"Insert":"DynamoDB"}"#);
        assert_eq!(r["attributes"]["SentTimestamp"], "1700000000000");
        assert_eq!(r["attributes"]["ApproximateReceiveCount"], "2");
        assert_eq!(
            r["attributes"]["ApproximateFirstReceiveTimestamp"],
            "1700000000500"
        );
        assert_eq!(
            r["messageAttributes"]["requestId"],
            json!({"stringValue": "r-1", "stringListValues": [], "binaryListValues": [], "dataType": "String", "binaryValue": null})
        );
        assert_eq!(r["eventSource"], "aws:sqs");
        assert_eq!(r["eventSourceARN"], QUEUE_ARN);
    }

    #[test]
    fn the_lambda_reads_the_same_envelope_from_it() {
        let event = sqs_event(&[received()]);
        let env = envelope_of("m-1", &event.records[0]);
        assert_eq!(env.received_at_ms, Some(1_700_000_000_000));
        assert_eq!(env.request_id.as_deref(), Some("r-1"));
        assert_eq!(env.source_vpce.as_deref(), Some("local"));
    }
}
