//! The shared SQS event fixtures (`fixtures/sqs/`, events in the shape AWS documents) and
//! the message ids in them; where the routing rules files (`fixtures/rules/`) are.

/// The path of a routing rules file of `fixtures/rules/` (`iot-thresholds.json`, ...), as
/// the local stack's and the CLI's `--rules` take it.
pub fn rules_file(name: &str) -> String {
    format!("{}/../fixtures/rules/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// One store-route message with both message attributes and a nested `data`.
pub const STORE_EVENT: &str = include_str!("../../fixtures/sqs/store-message.json");
/// The message id in [`STORE_EVENT`].
pub const STORE_ID: &str = "059f36b4-87a3-44ab-83d2-661975830a7d";

/// Five messages: store, notify, a body that is not JSON, an invalid body, store.
pub const MIXED_EVENT: &str = include_str!("../../fixtures/sqs/mixed-batch.json");
/// The ids in [`MIXED_EVENT`], in batch order.
pub const MIXED_IDS: [&str; 5] = [
    "2e1424d4-f796-459a-8184-9c92662be6da",
    "a5b2c9e0-1f3d-4c6b-9e8a-0d7f6a5b4c3d",
    "d8f0e7a1-6b5c-4d3e-8f2a-1b0c9d8e7f6a",
    "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9",
    "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
];
/// The store-route ids in [`MIXED_EVENT`], in batch order.
pub const MIXED_STORE_IDS: [&str; 2] = [MIXED_IDS[0], MIXED_IDS[4]];

/// Two records, the second without a message id.
pub const MISSING_ID_EVENT: &str = include_str!("../../fixtures/sqs/missing-message-id.json");
