//! AWS wire tests: `handle_batch` with the real DynamoDB and SNS adapters against moto
//! (the AWS wire protocol on loopback), on SQS events in the shape AWS documents. What
//! was stored is read back with GetItem/Scan; what was published is read back from an
//! SQS queue subscribed to the topic.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_dynamodb::types::AttributeValue;
use private_ingest_core::limits::MAX_BODY_BYTES;
use private_ingest_core::{plan, Action, Envelope, RandomValue, Record};
use private_ingest_handler::dynamodb::item_to_record;
use private_ingest_handler::{handle_batch, Deps, DynamoDbStore, SnsNotifier};
use private_ingest_tests::aws_resources::{
    create_record_table, get_item, scan_items, Delivered, TopicTap,
};
use private_ingest_tests::moto::MotoServer;
use serde_json::{json, Value};

const TABLE: &str = "private-ingest-records";
const TOPIC: &str = "private-ingest-notifications";
const NOW_MS: i64 = 1_700_000_500_000;

const STORE_EVENT: &str = include_str!("../fixtures/sqs/store-message.json");
const MIXED_EVENT: &str = include_str!("../fixtures/sqs/mixed-batch.json");
const STORE_ID: &str = "059f36b4-87a3-44ab-83d2-661975830a7d";
/// The ids in mixed-batch.json, in order: store, notify, poison, invalid, store.
const MIXED_IDS: [&str; 5] = [
    "2e1424d4-f796-459a-8184-9c92662be6da",
    "a5b2c9e0-1f3d-4c6b-9e8a-0d7f6a5b4c3d",
    "d8f0e7a1-6b5c-4d3e-8f2a-1b0c9d8e7f6a",
    "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9",
    "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
];

/// moto with the records table and the topic (plus its tap) created through the SDK.
struct Stack {
    _moto: MotoServer,
    config: SdkConfig,
    tap: TopicTap,
}

async fn stack() -> Stack {
    let moto = MotoServer::start();
    let config = moto.sdk_config().await;
    create_record_table(&config, TABLE).await;
    let tap = TopicTap::create(&config, TOPIC).await;
    Stack {
        _moto: moto,
        config,
        tap,
    }
}

impl Stack {
    fn deps_for(
        &self,
        table: &str,
        topic_arn: &str,
        now_ms: i64,
        random: u8,
    ) -> Deps<DynamoDbStore, SnsNotifier> {
        Deps {
            store: DynamoDbStore::new(aws_sdk_dynamodb::Client::new(&self.config), table),
            notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&self.config), topic_arn),
            clock: Arc::new(move || now_ms),
            random: Arc::new(move || random),
            concurrency: 4,
        }
    }

    fn deps(&self) -> Deps<DynamoDbStore, SnsNotifier> {
        self.deps_for(TABLE, &self.tap.topic_arn, NOW_MS, 42)
    }
}

fn event(json: &str) -> SqsEvent {
    serde_json::from_str(json).unwrap()
}

fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

/// What the core plans for one record of `event_json`, with the envelope written out
/// from the fixture's raw JSON (not through the handler's own attribute reading).
fn planned(event_json: &str, id: &str, now_ms: i64, random: u8) -> Action {
    let raw: Value = serde_json::from_str(event_json).unwrap();
    let record = raw["Records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["messageId"] == id)
        .unwrap();
    let attribute = |name: &str| {
        record["messageAttributes"][name]["stringValue"]
            .as_str()
            .map(str::to_owned)
    };
    let envelope = Envelope {
        message_id: id.into(),
        received_at_ms: record["attributes"]["SentTimestamp"]
            .as_str()
            .map(|t| t.parse().unwrap()),
        request_id: attribute("requestId"),
        source_vpce: attribute("sourceVpce"),
    };
    let body = record["body"].as_str().unwrap().as_bytes();
    plan(body, &envelope, RandomValue::new(random).unwrap(), now_ms).unwrap()
}

fn planned_record(event_json: &str, id: &str) -> Record {
    match planned(event_json, id, NOW_MS, 42) {
        Action::Store(record) => record,
        other => panic!("{id} should be stored, the core planned {}", other.label()),
    }
}

fn summary(delivered: &[Delivered]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = delivered
        .iter()
        .map(|d| {
            (
                d.attributes["message_id"].clone(),
                d.attributes["kind"].clone(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

#[tokio::test]
async fn a_store_message_becomes_one_item_with_typed_attributes() {
    let stack = stack().await;

    let response = handle_batch(&stack.deps(), event(STORE_EVENT))
        .await
        .unwrap();

    assert!(failed_ids(&response).is_empty());
    let item = get_item(&stack.config, TABLE, STORE_ID)
        .await
        .expect("stored");
    assert_eq!(
        item_to_record(&item).unwrap(),
        planned_record(STORE_EVENT, STORE_ID)
    );
    assert_eq!(item["random_value"], AttributeValue::N("42".into()));
    assert_eq!(
        item["request_id"],
        AttributeValue::S("c6af9ac6-7b61-11e6-9a41-93e8deadbeef".into())
    );
    let AttributeValue::M(data) = &item["data"] else {
        panic!("data is stored as a map: {:?}", item["data"])
    };
    assert_eq!(data["quantity"], AttributeValue::N("3".into()));
    assert_eq!(data["price"], AttributeValue::N("19.99".into()));
    assert_eq!(data["gift"], AttributeValue::Bool(false));
    assert_eq!(data["note"], AttributeValue::Null(true));
    assert_eq!(
        data["tags"],
        AttributeValue::L(vec![
            AttributeValue::S("blue".into()),
            AttributeValue::N("7".into()),
            AttributeValue::Bool(true),
        ])
    );
    assert!(
        matches!(&data["shipping"], AttributeValue::M(m) if m["express"] == AttributeValue::Bool(true))
    );
    assert_eq!(stack.tap.take(0).await, []);
}

#[tokio::test]
async fn the_same_event_twice_makes_one_item_and_keeps_the_first() {
    let stack = stack().await;

    let first = handle_batch(&stack.deps(), event(STORE_EVENT))
        .await
        .unwrap();
    // A redelivery is processed later and draws another random value.
    let redelivery = stack.deps_for(TABLE, &stack.tap.topic_arn, NOW_MS + 90_000, 7);
    let second = handle_batch(&redelivery, event(STORE_EVENT)).await.unwrap();

    assert!(failed_ids(&first).is_empty());
    assert!(failed_ids(&second).is_empty());
    let items = scan_items(&stack.config, TABLE).await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        item_to_record(&items[0]).unwrap(),
        planned_record(STORE_EVENT, STORE_ID)
    );
}

#[tokio::test]
async fn a_mixed_batch_stores_notifies_and_alerts_on_the_poison_body() {
    let stack = stack().await;

    let response = handle_batch(&stack.deps(), event(MIXED_EVENT))
        .await
        .unwrap();

    assert!(failed_ids(&response).is_empty());
    let mut stored: Vec<_> = scan_items(&stack.config, TABLE)
        .await
        .iter()
        .map(|item| item_to_record(item).unwrap())
        .collect();
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = vec![
        planned_record(MIXED_EVENT, MIXED_IDS[0]),
        planned_record(MIXED_EVENT, MIXED_IDS[4]),
    ];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(stored, expected);

    let delivered = stack.tap.take(3).await;
    assert_eq!(
        summary(&delivered),
        [
            (MIXED_IDS[1].into(), "not_inserted".into()),
            (MIXED_IDS[2].into(), "rejected".into()),
            (MIXED_IDS[3].into(), "rejected".into()),
        ]
    );
    for d in &delivered {
        let id = &d.attributes["message_id"];
        let Action::Notify(n) = planned(MIXED_EVENT, id, NOW_MS, 42) else {
            panic!("{id} should notify")
        };
        assert_eq!(d.message, n.text, "the SNS Message is the email text");
        assert_eq!(d.subject.as_deref(), Some(n.subject.as_str()));
    }
    let poison = delivered
        .iter()
        .find(|d| d.attributes["message_id"] == MIXED_IDS[2])
        .unwrap();
    assert_eq!(
        poison.subject.as_deref(),
        Some("private-ingest: message rejected (invalid body)")
    );
    assert!(
        poison.message.contains("Errors:\n  - "),
        "{}",
        poison.message
    );
}

#[tokio::test]
async fn a_store_error_on_the_wire_fails_only_the_store_items() {
    let stack = stack().await;
    // GIVEN a table name that does not exist (ResourceNotFoundException: not retried)
    let deps = stack.deps_for("no-such-table", &stack.tap.topic_arn, NOW_MS, 42);

    let response = handle_batch(&deps, event(MIXED_EVENT)).await.unwrap();

    assert_eq!(failed_ids(&response), [MIXED_IDS[0], MIXED_IDS[4]]);
    assert_eq!(scan_items(&stack.config, TABLE).await, []);
    assert_eq!(stack.tap.take(3).await.len(), 3);
}

#[tokio::test]
async fn a_publish_error_on_the_wire_fails_only_the_notify_items() {
    let stack = stack().await;
    let missing_topic = stack.tap.topic_arn.replace(TOPIC, "no-such-topic");
    let deps = stack.deps_for(TABLE, &missing_topic, NOW_MS, 42);

    let response = handle_batch(&deps, event(MIXED_EVENT)).await.unwrap();

    assert_eq!(
        failed_ids(&response),
        [MIXED_IDS[1], MIXED_IDS[2], MIXED_IDS[3]]
    );
    assert_eq!(scan_items(&stack.config, TABLE).await.len(), 2);
    assert_eq!(stack.tap.take(0).await, []);
}

/// The core's size limit is chosen so that the largest accepted body fits both a
/// DynamoDB item (400 KB) and, summarised, an SNS message (256 KB); moto enforces both.
#[tokio::test]
async fn the_largest_accepted_body_fits_an_item_and_a_notification() {
    let stack = stack().await;
    let body_of = |insert: &str| {
        let skeleton = json!({"Insert": insert, "data": {"blob": ""}}).to_string();
        let blob = "x".repeat(MAX_BODY_BYTES - skeleton.len());
        let body = json!({"Insert": insert, "data": {"blob": blob}}).to_string();
        assert_eq!(body.len(), MAX_BODY_BYTES);
        body
    };
    let store_body = body_of("DynamoDB");
    let mut raw: Value = serde_json::from_str(STORE_EVENT).unwrap();
    let template = raw["Records"][0].clone();
    let records: Vec<Value> = [
        ("big-store", store_body.clone()),
        ("big-notify", body_of("Dynamoooo")),
    ]
    .into_iter()
    .map(|(id, body)| {
        let mut r = template.clone();
        r["messageId"] = id.into();
        r["body"] = body.into();
        r
    })
    .collect();
    raw["Records"] = records.into();

    let response = handle_batch(&stack.deps(), serde_json::from_value(raw).unwrap())
        .await
        .unwrap();

    assert!(failed_ids(&response).is_empty(), "{response:?}");
    let item = get_item(&stack.config, TABLE, "big-store").await.unwrap();
    let sent: Value = serde_json::from_str(&store_body).unwrap();
    assert_eq!(
        Value::Object(item_to_record(&item).unwrap().data.unwrap()),
        sent["data"]
    );
    let delivered = stack.tap.take(1).await;
    assert_eq!(
        summary(&delivered),
        [("big-notify".into(), "not_inserted".into())]
    );
}
