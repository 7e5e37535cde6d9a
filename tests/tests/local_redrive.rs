//! `POST /dead-letters/redrive` on the real local stack, as a client other than the CLI
//! would call it: the same hardening as every route (the `Host` check, the contract's
//! JSON for each refusal, a bounded body), and only a JSON request moves anything, so a
//! web page cannot redrive through a browser on this host. And what a redrive is for: a
//! redriven message is keyed by its first message id (`core::contract::
//! redriven_idempotency_key`), so a second copy of it makes no second record or
//! notification.

use std::time::Duration;

use private_ingest_testkit::local_stack::{Api, LocalStack, TempDataDir};
use private_ingest_testkit::raw_http;

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(30);

fn post(
    address: &str,
    host: &str,
    content_type: Option<&str>,
    body: &str,
) -> raw_http::RawResponse {
    let content_type = content_type
        .map(|t| format!("content-type: {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /dead-letters/redrive HTTP/1.1\r\nhost: {host}\r\n{content_type}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_http::exchange(address, request.as_bytes(), LIMIT).expect("an answer")
}

/// The stack's flags for dead letters: every attempt fails, and one receive is all a
/// message gets.
const EVERY_ATTEMPT_FAILS: &[&str] = &[
    "--fail-first-attempts",
    "100",
    "--max-receive-count",
    "1",
    "--visibility-timeout",
    "1",
];

/// Sends each body and waits until all are dead letters; their message ids, in order.
async fn dead_letters_of(api: &Api, bodies: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for body in bodies {
        ids.push(api.send_ok(body).await);
    }
    api.wait_for_dead_letters(bodies.len(), WAIT).await;
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_json_request_from_an_allowed_host_moves_dead_letters() {
    // GIVEN two dead letters
    let (stack, _data) = LocalStack::start_fresh(EVERY_ATTEMPT_FAILS);
    let api = stack.api();
    let ids = dead_letters_of(&api, &[r#"{"Insert":"DynamoDB"}"#, r#"{"Insert":"x"}"#]).await;
    let first = &ids[0];
    let address = stack.address();

    // WHEN it is asked by a page elsewhere, as a form, or with a bad body, THEN nothing moves
    let rebound = post(address, "evil.example", Some("application/json"), "{}");
    assert_eq!(
        rebound.status,
        421,
        "a foreign Host is refused: {}",
        String::from_utf8_lossy(&rebound.body)
    );
    let form = post(
        address,
        address,
        Some("application/x-www-form-urlencoded"),
        "max=1",
    );
    assert_eq!(
        (form.status, form.json()["message"].as_str()),
        (415, Some("Unsupported media type"))
    );
    let bad = post(
        address,
        address,
        Some("application/json"),
        r#"{"max":0,"all":true}"#,
    );
    assert_eq!(bad.status, 400);
    let errors = bad.json()["errors"].clone();
    assert_eq!(
        errors[0], "/all: unknown field; allowed fields are max",
        "{errors}"
    );
    assert_eq!(
        errors[1], "/max: 0 is not a whole number from 1 to 1000",
        "{errors}"
    );
    let big = post(
        address,
        address,
        Some("application/json"),
        &format!("{{\"max\":1{}}}", " ".repeat(4096)),
    );
    assert_eq!(
        big.status,
        400,
        "a body over 1 KiB is refused: {}",
        String::from_utf8_lossy(&big.body)
    );
    assert_eq!(api.list_all("/dead-letters", "dead_letters").await.len(), 2);

    // WHEN a JSON request asks for one, THEN the oldest moves as a new message
    let one = post(address, address, Some("application/json"), r#"{"max":1}"#);
    assert_eq!(one.status, 200, "{}", String::from_utf8_lossy(&one.body));
    let answer = one.json();
    assert_eq!(
        answer["moved"][0]["message_id"],
        first.as_str(),
        "oldest first: {answer}"
    );
    assert_ne!(answer["moved"][0]["redriven_as"], first.as_str());
    assert_eq!(answer["remaining"], 1);
    let rest = post(
        address,
        address,
        Some("application/json; charset=utf-8"),
        "",
    );
    assert_eq!(
        (rest.status, rest.json()["remaining"].as_u64()),
        (200, Some(0)),
        "{}",
        String::from_utf8_lossy(&rest.body)
    );
}

/// The value of the unlabelled counter `name` in a `/metrics` scrape.
async fn counter(stack: &LocalStack, name: &str) -> String {
    let text = reqwest::get(stack.api().url("/metrics"))
        .await
        .expect("GET /metrics")
        .text()
        .await
        .unwrap();
    let prefix = format!("{name} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} in the scrape:\n{text}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redriven_message_is_keyed_by_its_first_id_and_a_second_copy_is_deduped() {
    // GIVEN a store message and a notify message dead-lettered (every attempt failed),
    // and the stack restarted without the failures
    let data = TempDataDir::new();
    let mut stack = LocalStack::start(data.path(), EVERY_ATTEMPT_FAILS);
    let store_body = r#"{"Insert":"DynamoDB","data":{"n":12345678901234567890123456789012345678}}"#;
    let notify_body = r#"{"Insert":"x","data":{"n":1}}"#;
    let ids = dead_letters_of(&stack.api(), &[store_body, notify_body]).await;
    let (store_id, notify_id) = (ids[0].clone(), ids[1].clone());
    stack.terminate(WAIT);
    drop(stack);
    let stack = LocalStack::start(data.path(), &[]);
    let api = stack.api();

    // WHEN both are redriven and processed
    let address = stack.address();
    let redriven = post(address, address, Some("application/json"), "{}");
    assert_eq!(redriven.status, 200);
    let moved = redriven.json()["moved"].clone();
    let redriven_as = |id: &str| {
        moved
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["message_id"] == id)
            .unwrap_or_else(|| panic!("{id} moved: {moved}"))["redriven_as"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (store_as, notify_as) = (redriven_as(&store_id), redriven_as(&notify_id));
    api.wait_until_drained(WAIT).await;

    // THEN the record is keyed by the first message id and names the redriven message,
    // and the notification went out once
    let (status, record) = api.get(&format!("/messages/{store_id}")).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["message_id"], store_as.as_str(), "{record}");
    assert_eq!(
        api.get(&format!("/messages/{store_as}")).await.0,
        404,
        "nothing under the new id"
    );
    api.wait_for_notification(&notify_as, WAIT).await;

    // WHEN a second copy of each arrives: the same body with the same idempotencyKey
    // attribute, what an interrupted receive -> send -> delete redrive sends again
    let (status, again) = api.send_keyed(store_body, &store_id).await;
    assert_eq!(
        (status, &again["recordId"]),
        (200, &serde_json::json!(store_id))
    );
    assert_eq!(api.send_keyed(notify_body, &notify_id).await.0, 200);
    let health = api.wait_until_drained(WAIT).await;

    // THEN no second record and no second notification: the copies were deduped by the
    // key, and counted as such
    assert_eq!(
        (&health["records"], &health["notifications"]),
        (&serde_json::json!(1), &serde_json::json!(1)),
        "{health}"
    );
    let (_, unchanged) = api.get(&format!("/messages/{store_id}")).await;
    assert_eq!(unchanged, record, "the first record, as it was");
    assert_eq!(
        counter(&stack, "private_ingest_already_stored_total").await,
        "1"
    );
    assert_eq!(
        counter(&stack, "private_ingest_already_notified_total").await,
        "1"
    );
    assert_eq!(counter(&stack, "private_ingest_stored_total").await, "1");
    assert_eq!(counter(&stack, "private_ingest_notified_total").await, "1");
}
