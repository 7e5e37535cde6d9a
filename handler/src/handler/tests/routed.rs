//! Messages routed by routing rules (`fixtures/rules/iot-thresholds.json`), with the
//! in-memory ports: one message can make a record and a notification; the notification
//! names the rules that fired; a retry after a partial failure does not repeat the part
//! that succeeded.

use private_ingest_core::{parse_rules, Severity};
use private_ingest_testkit::sqs::keyed_record;

use super::*;
use crate::metrics::BatchMetrics;

const HOT: &str = r#"{"Insert":"iot","data":{"sensor":"s-1","temperature":80.5}}"#;
const MILD: &str = r#"{"Insert":"iot","data":{"sensor":"s-1","temperature":80}}"#;

fn routed(deps: MemoryDeps) -> MemoryDeps {
    let rules = parse_rules(include_str!(
        "../../../../fixtures/rules/iot-thresholds.json"
    ))
    .expect("the IoT rules fixture is valid");
    Deps {
        rules: Some(rules),
        ..deps
    }
}

async fn outcomes(deps: &MemoryDeps, records: Vec<serde_json::Value>) -> BatchOutcomes {
    process_batch(deps, event(records)).await.unwrap()
}

#[tokio::test]
async fn a_reading_over_the_threshold_is_stored_and_notified_naming_the_rule() {
    let deps = routed(deps());
    let done = outcomes(&deps, vec![sqs_record("m-1", HOT)]).await;

    assert_eq!(
        (
            done.messages[0].outcome,
            done.messages[0].notification_outcome
        ),
        (Outcome::Stored, Some(Outcome::Notified))
    );
    assert!(done.response().batch_item_failures.is_empty());
    let record = deps.store.get("m-1").expect("a record");
    assert_eq!(record.data.unwrap()["temperature"].to_string(), "80.5");
    let published = deps.notifier.published();
    assert_eq!(published.len(), 1);
    let n = &published[0];
    assert_eq!(n.rules.len(), 1);
    assert_eq!(
        (n.rules[0].name.as_str(), n.severity),
        ("overheat", Some(Severity::High))
    );
    assert_eq!(n.reason, "Rule \"overheat\" fired (severity high).");
    assert_eq!(n.subject, "Temperature 80.5 at s-1");
    assert!(
        n.text
            .contains("Rules fired:\n  - overheat (high): Above 80 degrees"),
        "{}",
        n.text
    );
    let metrics = BatchMetrics::of(&done, NOW_MS, Duration::ZERO);
    assert_eq!(
        (metrics.stored, metrics.notified, metrics.item_failures),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn a_reading_at_the_threshold_is_only_stored() {
    let deps = routed(deps());
    let done = outcomes(&deps, vec![sqs_record("m-1", MILD)]).await;
    assert_eq!(
        (
            done.messages[0].outcome,
            done.messages[0].notification_outcome
        ),
        (Outcome::Stored, None)
    );
    assert!(deps.store.get("m-1").is_some());
    assert!(deps.notifier.published().is_empty());
}

#[tokio::test]
async fn without_the_callers_content_the_subject_withholds_the_values() {
    let deps = routed(Deps {
        notification_content: NotificationContent::IdsOnly,
        ..deps()
    });
    outcomes(&deps, vec![sqs_record("m-1", HOT)]).await;
    let n = &deps.notifier.published()[0];
    assert_eq!(n.subject, "Temperature (withheld) at (withheld)");
    assert!(!n.text.contains("80.5"), "{}", n.text);
    assert_eq!(
        n.rules[0].name, "overheat",
        "the rule is named all the same"
    );
}

#[tokio::test]
async fn a_failed_notification_fails_the_message_and_the_redelivery_stores_nothing_twice() {
    // GIVEN the notifier fails once
    let deps = routed(deps());
    deps.notifier.fail_next(1);
    // WHEN the reading is delivered
    let first = outcomes(&deps, vec![sqs_record("m-1", HOT)]).await;
    // THEN the record is written, the message fails and goes back to the queue
    assert_eq!(
        (
            first.messages[0].outcome,
            first.messages[0].notification_outcome
        ),
        (Outcome::Stored, Some(Outcome::Failed))
    );
    assert_eq!(failed_ids(&first.response()), ["m-1"]);
    let metrics = BatchMetrics::of(&first, NOW_MS, Duration::ZERO);
    assert_eq!((metrics.stored, metrics.item_failures), (1, 1));
    let record = deps.store.get("m-1").unwrap();
    // WHEN the queue redelivers it (later, another random value)
    let later = Deps {
        clock: fixed_clock(NOW_MS + 60_000),
        random: random(7),
        ..deps
    };
    let second = outcomes(&later, vec![sqs_record("m-1", HOT)]).await;
    // THEN the record is the first one, and the notification is sent once
    assert_eq!(
        (
            second.messages[0].outcome,
            second.messages[0].notification_outcome
        ),
        (Outcome::AlreadyStored, Some(Outcome::Notified))
    );
    assert_eq!(later.store.records(), vec![record]);
    assert_eq!(later.notifier.published().len(), 1);
}

#[tokio::test]
async fn a_failed_put_sends_no_notification_until_the_redelivery() {
    let deps = routed(deps());
    deps.store.fail_next(1);
    let first = outcomes(&deps, vec![sqs_record("m-1", HOT)]).await;
    assert_eq!(
        (
            first.messages[0].outcome,
            first.messages[0].notification_outcome
        ),
        (Outcome::Failed, None)
    );
    assert!(deps.notifier.published().is_empty());
    let second = outcomes(&deps, vec![sqs_record("m-1", HOT)]).await;
    assert!(!second.messages[0].failed());
    assert_eq!(
        (deps.store.records().len(), deps.notifier.published().len()),
        (1, 1)
    );
}

#[tokio::test]
async fn a_keyed_retry_after_both_succeeded_repeats_neither() {
    let deps = routed(deps());
    outcomes(&deps, vec![keyed_record("m-1", HOT, "reading-7")]).await;
    let retry = outcomes(&deps, vec![keyed_record("m-2", HOT, "reading-7")]).await;
    assert_eq!(
        (
            retry.messages[0].outcome,
            retry.messages[0].notification_outcome
        ),
        (Outcome::AlreadyStored, Some(Outcome::AlreadyNotified))
    );
    assert_eq!(
        (deps.store.records().len(), deps.notifier.published().len()),
        (1, 1)
    );
}

#[tokio::test]
async fn a_key_reused_for_another_reading_is_rejected_without_the_rules_alert() {
    let deps = routed(deps());
    outcomes(&deps, vec![keyed_record("m-1", MILD, "reading-8")]).await;
    let reuse = outcomes(&deps, vec![keyed_record("m-2", HOT, "reading-8")]).await;
    assert_eq!(
        (
            reuse.messages[0].outcome,
            reuse.messages[0].notification_outcome
        ),
        (Outcome::Rejected, None)
    );
    let published = deps.notifier.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].kind, NotificationKind::Rejected);
    assert!(published[0].rules.is_empty());
}

#[tokio::test]
async fn an_invalid_body_is_rejected_as_without_rules() {
    let deps = routed(deps());
    let done = outcomes(
        &deps,
        vec![sqs_record("m-1", r#"{"data":{"temperature":99}}"#)],
    )
    .await;
    assert_eq!(done.messages[0].outcome, Outcome::Rejected);
    assert!(deps.store.records().is_empty());
    assert_eq!(
        deps.notifier.published()[0].errors,
        ["/Insert: is required (string)"]
    );
}
