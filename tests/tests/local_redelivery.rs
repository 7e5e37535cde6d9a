//! Redelivery and dead-lettering on the local stack, with failures injected into its
//! store and notifier by the testing-only flags (`--fail-first-attempts`).

use std::time::{Duration, Instant};

use private_ingest_testkit::local_stack::LocalStack;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

/// Lines of the stack's log that report `id` as failed and due for redelivery.
fn failure_lines(log: &str, id: &str) -> usize {
    log.lines()
        .filter(|l| l.contains("it reappears after the visibility timeout") && l.contains(id))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_message_is_redelivered_after_the_visibility_timeout_and_processed_once() {
    // GIVEN a stack whose store and notifier fail the first attempt at every message
    let (stack, _data) =
        LocalStack::start_fresh(&["--fail-first-attempts", "1", "--visibility-timeout", "1"]);
    let api = stack.api();

    // WHEN one message of each route is sent
    let sent_at = Instant::now();
    let stored = api.send_ok(r#"{"Insert":"DynamoDB","data":{"n":1}}"#).await;
    let notified = api.send_ok(r#"{"Insert":"Dynamoooo"}"#).await;

    // THEN both are done on their second receive, after the visibility timeout
    let record = api.wait_for_record(&stored, WAIT).await;
    assert_eq!(record["data"], json!({"n": 1}));
    let notification = api.wait_for_notification(&notified, WAIT).await;
    assert_eq!(notification["kind"], "notify");
    assert!(
        sent_at.elapsed() >= Duration::from_secs(1),
        "nothing can succeed before the 1 s visibility timeout ends"
    );
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(health["records"], 1, "{health}");
    assert_eq!(health["notifications"], 1, "{health}");
    assert_eq!(health["queue"]["dead_letters"], 0, "{health}");
    let log = stack.log();
    assert_eq!(failure_lines(&log, &stored), 1, "{log}");
    assert_eq!(failure_lines(&log, &notified), 1, "{log}");
    assert!(log.contains("TESTING fault injection is ON"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_keeps_failing_is_dead_lettered_after_max_receive_count() {
    // GIVEN a stack whose store always fails, with a redrive after 2 receives
    let (stack, _data) = LocalStack::start_fresh(&[
        "--fail-first-attempts",
        "1000",
        "--max-receive-count",
        "2",
        "--visibility-timeout",
        "1",
    ]);
    let api = stack.api();
    let body = r#"{"Insert":"DynamoDB","data":{"poison":true}}"#;

    // WHEN a message is sent
    let (status, sent) = api.send(body).await;
    assert_eq!(status, 200);
    let id = sent["messageId"].as_str().unwrap().to_owned();

    // THEN it is received twice, then moved to the dead letters as it was queued
    let dead = api
        .wait_for("dead letter", WAIT, |api| {
            let id = id.clone();
            async move {
                let (_, json) = api.get("/dead-letters").await;
                json["dead_letters"]
                    .as_array()?
                    .iter()
                    .find(|d| d["message_id"] == id.as_str())
                    .cloned()
            }
        })
        .await;
    assert_eq!(dead["body"], body);
    assert_eq!(dead["receive_count"], 2);
    assert_eq!(dead["attributes"]["requestId"], sent["requestId"]);
    assert_eq!(dead["attributes"]["sourceVpce"], "local");
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(health["queue"]["dead_letters"], 1, "{health}");
    assert_eq!(health["records"], 0, "{health}");
    let (status, _) = api.get(&format!("/messages/{id}")).await;
    assert_eq!(status, 404);
    let log = stack.log();
    assert_eq!(
        failure_lines(&log, &id),
        2,
        "one failure per receive:\n{log}"
    );
    assert!(log.contains("moved to the dead-letter table"), "{log}");
}
