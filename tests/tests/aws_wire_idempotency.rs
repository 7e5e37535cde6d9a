//! AWS wire tests of `Idempotency-Key`s and exact numbers: the real DynamoDB and SNS
//! adapters against moto. The conditional writes with `ReturnValuesOnConditionCheckFailure
//! = ALL_OLD` (records and dedupe markers), the dedupe table's TTL attribute, and numbers
//! that read back from DynamoDB with their value and significant digits.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use private_ingest_core::dynamodb_number::canonical;
use private_ingest_core::{
    parse_message_str, plan, Action, Envelope, NotificationContent, RandomValue,
};
use private_ingest_handler::store::dynamodb::item_to_record;
use private_ingest_handler::{
    fixed_clock, fixed_random, handle_batch, Claim, Claimed, DedupeStore, Deps, DynamoDbDedupe,
    DynamoDbStore, MarkerStatus, PutIfAbsent, RecordStore, SnsNotifier,
};
use private_ingest_testkit::aws_resources::{
    create_dedupe_table, create_record_table, get_item, scan_items, TopicTap, DEDUPE_TTL_ATTRIBUTE,
};
use private_ingest_testkit::moto::MotoServer;
use private_ingest_testkit::sqs::{event, failed_ids, keyed_record};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const TABLE: &str = "private-ingest-records";
const DEDUPE_TABLE: &str = "private-ingest-records-idempotency";
const TOPIC: &str = "private-ingest-notifications";
const NOW_MS: i64 = 1_700_000_500_000;
const STORE_BODY: &str = r#"{"Insert":"DynamoDB","data":{"v":1}}"#;
const NOTIFY_BODY: &str = r#"{"Insert":"Dynamoooo"}"#;

struct Wire {
    _moto: MotoServer,
    config: SdkConfig,
    tap: TopicTap,
}

async fn wire() -> Wire {
    let moto = MotoServer::start();
    let config = moto.sdk_config().await;
    create_record_table(&config, TABLE).await;
    create_dedupe_table(&config, DEDUPE_TABLE).await;
    let tap = TopicTap::create(&config, TOPIC).await;
    Wire {
        _moto: moto,
        config,
        tap,
    }
}

impl Wire {
    fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.config)
    }

    fn deps(&self) -> Deps<DynamoDbStore, SnsNotifier, DynamoDbDedupe> {
        Deps {
            store: DynamoDbStore::new(self.dynamodb(), TABLE),
            notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&self.config), &self.tap.topic_arn),
            dedupe: DynamoDbDedupe::new(self.dynamodb(), DEDUPE_TABLE),
            clock: fixed_clock(NOW_MS),
            random: fixed_random(RandomValue::new(42).unwrap()),
            concurrency: 4,
            notification_content: NotificationContent::IdsOnly,
            in_progress_expiry: Duration::from_secs(30),
            rules: None,
        }
    }
}

fn claim(message_id: &str, digest: &str, now_ms: i64) -> Claim {
    Claim::new("k", digest, message_id, now_ms, Duration::from_secs(30))
}

#[tokio::test]
async fn a_keyed_retry_is_stored_once_and_another_body_is_rejected_on_the_wire() {
    let wire = wire().await;
    let deps = wire.deps();

    // WHEN the first message, its retry (same body) and a reuse (another body) arrive
    let first = handle_batch(
        &deps,
        event(vec![keyed_record("m-1", STORE_BODY, "order-1")]),
    )
    .await
    .unwrap();
    let retry = handle_batch(
        &deps,
        event(vec![keyed_record("m-2", STORE_BODY, "order-1")]),
    )
    .await
    .unwrap();
    let other = r#"{"Insert":"DynamoDB","data":{"v":2}}"#;
    let reuse = handle_batch(&deps, event(vec![keyed_record("m-3", other, "order-1")]))
        .await
        .unwrap();

    // THEN all three are done, one item exists under the key, written by the first
    for response in [&first, &retry, &reuse] {
        assert!(failed_ids(response).is_empty());
    }
    let items = scan_items(&wire.config, TABLE).await;
    assert_eq!(items.len(), 1);
    let record = item_to_record(&items[0]).unwrap();
    assert_eq!(record.id, "order-1");
    assert_eq!(record.message_id.as_deref(), Some("m-1"));
    assert_eq!(record.data.unwrap()["v"], 1);
    // AND only the reuse was reported, through SNS
    let delivered = wire.tap.take_all().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].attributes["message_id"], "m-3");
    assert_eq!(delivered[0].attributes["kind"], "rejected");
    assert!(
        delivered[0]
            .message
            .contains("Idempotency-Key: \"order-1\" was already used by message m-1"),
        "{}",
        delivered[0].message
    );
}

#[tokio::test]
async fn the_record_put_returns_the_existing_writer_in_the_same_call() {
    let wire = wire().await;
    let store = DynamoDbStore::new(wire.dynamodb(), TABLE);
    let planned = |id: &str| {
        let mut envelope = Envelope::new(id);
        envelope.idempotency_key = Some("k".into());
        match plan(
            STORE_BODY.as_bytes(),
            &envelope,
            RandomValue::new(1).unwrap(),
            NOW_MS,
            NotificationContent::IdsOnly,
        )
        .unwrap()
        {
            Action::Store(record) => record,
            other => panic!("{other:?}"),
        }
    };
    let first = planned("m-1");
    assert_eq!(
        store.put_if_absent(&first).await.unwrap(),
        PutIfAbsent::Stored
    );
    let PutIfAbsent::Exists(existing) = store.put_if_absent(&planned("m-2")).await.unwrap() else {
        panic!("the condition fails")
    };
    assert_eq!(existing.message_id.as_deref(), Some("m-1"));
    assert_eq!(existing.body_sha256, first.body_sha256);
}

#[tokio::test]
async fn a_keyed_notification_is_published_once_and_its_marker_expires_by_ttl() {
    let wire = wire().await;
    let deps = wire.deps();

    for id in ["m-1", "m-2"] {
        let response = handle_batch(&deps, event(vec![keyed_record(id, NOTIFY_BODY, "alert-1")]))
            .await
            .unwrap();
        assert!(failed_ids(&response).is_empty());
    }

    let delivered = wire.tap.take_all().await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(delivered[0].attributes["message_id"], "m-1");
    let marker = get_item(&wire.config, DEDUPE_TABLE, "alert-1")
        .await
        .unwrap();
    assert_eq!(marker["status"], AttributeValue::S("COMPLETED".into()));
    assert_eq!(marker["message_id"], AttributeValue::S("m-1".into()));
    // The TTL attribute: epoch seconds, 24 hours after the publish.
    assert_eq!(
        marker[DEDUPE_TTL_ATTRIBUTE],
        AttributeValue::N((NOW_MS / 1000 + 86_400).to_string())
    );
    let ttl = wire
        .dynamodb()
        .describe_time_to_live()
        .table_name(DEDUPE_TABLE)
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some(DEDUPE_TTL_ATTRIBUTE));
}

#[tokio::test]
async fn claims_complete_and_release_are_conditional_on_the_wire() {
    let wire = wire().await;
    let d = DynamoDbDedupe::new(wire.dynamodb(), DEDUPE_TABLE);

    // A claim holds the key, and a second claim gets the marker back in the same call.
    assert_eq!(
        d.claim(&claim("m-1", "a", NOW_MS)).await.unwrap(),
        Claimed::Claimed
    );
    let Claimed::Held(held) = d.claim(&claim("m-2", "b", NOW_MS + 1)).await.unwrap() else {
        panic!("held")
    };
    assert_eq!(
        (
            held.status,
            held.message_id.as_str(),
            held.body_sha256.as_str()
        ),
        (MarkerStatus::InProgress, "m-1", "a")
    );
    // Only the claimant completes or releases it.
    assert!(!d.complete("k", "m-2", NOW_MS + 86_400_000).await.unwrap());
    d.release("k", "m-2").await.unwrap();
    assert!(get_item(&wire.config, DEDUPE_TABLE, "k").await.is_some());
    // Past in_progress_until a retry takes it over; the first can then no longer complete.
    assert_eq!(
        d.claim(&claim("m-2", "a", NOW_MS + 30_001)).await.unwrap(),
        Claimed::Claimed
    );
    assert!(!d.complete("k", "m-1", NOW_MS + 86_400_000).await.unwrap());
    assert!(d.complete("k", "m-2", NOW_MS + 86_400_000).await.unwrap());
    let Claimed::Held(done) = d.claim(&claim("m-3", "a", NOW_MS + 60_000)).await.unwrap() else {
        panic!("held")
    };
    assert_eq!(done.status, MarkerStatus::Completed);
    // A release removes only an in-progress marker of its claimant.
    d.release("k", "m-2").await.unwrap();
    assert!(get_item(&wire.config, DEDUPE_TABLE, "k").await.is_some());
    // Past expires_at (before TTL has deleted it) the key is free again.
    assert_eq!(
        d.claim(&claim("m-4", "a", NOW_MS + 86_400_000 + 1_000))
            .await
            .unwrap(),
        Claimed::Claimed
    );
}

/// A JSON number's text: any sign, up to 45 digits around an optional point, an optional
/// exponent of either spelling. (The same shape as core/tests/properties.rs: this one
/// goes through DynamoDB.)
fn number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "(0|[1-9][0-9]{0,30})",
        prop::option::of("[0-9]{1,15}"),
        prop::option::of(("[eE]", "[+-]?", 0u32..140)),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let sign = if negative { "-" } else { "" };
            let frac = frac.map_or_else(String::new, |f| format!(".{f}"));
            let exp = exp.map_or_else(String::new, |(e, s, n)| format!("{e}{s}{n}"));
            format!("{sign}{int}{frac}{exp}")
        })
}

/// Any number the core accepts reads back from DynamoDB with the same value and the same
/// significant digits (DynamoDB may spell it otherwise: `1.50` as `1.5`).
#[test]
fn any_accepted_number_reads_back_from_dynamodb_with_its_value_and_digits() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let wire = runtime.block_on(wire());
    let store = DynamoDbStore::new(wire.dynamodb(), TABLE);
    let mut runner = TestRunner::new(Config::with_cases(96));
    let accepted = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&number_text(), |text| {
            let body = format!(r#"{{"Insert":"DynamoDB","data":{{"n":{text}}}}}"#);
            if parse_message_str(&body).is_err() {
                return Ok(());
            }
            let n = accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let id = format!("n-{n}");
            let Action::Store(record) = plan(
                body.as_bytes(),
                &Envelope::new(&id),
                RandomValue::new(1).unwrap(),
                NOW_MS,
                NotificationContent::IdsOnly,
            )
            .unwrap() else {
                panic!("a store body")
            };
            let back = runtime.block_on(async {
                assert_eq!(
                    store.put_if_absent(&record).await.unwrap(),
                    PutIfAbsent::Stored
                );
                get_item(&wire.config, TABLE, &id).await.unwrap()
            });
            let read = item_to_record(&back).unwrap().data.unwrap()["n"].to_string();
            prop_assert_eq!(
                canonical(&read),
                canonical(&text),
                "sent {}, read {}",
                text,
                read
            );
            Ok(())
        })
        .unwrap();
    let accepted = accepted.into_inner();
    assert!(
        accepted >= 30,
        "only {accepted} of the numbers were accepted"
    );
}
