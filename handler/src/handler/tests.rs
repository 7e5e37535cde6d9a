//! Handler tests with the in-memory ports: every row of ARCHITECTURE.md's "What happens
//! to every message" table, then batches that mix them; messages with an
//! `Idempotency-Key` in [`keyed`]; messages routed by routing rules in [`routed`].

mod keyed;
mod routed;

use std::time::Duration;

use private_ingest_core::{plan, Action, Envelope, NotificationKind, RandomValue, Route};
use private_ingest_testkit::fixtures::{
    MISSING_ID_EVENT, MIXED_EVENT, MIXED_IDS, STORE_EVENT, STORE_ID,
};
use private_ingest_testkit::sqs::{
    event, event_from_json as fixture, failed_ids, record as sqs_record, SENT_TIMESTAMP_MS,
};
use serde_json::json;

use super::*;
use crate::clock::fixed_clock;
use crate::dedupe::memory::MemoryDedupe;
use crate::notify::memory::MemoryNotifier;
use crate::random::fixed_random;
use crate::store::memory::MemoryStore;

const NOW_MS: i64 = 1_700_000_100_000;
const STORE_BODY: &str = r#"{"Insert":"DynamoDB","data":{"k":"v"}}"#;
const NOTIFY_BODY: &str = r#"{"Insert":"Dynamoooo"}"#;
const POISON_BODY: &str = r#"{"Insert": 5, "x": 1"#;
const INVALID_BODY: &str = r#"{"Insert": 5, "x": 1}"#;

type MemoryDeps = Deps<MemoryStore, MemoryNotifier, MemoryDedupe>;

/// How long a dedupe claim holds its key in these tests.
const IN_PROGRESS: Duration = Duration::from_secs(30);

fn random(value: u8) -> RandomSource {
    fixed_random(RandomValue::new(value).unwrap())
}

fn deps_with(store: MemoryStore, notifier: MemoryNotifier) -> MemoryDeps {
    Deps {
        store,
        notifier,
        dedupe: MemoryDedupe::new(),
        clock: fixed_clock(NOW_MS),
        random: random(42),
        concurrency: 4,
        notification_content: NotificationContent::WithCallerData,
        in_progress_expiry: IN_PROGRESS,
        rules: None,
    }
}

fn deps() -> MemoryDeps {
    deps_with(MemoryStore::new(), MemoryNotifier::new())
}

/// What the core says the message should become, to compare the side effect against.
fn planned(id: &str, body: &str) -> Action {
    planned_with(id, body, NotificationContent::WithCallerData)
}

fn planned_with(id: &str, body: &str, content: NotificationContent) -> Action {
    let mut envelope = Envelope::new(id);
    envelope.received_at_ms = Some(SENT_TIMESTAMP_MS);
    plan(
        body.as_bytes(),
        &envelope,
        RandomValue::new(42).unwrap(),
        NOW_MS,
        content,
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
    let response = handle_batch(&deps, fixture(STORE_EVENT)).await.unwrap();
    assert!(failed_ids(&response).is_empty());
    let stored = deps.store.get(STORE_ID).unwrap();
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
        clock: fixed_clock(NOW_MS + 60_000),
        random: random(7),
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
    assert_eq!(published[0].kind, NotificationKind::Notify);
    assert!(deps.store.records().is_empty());
}

#[tokio::test]
async fn by_default_a_notification_carries_ids_route_and_reason_only() {
    let deps = Deps {
        notification_content: NotificationContent::IdsOnly,
        ..deps()
    };
    let body = r#"{"Insert":"Dynamoooo","data":{"card":"4111"}}"#;
    let response = handle_batch(&deps, event(vec![sqs_record("m-2", body)]))
        .await
        .unwrap();
    assert!(failed_ids(&response).is_empty());
    let Action::Notify(expected) = planned_with("m-2", body, NotificationContent::IdsOnly) else {
        panic!("a notify body plans a notification")
    };
    let published = deps.notifier.published();
    assert_eq!(published, vec![expected]);
    assert_eq!(published[0].route, Some(Route::Notify));
    assert_eq!((&published[0].insert, &published[0].data), (&None, &None));
    assert!(!published[0].text.contains("4111"), "{}", published[0].text);
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
    let result = handle_batch(&deps, fixture(MISSING_ID_EVENT)).await;
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
// (A random value out of 1..=100 cannot be given: the source returns a core RandomValue.)

#[tokio::test]
async fn an_unformattable_clock_is_an_item_failure() {
    let deps = Deps {
        clock: fixed_clock(i64::MAX),
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
        MemoryStore::new().failing_for(MIXED_IDS[4]),
        MemoryNotifier::new(),
    );
    // WHEN the fixture batch runs: store, notify, poison, invalid, store
    let response = handle_batch(&deps, fixture(MIXED_EVENT)).await.unwrap();
    // THEN only the failing store is reported; the others had their one side effect
    assert_eq!(failed_ids(&response), [MIXED_IDS[4]]);
    let ids: Vec<_> = deps.store.records().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, [MIXED_IDS[0]]);
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
            (MIXED_IDS[1].into(), NotificationKind::Notify),
            (MIXED_IDS[2].into(), NotificationKind::Rejected),
            (MIXED_IDS[3].into(), NotificationKind::Rejected),
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
