//! AWS wire tests: `handle_batch` with the real DynamoDB and SNS adapters against moto
//! (the AWS wire protocol on loopback), on SQS events in the shape AWS documents. What
//! was stored is read back with GetItem/Scan; what was published is read back from an
//! SQS queue subscribed to the topic.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use private_ingest_core::contract::{MAX_BODY_BYTES, REQUEST_ID_ATTRIBUTE, SOURCE_VPCE_ATTRIBUTE};
use private_ingest_core::{plan, Action, Envelope, NotificationContent, RandomValue, Record};
use private_ingest_handler::store::dynamodb::item_to_record;
use private_ingest_handler::{
    fixed_clock, fixed_random, handle_batch, Deps, DynamoDbDedupe, DynamoDbStore, SnsNotifier,
};
use private_ingest_testkit::aws_resources::{
    create_dedupe_table, create_record_table, get_item, scan_items, Delivered, TopicTap,
};
use private_ingest_testkit::fixtures::{MIXED_EVENT, MIXED_IDS, STORE_EVENT, STORE_ID};
use private_ingest_testkit::moto::MotoServer;
use private_ingest_testkit::sqs::{event_from_json as event, failed_ids};
use serde_json::{json, Value};

const TABLE: &str = "private-ingest-records";
const TOPIC: &str = "private-ingest-notifications";
const DEDUPE_TABLE: &str = "private-ingest-records-idempotency";
const NOW_MS: i64 = 1_700_000_500_000;
/// The wire tests publish the caller's content too: the largest notifications SNS takes.
const CONTENT: NotificationContent = NotificationContent::WithCallerData;

type WireDeps = Deps<DynamoDbStore, SnsNotifier, DynamoDbDedupe>;

/// moto with the records and dedupe tables and the topic (plus its tap) created through
/// the SDK.
struct Stack {
    _moto: MotoServer,
    config: SdkConfig,
    tap: TopicTap,
}

async fn stack() -> Stack {
    let moto = MotoServer::start();
    let config = moto.sdk_config().await;
    create_record_table(&config, TABLE).await;
    create_dedupe_table(&config, DEDUPE_TABLE).await;
    let tap = TopicTap::create(&config, TOPIC).await;
    Stack {
        _moto: moto,
        config,
        tap,
    }
}

impl Stack {
    fn deps_for(&self, table: &str, topic_arn: &str, now_ms: i64, random: u8) -> WireDeps {
        let dynamodb = aws_sdk_dynamodb::Client::new(&self.config);
        Deps {
            store: DynamoDbStore::new(dynamodb.clone(), table),
            notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&self.config), topic_arn),
            dedupe: DynamoDbDedupe::new(dynamodb, DEDUPE_TABLE),
            clock: fixed_clock(now_ms),
            random: fixed_random(RandomValue::new(random).unwrap()),
            concurrency: 4,
            notification_content: CONTENT,
            in_progress_expiry: std::time::Duration::from_secs(30),
            rules: None,
        }
    }

    fn deps(&self) -> WireDeps {
        self.deps_for(TABLE, &self.tap.topic_arn, NOW_MS, 42)
    }
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
        request_id: attribute(REQUEST_ID_ATTRIBUTE),
        source_vpce: attribute(SOURCE_VPCE_ATTRIBUTE),
        idempotency_key: None,
    };
    let body = record["body"].as_str().unwrap().as_bytes();
    plan(
        body,
        &envelope,
        RandomValue::new(random).unwrap(),
        now_ms,
        CONTENT,
    )
    .unwrap()
}

fn planned_record(event_json: &str, id: &str) -> Record {
    match planned(event_json, id, NOW_MS, 42) {
        Action::Store(record) => record,
        other => panic!("{id} should be stored, the core planned {other:?}"),
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
    assert_eq!(stack.tap.take_all().await, []);
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

    let delivered = stack.tap.take_all().await;
    assert_eq!(
        summary(&delivered),
        [
            (MIXED_IDS[1].into(), "notify".into()),
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
    assert_eq!(stack.tap.take_all().await.len(), 3);
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
    assert_eq!(stack.tap.take_all().await, []);
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
    let delivered = stack.tap.take_all().await;
    assert_eq!(
        summary(&delivered),
        [("big-notify".into(), "notify".into())]
    );
}

#[tokio::test]
async fn by_default_no_content_of_the_caller_reaches_sns() {
    let stack = stack().await;
    let deps = Deps {
        notification_content: NotificationContent::IdsOnly,
        ..stack.deps()
    };

    let response = handle_batch(&deps, event(MIXED_EVENT)).await.unwrap();

    assert!(failed_ids(&response).is_empty());
    let delivered = stack.tap.take_all().await;
    assert_eq!(delivered.len(), 3);
    let raw: Value = serde_json::from_str(MIXED_EVENT).unwrap();
    for d in &delivered {
        let id = &d.attributes["message_id"];
        assert!(d.message.contains(id.as_str()), "{}", d.message);
        assert!(d.message.contains("withheld"), "{}", d.message);
        let sent = raw["Records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| &r["messageId"] == id)
            .unwrap();
        let text = sent["body"].as_str().unwrap();
        assert!(!d.message.contains(text), "the body in {}", d.message);
        assert!(!d.message.contains("Dynamoooo"), "Insert in {}", d.message);
        let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        for value in body["data"]
            .as_object()
            .into_iter()
            .flat_map(|d| d.values())
        {
            let quoted = value.to_string();
            assert!(!d.message.contains(&quoted), "{quoted} in {}", d.message);
        }
    }
}
