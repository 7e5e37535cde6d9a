//! SQS records and events in the shape SQS hands them to Lambda, and what a batch
//! response reports.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde_json::{json, Value};

/// When every [`record`] was sent (SQS `SentTimestamp`): 2023-11-14T22:13:20.000Z.
pub const SENT_TIMESTAMP_MS: i64 = 1_700_000_000_000;

/// One record with this message id and body, received once, without message attributes.
pub fn record(message_id: &str, body: &str) -> Value {
    json!({
        "messageId": message_id,
        "receiptHandle": format!("receipt-{message_id}"),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": SENT_TIMESTAMP_MS.to_string()
        },
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:q",
        "awsRegion": "eu-central-1"
    })
}

/// One [`record`] whose `idempotencyKey` message attribute is `key` (as the API's SQS
/// integration sets it from the `Idempotency-Key` header).
pub fn keyed_record(message_id: &str, body: &str, key: &str) -> Value {
    let mut r = record(message_id, body);
    r["messageAttributes"]["idempotencyKey"] = json!({"stringValue": key, "dataType": "String"});
    r
}

/// The event of these records.
pub fn event(records: Vec<Value>) -> SqsEvent {
    serde_json::from_value(json!({ "Records": records })).expect("records in the SQS shape")
}

/// An event from its JSON (a fixture, say).
pub fn event_from_json(json: &str) -> SqsEvent {
    serde_json::from_str(json).expect("an SQS event")
}

/// The message ids a batch response reports as failed, in its order.
pub fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}
