//! `POST /dead-letters/redrive` on the real local stack, as a client other than the CLI
//! would call it: the same hardening as every route (the `Host` check, the contract's
//! JSON for each refusal, a bounded body), and only a JSON request moves anything, so a
//! web page cannot redrive through a browser on this host.

use std::time::Duration;

use private_ingest_testkit::local_stack::LocalStack;
use private_ingest_testkit::raw_http;

const LIMIT: Duration = Duration::from_secs(10);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_json_request_from_an_allowed_host_moves_dead_letters() {
    // GIVEN two dead letters
    let (stack, _data) = LocalStack::start_fresh(&[
        "--fail-first-attempts",
        "100",
        "--max-receive-count",
        "1",
        "--visibility-timeout",
        "1",
    ]);
    let api = stack.api();
    let first = api.send_ok(r#"{"Insert":"DynamoDB"}"#).await;
    api.send_ok(r#"{"Insert":"x"}"#).await;
    api.wait_for("two dead letters", LIMIT, |api| async move {
        (api.list_all("/dead-letters", "dead_letters").await.len() == 2).then_some(())
    })
    .await;
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
