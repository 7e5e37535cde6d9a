//! The local stack end to end with `Idempotency-Key`s, against the real binary: a client's
//! retry makes one record (at `GET /messages/{key}`) or one notification, a reused key with
//! another body overwrites nothing and is reported, a bad key is a 400 naming the header,
//! and numbers reach the record and the notification as they were sent.

use std::time::Duration;

use private_ingest_testkit::local_stack::{Api, LocalStack};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(15);

async fn send_ok(api: &Api, body: &str, key: &str) -> Value {
    let (status, answer) = api.send_keyed(body, key).await;
    assert_eq!(status, 200, "{body} with key {key}: {answer}");
    assert_eq!(
        answer["recordId"], key,
        "the 200 names the record: {answer}"
    );
    answer
}

async fn notifications(api: &Api) -> Vec<Value> {
    let (_, list) = api.get("/notifications?limit=1000").await;
    list["notifications"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_posts_with_one_key_make_one_record_at_the_key() {
    let (stack, _dir) = LocalStack::start_fresh(&[]);
    let api = stack.api();
    let body = r#"{"Insert":"DynamoDB","data":{"order":42}}"#;

    // WHEN the client sends, times out, and sends the same request again
    let first = send_ok(&api, body, "order-42").await;
    let second = send_ok(&api, body, "order-42").await;
    assert_ne!(
        first["messageId"], second["messageId"],
        "two queue messages"
    );

    // THEN both are processed and there is one record, at GET /messages/{key}, from the first
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(health["records"], 1, "{health}");
    let (status, record) = api.get("/messages/order-42").await;
    assert_eq!(status, 200);
    assert_eq!(record["id"], "order-42");
    assert_eq!(record["message_id"], first["messageId"]);
    assert_eq!(record["data"], json!({"order": 42}));
    let (status, _) = api
        .get(&format!(
            "/messages/{}",
            second["messageId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 404, "no second record under the retry's message id");
    assert_eq!(health["queue"]["dead_letters"], 0, "{health}");
    assert!(notifications(&api).await.is_empty(), "a retry is no error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_posts_with_one_key_make_one_notification() {
    let (stack, _dir) = LocalStack::start_fresh(&[]);
    let api = stack.api();
    let body = r#"{"Insert":"Dynamoooo"}"#;

    let first = send_ok(&api, body, "alert-1").await;
    send_ok(&api, body, "alert-1").await;

    let health = api.wait_until_drained(WAIT).await;
    let sent = notifications(&api).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["message_id"], first["messageId"]);
    assert_eq!(sent[0]["idempotency_key"], "alert-1");
    assert_eq!(health["dedupe_markers"], 1, "{health}");
    assert_eq!(health["queue"]["dead_letters"], 0, "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_with_another_body_is_reported_and_overwrites_nothing() {
    let (stack, _dir) = LocalStack::start_fresh(&[]);
    let api = stack.api();
    let first = send_ok(&api, r#"{"Insert":"DynamoDB","data":{"v":1}}"#, "k-1").await;
    api.wait_for_record("k-1", WAIT).await;

    let second = send_ok(&api, r#"{"Insert":"DynamoDB","data":{"v":2}}"#, "k-1").await;
    let id = second["messageId"].as_str().unwrap();
    let alert = api.wait_for_notification(id, WAIT).await;

    assert_eq!(alert["kind"], "rejected");
    assert_eq!(alert["route"], "store");
    assert!(
        alert["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("Idempotency-Key: \"k-1\" was already used by message"),
        "{alert}"
    );
    let (_, record) = api.get("/messages/k-1").await;
    assert_eq!(record["data"], json!({"v": 1}), "the first record is kept");
    assert_eq!(record["message_id"], first["messageId"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_is_a_400_naming_the_header_and_nothing_is_queued() {
    let (stack, _dir) = LocalStack::start_fresh(&[]);
    let api = stack.api();
    for (key, reason) in [
        ("order 42", "character \" \" at position 6 is not allowed"),
        (&"k".repeat(129) as &str, "is 129 characters long"),
    ] {
        let (status, answer) = api.send_keyed(r#"{"Insert":"DynamoDB"}"#, key).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["message"], "Invalid request body");
        let line = answer["errors"][0].as_str().unwrap();
        assert!(line.starts_with("Idempotency-Key: "), "{line}");
        assert!(line.contains(reason), "{line}");
    }
    let (_, health) = api.get("/healthz").await;
    assert_eq!(health["queue"]["visible"], 0, "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_reach_the_record_and_the_notification_as_they_were_sent() {
    // The values issue 11 found altered after a 200.
    let (stack, _dir) = LocalStack::start_fresh(&["--notification-includes-data"]);
    let api = stack.api();
    let data = r#"{"a":12345678901234567890123456789012345678,"b":18446744073709551616,"c":123456789.123456789123,"d":1.50}"#;

    let stored = send_ok(
        &api,
        &format!(r#"{{"Insert":"DynamoDB","data":{data}}}"#),
        "n-1",
    )
    .await;
    let notified = send_ok(&api, &format!(r#"{{"Insert":"x","data":{data}}}"#), "n-2").await;

    api.wait_for_record("n-1", WAIT).await;
    let response = reqwest::get(api.url("/messages/n-1")).await.unwrap();
    let text = response.text().await.unwrap();
    assert!(text.contains(&format!(r#""data":{data}"#)), "{text}");
    let notification = api
        .wait_for_notification(notified["messageId"].as_str().unwrap(), WAIT)
        .await;
    let response = reqwest::get(api.url("/notifications")).await.unwrap();
    let list = response.text().await.unwrap();
    assert!(list.contains(&format!(r#""data":{data}"#)), "{list}");
    let text = notification["text"].as_str().unwrap();
    for digits in [
        "12345678901234567890123456789012345678",
        "123456789.123456789123",
        "1.50",
    ] {
        assert!(text.contains(digits), "{digits} in {text}");
    }
    assert_ne!(stored["messageId"], notified["messageId"]);

    // AND what DynamoDB cannot store exactly is refused with its path, never stored altered
    let (status, answer) = api
        .send(r#"{"Insert":"DynamoDB","data":{"tiny":1e-999,"long":1234567890123456789012345678901234567890}}"#)
        .await;
    assert_eq!(status, 400, "{answer}");
    let errors = answer["errors"].as_array().unwrap();
    assert!(errors[0]
        .as_str()
        .unwrap()
        .starts_with("/data/long: number "));
    assert!(errors[1]
        .as_str()
        .unwrap()
        .starts_with("/data/tiny: number 1e-999 is outside"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_key_in_the_body_is_a_400_with_its_path() {
    let (stack, _dir) = LocalStack::start_fresh(&[]);
    let (status, answer) = stack
        .api()
        .send(r#"{"Insert":"DynamoDB","data":{"a":1,"a":2}}"#)
        .await;
    assert_eq!(status, 400);
    assert_eq!(answer["errors"], json!(["/data: duplicate key \"a\""]));
}
