//! Handler tests with the in-memory ports: every row of DESIGN.md's "What happens to
//! every message" table, then batches that mix them.

use std::time::Duration;

use private_ingest_core::{Envelope, NotificationKind};
use serde_json::{json, Value};

use super::*;
use crate::memory::{MemoryNotifier, MemoryStore};

const NOW_MS: i64 = 1_700_000_100_000;
const STORE_BODY: &str = r#"{"Insert":"DynamoDB","data":{"k":"v"}}"#;
const NOTIFY_BODY: &str = r#"{"Insert":"Dynamoooo"}"#;
const POISON_BODY: &str = r#"{"Insert": 5, "x": 1"#;
const INVALID_BODY: &str = r#"{"Insert": 5, "x": 1}"#;

type MemoryDeps = Deps<MemoryStore, MemoryNotifier>;

fn deps_with(store: MemoryStore, notifier: MemoryNotifier) -> MemoryDeps {
    Deps {
        store,
        notifier,
        clock: Arc::new(|| NOW_MS),
        random: Arc::new(|| 42),
        concurrency: 4,
    }
}

fn deps() -> MemoryDeps {
    deps_with(MemoryStore::new(), MemoryNotifier::new())
}

/// One record in the shape SQS gives Lambda.
fn sqs_record(id: &str, body: &str) -> Value {
    json!({
        "messageId": id,
        "receiptHandle": format!("receipt-{id}"),
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:q",
        "awsRegion": "eu-central-1"
    })
}

fn event(records: Vec<Value>) -> SqsEvent {
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn fixture(json: &str) -> SqsEvent {
    serde_json::from_str(json).unwrap()
}

fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

/// What the core says the message should become, to compare the side effect against.
fn planned(id: &str, body: &str) -> Action {
    let mut envelope = Envelope::new(id);
    envelope.received_at_ms = Some(1_700_000_000_000);
    plan(
        body.as_bytes(),
        &envelope,
        RandomValue::new(42).unwrap(),
        NOW_MS,
    )
    .unwrap()
}

// --- the failure table, row by row -------------------------------------------------------

#[tokio::test]
async fn valid_store_route_message_is_put_and_deleted() {
    let deps = deps();
    let response = handle_batch(&deps, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();
    assert!(failed_ids(&response).is_empty());
    let Action::Store(expected) = planned("m-1", STORE_BODY) else {
        panic!("a store body plans a record")
    };
    assert_eq!(deps.store.records(), vec![expected]);
    let stored = deps.store.get("m-1").unwrap();
    assert_eq!(stored.message, "Random value is 42");
    assert_eq!(
        stored.received_at.as_deref(),
        Some("2023-11-14T22:13:20.000Z")
    );
    assert!(deps.notifier.published().is_empty());
}

#[tokio::test]
async fn attributes_reach_the_record() {
    let deps = deps();
    let response = handle_batch(
        &deps,
        fixture(include_str!(
            "../../../tests/fixtures/sqs/store-message.json"
        )),
    )
    .await
    .unwrap();
    assert!(failed_ids(&response).is_empty());
    let stored = deps
        .store
        .get("059f36b4-87a3-44ab-83d2-661975830a7d")
        .unwrap();
    assert_eq!(
        stored.request_id.as_deref(),
        Some("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
    );
    assert_eq!(
        stored.source_vpce.as_deref(),
        Some("vpce-0123456789abcdef0")
    );
    assert_eq!(
        stored.received_at.as_deref(),
        Some("2023-11-14T22:13:20.123Z")
    );
    assert_eq!(
        stored.data.unwrap()["shipping"],
        json!({"country": "DE", "express": true})
    );
}

#[tokio::test]
async fn redelivered_stored_message_is_a_success_and_keeps_the_first_record() {
    let deps = deps();
    handle_batch(&deps, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();
    let first = deps.store.get("m-1").unwrap();

    let later = Deps {
        clock: Arc::new(|| NOW_MS + 60_000),
        random: Arc::new(|| 7),
        ..deps
    };
    let response = handle_batch(&later, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();

    assert!(failed_ids(&response).is_empty());
    assert_eq!(later.store.attempts(), 2);
    assert_eq!(later.store.records(), vec![first]);
}

#[tokio::test]
async fn valid_notify_route_message_is_published_and_deleted() {
    let deps = deps();
    let response = handle_batch(&deps, event(vec![sqs_record("m-2", NOTIFY_BODY)]))
        .await
        .unwrap();
    assert!(failed_ids(&response).is_empty());
    let Action::Notify(expected) = planned("m-2", NOTIFY_BODY) else {
        panic!("a notify body plans a notification")
    };
    let published = deps.notifier.published();
    assert_eq!(published, vec![expected]);
    assert_eq!(published[0].kind, NotificationKind::NotInserted);
    assert!(deps.store.records().is_empty());
}

#[tokio::test]
async fn notify_publish_failure_is_an_item_failure() {
    let deps = deps_with(MemoryStore::new(), MemoryNotifier::new().failing_for("m-2"));
    let response = handle_batch(&deps, event(vec![sqs_record("m-2", NOTIFY_BODY)]))
        .await
        .unwrap();
    assert_eq!(failed_ids(&response), ["m-2"]);
    assert_eq!(deps.notifier.attempts(), 1);
    assert!(deps.notifier.published().is_empty());
}

#[tokio::test]
async fn invalid_body_gets_a_rejected_alert_and_is_deleted() {
    let deps = deps();
    let response = handle_batch(
        &deps,
        event(vec![
            sqs_record("poison", POISON_BODY),
            sqs_record("invalid", INVALID_BODY),
        ]),
    )
    .await
    .unwrap();
    assert!(failed_ids(&response).is_empty());
    let published = deps.notifier.published();
    assert_eq!(published.len(), 2);
    assert!(published
        .iter()
        .all(|n| n.kind == NotificationKind::Rejected));
    let invalid = published
        .iter()
        .find(|n| n.message_id == "invalid")
        .unwrap();
    assert_eq!(
        invalid.errors,
        [
            "/Insert: expected a string, found number",
            "/x: unknown field; allowed fields are Insert, data"
        ]
    );
    assert!(deps.store.records().is_empty());
}

#[tokio::test]
async fn a_record_without_a_body_is_rejected_not_failed() {
    let deps = deps();
    let mut no_body = sqs_record("no-body", "");
    no_body.as_object_mut().unwrap().remove("body");
    let response = handle_batch(&deps, event(vec![no_body])).await.unwrap();
    assert!(failed_ids(&response).is_empty());
    assert_eq!(
        deps.notifier.published()[0].kind,
        NotificationKind::Rejected
    );
}

#[tokio::test]
async fn rejected_alert_failure_is_an_item_failure() {
    let deps = deps_with(
        MemoryStore::new(),
        MemoryNotifier::new().failing_for("poison"),
    );
    let response = handle_batch(&deps, event(vec![sqs_record("poison", POISON_BODY)]))
        .await
        .unwrap();
    assert_eq!(failed_ids(&response), ["poison"]);
}

#[tokio::test]
async fn store_error_is_an_item_failure_and_the_redelivery_stores_it() {
    let deps = deps();
    deps.store.fail_next(1);
    let response = handle_batch(&deps, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();
    assert_eq!(failed_ids(&response), ["m-1"]);
    assert!(deps.store.records().is_empty());

    // WHEN SQS redelivers it after the outage
    let response = handle_batch(&deps, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();
    assert!(failed_ids(&response).is_empty());
    assert_eq!(deps.store.records().len(), 1);
}

#[tokio::test]
async fn a_record_without_a_message_id_fails_the_whole_invocation_before_any_side_effect() {
    let deps = deps();
    let result = handle_batch(
        &deps,
        fixture(include_str!(
            "../../../tests/fixtures/sqs/missing-message-id.json"
        )),
    )
    .await;
    assert!(matches!(
        result,
        Err(BatchError::MissingMessageId { index: 1 })
    ));
    assert_eq!(deps.store.attempts(), 0);
    assert_eq!(deps.notifier.attempts(), 0);
}

#[tokio::test]
async fn an_empty_message_id_counts_as_missing() {
    let deps = deps();
    let result = handle_batch(&deps, event(vec![sqs_record("", STORE_BODY)])).await;
    assert!(matches!(
        result,
        Err(BatchError::MissingMessageId { index: 0 })
    ));
}

// --- arguments out of domain: a bug in the shell, so retry rather than alert --------------

#[tokio::test]
async fn an_out_of_range_random_value_is_an_item_failure_not_a_rejection() {
    let deps = Deps {
        random: Arc::new(|| 0),
        ..deps()
    };
    let response = handle_batch(&deps, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();
    assert_eq!(failed_ids(&response), ["m-1"]);
    assert_eq!(deps.store.attempts(), 0);
    assert!(deps.notifier.published().is_empty());
}

#[tokio::test]
async fn an_unformattable_clock_is_an_item_failure() {
    let deps = Deps {
        clock: Arc::new(|| i64::MAX),
        ..deps()
    };
    let response = handle_batch(&deps, event(vec![sqs_record("m-2", NOTIFY_BODY)]))
        .await
        .unwrap();
    assert_eq!(failed_ids(&response), ["m-2"]);
    assert_eq!(deps.notifier.attempts(), 0);
}

// --- batches --------------------------------------------------------------------------------

#[tokio::test]
async fn mixed_batch_fails_only_the_failed_items_in_batch_order() {
    // GIVEN a store that fails for the last store-route message
    let deps = deps_with(
        MemoryStore::new().failing_for("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"),
        MemoryNotifier::new(),
    );
    // WHEN the fixture batch runs: store, notify, poison, invalid, store
    let response = handle_batch(
        &deps,
        fixture(include_str!("../../../tests/fixtures/sqs/mixed-batch.json")),
    )
    .await
    .unwrap();
    // THEN only the failing store is reported; the others had their one side effect
    assert_eq!(
        failed_ids(&response),
        ["3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"]
    );
    let ids: Vec<_> = deps.store.records().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["2e1424d4-f796-459a-8184-9c92662be6da"]);
    let mut kinds: Vec<_> = deps
        .notifier
        .published()
        .into_iter()
        .map(|n| (n.message_id, n.kind))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        kinds,
        [
            (
                "a5b2c9e0-1f3d-4c6b-9e8a-0d7f6a5b4c3d".into(),
                NotificationKind::NotInserted
            ),
            (
                "d8f0e7a1-6b5c-4d3e-8f2a-1b0c9d8e7f6a".into(),
                NotificationKind::Rejected
            ),
            (
                "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9".into(),
                NotificationKind::Rejected
            ),
        ]
    );
}

#[tokio::test]
async fn a_poison_message_in_the_middle_does_not_fail_its_neighbours() {
    let deps = deps_with(MemoryStore::new(), MemoryNotifier::new().failing_for("bad"));
    let response = handle_batch(
        &deps,
        event(vec![
            sqs_record("a", STORE_BODY),
            sqs_record("bad", POISON_BODY),
            sqs_record("c", STORE_BODY),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(failed_ids(&response), ["bad"]);
    assert_eq!(deps.store.records().len(), 2);
}

#[tokio::test]
async fn the_same_message_twice_in_one_batch_makes_one_record_and_no_failure() {
    let deps = deps();
    let response = handle_batch(
        &deps,
        event(vec![
            sqs_record("dup", STORE_BODY),
            sqs_record("dup", STORE_BODY),
        ]),
    )
    .await
    .unwrap();
    assert!(failed_ids(&response).is_empty());
    assert_eq!(deps.store.attempts(), 2);
    assert_eq!(deps.store.records().len(), 1);
}

#[tokio::test]
async fn every_record_failing_reports_every_id() {
    let deps = deps();
    deps.store.fail_next(3);
    let ids = ["x", "y", "z"];
    let records = ids.iter().map(|id| sqs_record(id, STORE_BODY)).collect();
    let response = handle_batch(&deps, event(records)).await.unwrap();
    assert_eq!(failed_ids(&response), ids);
}

#[tokio::test]
async fn records_run_concurrently_up_to_the_bound() {
    let deps = Deps {
        concurrency: 3,
        ..deps_with(
            MemoryStore::new().with_delay(Duration::from_millis(20)),
            MemoryNotifier::new(),
        )
    };
    let records = (0..10)
        .map(|i| sqs_record(&format!("m-{i}"), STORE_BODY))
        .collect();
    let response = handle_batch(&deps, event(records)).await.unwrap();
    assert!(failed_ids(&response).is_empty());
    assert_eq!(deps.store.records().len(), 10);
    assert_eq!(deps.store.max_in_flight(), 3);
}

#[tokio::test]
async fn a_concurrency_of_zero_still_processes_one_at_a_time() {
    let deps = Deps {
        concurrency: 0,
        ..deps()
    };
    let records = vec![sqs_record("a", STORE_BODY), sqs_record("b", STORE_BODY)];
    let response = handle_batch(&deps, event(records)).await.unwrap();
    assert!(failed_ids(&response).is_empty());
    assert_eq!(deps.store.max_in_flight(), 1);
    assert_eq!(deps.store.records().len(), 2);
}

#[tokio::test]
async fn an_empty_batch_has_no_failures() {
    let response = handle_batch(&deps(), event(vec![])).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
}

#[tokio::test]
async fn the_response_has_the_shape_lambda_reads() {
    let deps = deps();
    deps.store.fail_next(1);
    let response = handle_batch(&deps, event(vec![sqs_record("m-1", STORE_BODY)]))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]})
    );
}
