//! Messages with an `Idempotency-Key`, with the in-memory ports: a client's retry with the
//! same body is done once, a reused key with another body is rejected and overwrites
//! nothing, and the notify route's dedupe markers follow the claim / publish / complete
//! rules (crate::dedupe), including what stays at-least-once.

use private_ingest_testkit::sqs::keyed_record;

use super::*;
use crate::dedupe::memory::StoredMarker;
use crate::dedupe::{Marker, MarkerStatus};

const KEY: &str = "order-42:attempt-1";
const OTHER_STORE_BODY: &str = r#"{"Insert":"DynamoDB","data":{"k":"changed"}}"#;
const OTHER_NOTIFY_BODY: &str = r#"{"Insert":"Dynamoooo","data":{"k":"changed"}}"#;

async fn run(deps: &MemoryDeps, records: Vec<serde_json::Value>) -> Vec<String> {
    let response = handle_batch(deps, event(records)).await.unwrap();
    failed_ids(&response)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn marker(status: MarkerStatus, message_id: &str, body: &str) -> StoredMarker {
    StoredMarker {
        marker: Marker {
            status,
            message_id: message_id.into(),
            body_sha256: private_ingest_core::body_sha256(body.as_bytes()),
        },
        in_progress_until_ms: NOW_MS + 30_000,
        expires_at_ms: NOW_MS + 86_400_000,
    }
}

// --- store route ------------------------------------------------------------------------

#[tokio::test]
async fn a_keyed_store_message_is_stored_under_its_key_with_the_first_message_id() {
    let deps = deps();
    assert!(run(&deps, vec![keyed_record("m-1", STORE_BODY, KEY)])
        .await
        .is_empty());
    let record = deps.store.get(KEY).expect("the record is keyed by the key");
    assert_eq!(record.message_id.as_deref(), Some("m-1"));
    assert_eq!(
        record.body_sha256,
        Some(private_ingest_core::body_sha256(STORE_BODY.as_bytes()))
    );
    assert!(deps.store.get("m-1").is_none());
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_is_already_stored_and_keeps_the_first_record() {
    // GIVEN the first message stored
    let deps = deps();
    run(&deps, vec![keyed_record("m-1", STORE_BODY, KEY)]).await;
    let first = deps.store.get(KEY).unwrap();
    // WHEN the client's retry (a new message id, later, another random value) arrives
    let later = Deps {
        clock: fixed_clock(NOW_MS + 60_000),
        random: random(7),
        ..deps
    };
    let failed = run(&later, vec![keyed_record("m-2", STORE_BODY, KEY)]).await;
    // THEN it is deleted as done, and there is still one record: the first
    assert!(failed.is_empty());
    assert_eq!(later.store.records(), vec![first]);
    assert!(later.notifier.published().is_empty());
}

#[tokio::test]
async fn the_same_key_with_another_body_is_rejected_and_overwrites_nothing() {
    let deps = deps();
    run(&deps, vec![keyed_record("m-1", STORE_BODY, KEY)]).await;
    let first = deps.store.get(KEY).unwrap();

    let failed = run(&deps, vec![keyed_record("m-2", OTHER_STORE_BODY, KEY)]).await;

    assert!(
        failed.is_empty(),
        "a rejection is final: deleted after its alert"
    );
    assert_eq!(deps.store.records(), vec![first]);
    let published = deps.notifier.published();
    assert_eq!(published.len(), 1);
    let alert = &published[0];
    assert_eq!(
        (alert.kind, alert.route, alert.message_id.as_str()),
        (NotificationKind::Rejected, Some(Route::Store), "m-2")
    );
    assert!(
        alert.errors[0].starts_with(&format!(
            "Idempotency-Key: \"{KEY}\" was already used by message m-1 for a different body"
        )),
        "{:?}",
        alert.errors
    );
}

#[tokio::test]
async fn a_message_whose_id_was_taken_as_another_request_s_key_is_rejected_not_lost() {
    // GIVEN a keyed record whose key happens to be the next message's id
    let deps = deps();
    run(&deps, vec![keyed_record("m-1", STORE_BODY, "m-2")]).await;
    // WHEN message m-2, without a key, arrives
    let failed = run(&deps, vec![sqs_record("m-2", OTHER_STORE_BODY)]).await;
    // THEN it is not counted as "already stored" (silently dropped): it is rejected, loudly
    assert!(failed.is_empty());
    let published = deps.notifier.published();
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].subject,
        "private-ingest: message rejected (record id taken)"
    );
    assert_eq!(
        deps.store.get("m-2").unwrap().message_id.as_deref(),
        Some("m-1")
    );
}

#[tokio::test]
async fn a_key_equal_to_an_earlier_message_s_id_names_that_message() {
    // GIVEN a record stored without a key (its id is its message id)
    let deps = deps();
    run(&deps, vec![sqs_record("m-1", STORE_BODY)]).await;
    // WHEN a keyed message uses that id as its key
    let failed = run(&deps, vec![keyed_record("m-2", STORE_BODY, "m-1")]).await;
    // THEN it is rejected, naming the message whose record the key names; nothing changes
    assert!(failed.is_empty());
    let alert = &deps.notifier.published()[0];
    assert!(
        alert.errors[0].starts_with("Idempotency-Key: \"m-1\" was already used by message m-1"),
        "{:?}",
        alert.errors
    );
    assert_eq!(deps.store.get("m-1").unwrap().message_id, None);
}

#[tokio::test]
async fn a_bad_key_rejects_the_message_naming_the_header() {
    let deps = deps();
    let failed = run(&deps, vec![keyed_record("m-1", STORE_BODY, "order 42")]).await;
    assert!(failed.is_empty());
    assert!(deps.store.records().is_empty());
    let alert = &deps.notifier.published()[0];
    assert_eq!(alert.kind, NotificationKind::Rejected);
    assert!(alert.errors[0].starts_with("Idempotency-Key: character \" \" at position 6"));
}

#[tokio::test]
async fn a_failed_clash_alert_is_an_item_failure() {
    let deps = deps_with(MemoryStore::new(), MemoryNotifier::new().failing_for("m-2"));
    run(&deps, vec![keyed_record("m-1", STORE_BODY, KEY)]).await;
    let failed = run(&deps, vec![keyed_record("m-2", OTHER_STORE_BODY, KEY)]).await;
    assert_eq!(failed, ["m-2"]);
}

// --- notify route -----------------------------------------------------------------------

#[tokio::test]
async fn a_keyed_notification_is_published_once_and_its_marker_completed() {
    let deps = deps();
    assert!(run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)])
        .await
        .is_empty());
    let published = deps.notifier.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].idempotency_key.as_deref(), Some(KEY));
    let stored = deps.dedupe.get(KEY).unwrap();
    assert_eq!(stored.marker.status, MarkerStatus::Completed);
    assert_eq!(stored.marker.message_id, "m-1");
    assert_eq!(
        stored.expires_at_ms,
        NOW_MS + 86_400_000,
        "deduplicates for 24 hours from its publish"
    );
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_is_not_notified_again() {
    let deps = deps();
    run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)]).await;
    let failed = run(&deps, vec![keyed_record("m-2", NOTIFY_BODY, KEY)]).await;
    assert!(failed.is_empty(), "the retry counts as handled");
    assert_eq!(deps.notifier.published().len(), 1);
    assert_eq!(deps.notifier.attempts(), 1);
}

#[tokio::test]
async fn two_deliveries_of_one_key_in_one_batch_notify_once_and_both_succeed() {
    let deps = deps();
    let failed = run(
        &deps,
        vec![
            keyed_record("m-1", NOTIFY_BODY, KEY),
            sqs_record("other", NOTIFY_BODY),
            keyed_record("m-2", NOTIFY_BODY, KEY),
        ],
    )
    .await;
    assert!(failed.is_empty(), "{failed:?}");
    let keyed: Vec<_> = deps
        .notifier
        .published()
        .into_iter()
        .filter(|n| n.idempotency_key.is_some())
        .collect();
    assert_eq!(keyed.len(), 1);
    assert_eq!(keyed[0].message_id, "m-1", "the first in batch order");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_rejected_on_the_notify_route() {
    let deps = deps();
    run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)]).await;
    let failed = run(&deps, vec![keyed_record("m-2", OTHER_NOTIFY_BODY, KEY)]).await;
    assert!(failed.is_empty());
    let published = deps.notifier.published();
    assert_eq!(published.len(), 2);
    assert_eq!(
        (published[1].kind, published[1].route),
        (NotificationKind::Rejected, Some(Route::Notify))
    );
    assert!(published[1].errors[0].contains("its notification was already sent"));
    assert_eq!(deps.dedupe.get(KEY).unwrap().marker.message_id, "m-1");
}

#[tokio::test]
async fn a_key_in_progress_elsewhere_is_an_item_failure_and_publishes_nothing() {
    let deps = deps();
    deps.dedupe
        .insert(KEY, marker(MarkerStatus::InProgress, "m-1", NOTIFY_BODY));
    let failed = run(&deps, vec![keyed_record("m-2", NOTIFY_BODY, KEY)]).await;
    assert_eq!(failed, ["m-2"]);
    assert_eq!(deps.notifier.attempts(), 0);
}

#[tokio::test]
async fn an_expired_in_progress_marker_is_taken_over() {
    // GIVEN a marker left by a delivery that crashed before its in_progress_until
    let deps = deps();
    let mut crashed = marker(MarkerStatus::InProgress, "m-1", NOTIFY_BODY);
    crashed.in_progress_until_ms = NOW_MS - 1;
    deps.dedupe.insert(KEY, crashed);
    // WHEN a retry arrives after it
    let failed = run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)]).await;
    // THEN it claims the key and publishes (the at-least-once case after a crash)
    assert!(failed.is_empty());
    assert_eq!(deps.notifier.published().len(), 1);
    assert_eq!(
        deps.dedupe.get(KEY).unwrap().marker.status,
        MarkerStatus::Completed
    );
}

#[tokio::test]
async fn a_completed_marker_past_its_window_no_longer_deduplicates() {
    let deps = deps();
    let mut old = marker(MarkerStatus::Completed, "m-0", NOTIFY_BODY);
    old.expires_at_ms = NOW_MS - 1;
    deps.dedupe.insert(KEY, old);
    assert!(run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)])
        .await
        .is_empty());
    assert_eq!(deps.notifier.published().len(), 1);
}

#[tokio::test]
async fn a_failed_publish_releases_the_key_so_the_redelivery_publishes() {
    let deps = deps();
    deps.notifier.fail_next(1);
    assert_eq!(
        run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)]).await,
        ["m-1"]
    );
    assert_eq!(deps.dedupe.get(KEY), None, "released");
    assert!(run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)])
        .await
        .is_empty());
    assert_eq!(deps.notifier.published().len(), 1);
}

#[tokio::test]
async fn a_failed_claim_is_an_item_failure_before_any_publish() {
    let deps = deps();
    deps.dedupe.fail_next_claims(1);
    assert_eq!(
        run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)]).await,
        ["m-1"]
    );
    assert_eq!(deps.notifier.attempts(), 0);
}

#[tokio::test]
async fn a_failed_complete_after_the_publish_still_counts_the_message_as_notified() {
    // GIVEN the marker cannot be completed after the publish went out
    let deps = deps();
    deps.dedupe.fail_next_completes(1);
    // WHEN the message is handled
    let failed = run(&deps, vec![keyed_record("m-1", NOTIFY_BODY, KEY)]).await;
    // THEN it is done (published: retrying it would only publish again)...
    assert!(failed.is_empty());
    assert_eq!(deps.notifier.published().len(), 1);
    let left = deps.dedupe.get(KEY).unwrap();
    assert_eq!(left.marker.status, MarkerStatus::InProgress);
    // ...a retry within in_progress_until waits...
    assert_eq!(
        run(&deps, vec![keyed_record("m-2", NOTIFY_BODY, KEY)]).await,
        ["m-2"]
    );
    // ...and one after it publishes again: what stays at-least-once.
    let later = Deps {
        clock: fixed_clock(left.in_progress_until_ms + 1),
        ..deps
    };
    assert!(run(&later, vec![keyed_record("m-2", NOTIFY_BODY, KEY)])
        .await
        .is_empty());
    assert_eq!(later.notifier.published().len(), 2);
}

#[tokio::test]
async fn an_invalid_body_with_a_valid_key_is_rejected_without_a_marker() {
    let deps = deps();
    assert!(run(&deps, vec![keyed_record("m-1", INVALID_BODY, KEY)])
        .await
        .is_empty());
    assert_eq!(
        deps.notifier.published()[0].kind,
        NotificationKind::Rejected
    );
    assert_eq!(deps.dedupe.get(KEY), None);
}

#[tokio::test]
async fn a_key_completed_while_this_delivery_waits_is_already_notified() {
    // GIVEN another delivery holds the key in progress, and completes it 100 ms later
    let deps = std::sync::Arc::new(deps());
    deps.dedupe
        .insert(KEY, marker(MarkerStatus::InProgress, "m-1", NOTIFY_BODY));
    let completer = {
        let deps = std::sync::Arc::clone(&deps);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            deps.dedupe.complete(KEY, "m-1", NOW_MS + 1).await.unwrap()
        })
    };
    // WHEN the retry arrives meanwhile
    let failed = run(&deps, vec![keyed_record("m-2", NOTIFY_BODY, KEY)]).await;
    // THEN it looks again, finds it completed, and is done without an item failure
    assert!(completer.await.unwrap());
    assert!(failed.is_empty());
    assert_eq!(deps.notifier.attempts(), 0);
}
