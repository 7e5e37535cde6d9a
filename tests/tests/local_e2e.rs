//! The local stack end to end over HTTP, against the real binary: the original pattern's
//! two requests, the contract's answers for every kind of malformed body, the shared
//! request corpus, and the page.

use std::time::Duration;

use private_ingest_core::contract::MAX_BODY_BYTES;
use private_ingest_testkit::local_stack::{Api, LocalStack, TempDataDir};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(15);

fn start(args: &[&str]) -> (LocalStack, TempDataDir) {
    LocalStack::start_fresh(args)
}

fn is_rfc3339_utc(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_original_store_request_makes_a_record() {
    let (stack, _dir) = start(&[]);
    let api = stack.api();

    let (status, sent) = api.send(r#"{"Insert": "DynamoDB"}"#).await;

    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["message"], "Message sent successfully.");
    let message_id = sent["messageId"].as_str().unwrap();
    let request_id = sent["requestId"].as_str().unwrap();
    assert_eq!((message_id.len(), request_id.len()), (36, 36), "UUIDs");
    let record = api.wait_for_record(message_id, WAIT).await;
    assert_eq!(record["id"], message_id);
    assert_eq!(record["request_id"], request_id);
    assert_eq!(record["source_vpce"], "local");
    let value = record["random_value"].as_u64().unwrap();
    assert!((1..=100).contains(&value), "{record}");
    assert_eq!(record["message"], format!("Random value is {value}"));
    assert!(is_rfc3339_utc(&record["timestamp"]), "{record}");
    assert!(is_rfc3339_utc(&record["received_at"]), "{record}");
    assert!(record.get("data").is_none(), "no data was sent: {record}");
    let (_, notifications) = api.get("/notifications").await;
    assert_eq!(
        notifications["notifications"],
        json!([]),
        "the store route notifies no one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_original_notify_request_makes_a_notification_and_no_record() {
    let (stack, _dir) = start(&["--notification-includes-data"]);
    let api = stack.api();

    let (status, sent) = api
        .send(r#"{"Insert": "Dynamoooo", "data": {"k": [1, 2]}}"#)
        .await;

    assert_eq!(status, 200, "{sent}");
    let message_id = sent["messageId"].as_str().unwrap();
    let n = api.wait_for_notification(message_id, WAIT).await;
    assert_eq!(n["kind"], "notify");
    assert_eq!(n["route"], "notify");
    assert_eq!(n["reason"], "No DynamoDB insertion requested.");
    assert_eq!(
        n["subject"],
        "private-ingest: No DynamoDB insertion requested."
    );
    assert_eq!(n["insert"], "Dynamoooo");
    assert_eq!(n["data"], json!({"k": [1, 2]}));
    assert_eq!(n["request_id"], sent["requestId"]);
    assert!(n["text"].as_str().unwrap().contains(message_id));
    assert!(is_rfc3339_utc(&n["published_at"]));
    let (status, missing) = api.get(&format!("/messages/{message_id}")).await;
    assert_eq!(status, 404, "the notify route stores nothing");
    assert_eq!(missing["message"], "Not found");
    let log_lines = stack
        .log()
        .lines()
        .filter(|l| l.contains("notification published") && l.contains(message_id))
        .count();
    assert_eq!(log_lines, 1, "one log line per notification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_a_notification_carries_ids_route_and_reason_but_not_the_callers_content() {
    let (stack, _dir) = start(&[]);
    let api = stack.api();

    let (status, sent) = api
        .send(r#"{"Insert": "Dynamoooo", "data": {"card": "4111-1111"}}"#)
        .await;

    assert_eq!(status, 200, "{sent}");
    let message_id = sent["messageId"].as_str().unwrap();
    let n = api.wait_for_notification(message_id, WAIT).await;
    assert_eq!(n["kind"], "notify");
    assert_eq!(n["route"], "notify");
    assert_eq!(n["reason"], "No DynamoDB insertion requested.");
    assert_eq!(n["request_id"], sent["requestId"]);
    assert_eq!(n["source_vpce"], "local");
    assert!(n.get("insert").is_none() && n.get("data").is_none(), "{n}");
    let text = n["text"].as_str().unwrap();
    assert!(text.contains(message_id), "{text}");
    assert!(
        !text.contains("4111") && !text.contains("Dynamoooo"),
        "{text}"
    );
}

/// A body nested `depth` levels deep (the top-level object is level 1).
fn nested(depth: usize) -> String {
    let inner = depth - 2; // the top object and `data` itself
    format!(
        r#"{{"Insert":"x","data":{}{}}}"#,
        r#"{"a":"#.repeat(inner) + "{}",
        "}".repeat(inner)
    )
}

/// Sends `body` as JSON and checks the status, the message and the error lines.
async fn expect(api: &Api, what: &str, body: Vec<u8>, status: u16, message: &str, errors: &[&str]) {
    let (got, answer) = api.send(body).await;
    assert_eq!(got, status, "{what}: {answer}");
    assert_eq!(answer["message"], message, "{what}: {answer}");
    let lines: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no errors list in {answer}"))
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(lines.len(), errors.len(), "{what}: {lines:?}");
    for (line, expected) in lines.iter().zip(errors) {
        assert!(
            line.starts_with(expected),
            "{what}: {line:?} does not start with {expected:?}"
        );
    }
}

/// Sends only the headers of a POST declaring `length` body bytes, and reads the answer.
async fn declare_only(stack: &LocalStack, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = stack.base_url().trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /send-message HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_each_get_their_status_and_a_field_level_error() {
    let (stack, _dir) = start(&[]);
    let api = stack.api();
    let invalid = "Invalid request body";
    let b = |s: &str| s.as_bytes().to_vec();

    expect(
        &api,
        "not JSON",
        b("hello"),
        400,
        invalid,
        &["/: body is not valid JSON: expected value at line 1 column 1"],
    )
    .await;
    expect(
        &api,
        "truncated JSON",
        b(r#"{"Insert": "DynamoDB""#),
        400,
        invalid,
        &["/: body is not valid JSON: EOF while parsing an object"],
    )
    .await;
    expect(
        &api,
        "empty body",
        b(""),
        400,
        invalid,
        &["/: body is not valid JSON"],
    )
    .await;
    expect(
        &api,
        "not an object",
        b(r#"[{"Insert":"DynamoDB"}]"#),
        400,
        invalid,
        &["/: expected a JSON object, found array"],
    )
    .await;
    expect(
        &api,
        "a JSON string",
        b(r#""DynamoDB""#),
        400,
        invalid,
        &["/: expected a JSON object, found string"],
    )
    .await;
    expect(
        &api,
        "Insert of the wrong type",
        b(r#"{"Insert": 5}"#),
        400,
        invalid,
        &["/Insert: expected a string, found number"],
    )
    .await;
    expect(
        &api,
        "data of the wrong type",
        b(r#"{"Insert": "DynamoDB", "data": [1]}"#),
        400,
        invalid,
        &["/data: expected an object, found array"],
    )
    .await;
    expect(
        &api,
        "Insert missing",
        b("{}"),
        400,
        invalid,
        &["/Insert: is required (string)"],
    )
    .await;
    expect(
        &api,
        "unknown field",
        b(r#"{"Insert": "DynamoDB", "extra": 1}"#),
        400,
        invalid,
        &["/extra: unknown field; allowed fields are Insert, data"],
    )
    .await;
    expect(
        &api,
        "several problems",
        b(r#"{"Insert": 7, "data": "x", "zzz": null}"#),
        400,
        invalid,
        &[
            "/Insert: expected a string",
            "/data: expected an object",
            "/zzz: unknown field",
        ],
    )
    .await;
    // Level 33 is the 31st object inside `data` (level 2).
    let deepest = format!(
        "/data{}: JSON nesting is deeper than 32 levels",
        "/a".repeat(31)
    );
    expect(
        &api,
        "too deep",
        nested(33).into_bytes(),
        400,
        invalid,
        &[&deepest],
    )
    .await;
    let (status, _) = api.send(nested(32)).await;
    assert_eq!(status, 200, "32 levels are allowed");
    expect(
        &api,
        "invalid UTF-8",
        b"{\"Insert\":\"\xff\"}".to_vec(),
        400,
        invalid,
        &["/: body is not valid UTF-8 (first invalid byte at offset 11)"],
    )
    .await;
    let big = format!(
        r#"{{"Insert":"DynamoDB","data":{{"s":"{}"}}}}"#,
        "a".repeat(300 * 1024)
    );
    expect(
        &api,
        "too large",
        big.clone().into_bytes(),
        413,
        "Request body too large",
        &[&format!(
            "/: body is {} bytes; the limit is 262144 bytes (256 KiB, the SQS message size limit)",
            big.len()
        )],
    )
    .await;
    // Declared far over the limit: refused from the headers alone, before any body byte.
    let answer = declare_only(&stack, 10 * 1024 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("/: body is more than 1048576 bytes; the limit is 262144 bytes"),
        "{answer}"
    );

    // Content type: checked before the body, as the API's request validator does.
    let wrong_type = json!({"message": "Unsupported media type", "errors": ["/: Content-Type must be application/json"]});
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let answer = api
            .try_send(r#"{"Insert":"DynamoDB"}"#, content_type)
            .await
            .unwrap();
        assert_eq!(answer, (415, wrong_type.clone()), "{content_type:?}");
    }
    let with_charset = api
        .try_send(
            r#"{"Insert":"DynamoDB"}"#,
            Some("application/json; charset=utf-8"),
        )
        .await
        .unwrap();
    assert_eq!(
        with_charset.0, 200,
        "parameters after the media type are fine"
    );

    // Nothing refused reached the queue: only the two accepted messages were processed.
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(health["records"], 1, "{health}");
    assert_eq!(health["notifications"], 1, "{health}");
    assert!(
        !stack.log().contains("ERROR"),
        "refusals are not errors:\n{}",
        stack.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_exactly_256_kib_is_accepted_and_one_byte_more_is_not() {
    let (stack, _dir) = start(&[]);
    let api = stack.api();
    let frame = r#"{"Insert":"DynamoDB","data":{"s":""}}"#.len();
    let at_limit = format!(
        r#"{{"Insert":"DynamoDB","data":{{"s":"{}"}}}}"#,
        "a".repeat(MAX_BODY_BYTES - frame)
    );
    assert_eq!(at_limit.len(), MAX_BODY_BYTES);

    let id = api.send_ok(&at_limit).await;
    let (status, _) = api.send(format!("{at_limit} ")).await;

    assert_eq!(status, 413);
    let record = api.wait_for_record(&id, WAIT).await;
    assert_eq!(
        record["data"]["s"].as_str().unwrap().len(),
        MAX_BODY_BYTES - frame
    );
}

/// The answer a corpus case records: its `wording` (core/tests/corpus.rs checks each
/// against the case's hand-written `meaning`).
fn expected_answer(case: &Value) -> (bool, Vec<String>, Option<String>) {
    let wording = &case["wording"];
    let ok = wording["ok"].as_bool().expect("wording.ok");
    let errors = wording["errors"]
        .as_array()
        .expect("wording.errors")
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    (ok, errors, wording["route"].as_str().map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_body_of_the_shared_corpus_gets_its_expected_answer_and_outcome() {
    let corpus: Value = serde_json::from_str(include_str!("../../fixtures/requests.json")).unwrap();
    let cases = corpus
        .as_array()
        .expect("fixtures/requests.json: a list of cases");
    assert!(cases.len() >= 20, "the corpus has {} cases", cases.len());
    let (stack, _dir) = start(&[]);
    let api = stack.api();
    let mut outcomes = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let body = case["body"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no body"));
        let (ok, errors, route) = expected_answer(case);
        let (status, answer) = api.send(body.to_owned()).await;
        if ok {
            assert_eq!(status, 200, "{name}: {answer}");
            let id = answer["messageId"].as_str().unwrap().to_owned();
            outcomes.push((
                name.to_owned(),
                id,
                route.expect("an accepted case has a route"),
                body.to_owned(),
            ));
        } else {
            // The corpus holds no body over the size limit (that is a 413, tested above).
            assert!(body.len() <= MAX_BODY_BYTES, "{name}");
            assert_eq!(status, 400, "{name}: {answer}");
            assert_eq!(answer["errors"], json!(errors), "{name}");
        }
    }
    // Each accepted body ends where its route says, and nowhere else; a record keeps the
    // body's data as sent (numbers digit for digit).
    for (name, id, route, body) in &outcomes {
        match route.as_str() {
            "store" => {
                let record = api.wait_for_record(id, WAIT).await;
                let sent: Value =
                    serde_json::from_str(body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"));
                assert_eq!(record.get("data"), sent.get("data"), "{name}");
            }
            "notify" => {
                api.wait_for_notification(id, WAIT).await;
            }
            other => panic!("{name}: unknown route {other}"),
        }
    }
    let health = api.wait_until_drained(WAIT).await;
    let stores = outcomes.iter().filter(|(_, _, r, _)| r == "store").count() as u64;
    assert_eq!(health["records"].as_u64().unwrap(), stores, "{health}");
    assert_eq!(
        health["notifications"].as_u64().unwrap(),
        outcomes.len() as u64 - stores,
        "{health}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_record_id_is_404_in_the_contract_shape() {
    let (stack, _dir) = start(&[]);
    let (status, answer) = stack
        .api()
        .get("/messages/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, 404);
    assert_eq!(answer["message"], "Not found");
    assert!(answer["errors"][0].as_str().unwrap().starts_with("/id: "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_come_from_the_web_dir() {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>page</title>",
    )
    .unwrap();
    std::fs::write(web.path().join("assets/app.js"), "export const x = 1;").unwrap();
    let (stack, _dir) = start(&["--web-dir", web.path().to_str().unwrap()]);
    let http = reqwest::Client::new();

    let page = http
        .get(format!("{}/", stack.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(
        page.text().await.unwrap(),
        "<!doctype html><title>page</title>"
    );
    let script = http
        .get(format!("{}/assets/app.js", stack.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let (status, _) = stack.api().get("/assets/missing.js").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_page_the_root_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-built");
    let (stack, _data) = start(&["--web-dir", missing.to_str().unwrap()]);
    let page = reqwest::get(format!("{}/", stack.base_url()))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(text.contains("make web"), "{text}");
    assert!(
        text.contains(missing.to_str().unwrap()),
        "names the folder it looked in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_the_queue_and_the_writers_commits() {
    let (stack, _dir) = start(&[]);
    let api = stack.api();
    let sends = (0..50).map(|i| {
        let api = api.clone();
        tokio::spawn(async move {
            api.send_ok(&format!(r#"{{"Insert":"DynamoDB","data":{{"i":{i}}}}}"#))
                .await
        })
    });
    for s in sends {
        s.await.unwrap();
    }
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["records"], 50);
    assert_eq!(health["queue"]["dead_letters"], 0);
    let (commits, operations) = (
        health["writer"]["commits"].as_u64().unwrap(),
        health["writer"]["operations"].as_u64().unwrap(),
    );
    // 50 sends + 50 puts + receives and deletes: at least 100 writes, in at least one
    // commit each group. That groups really share commits is proven where it can be made
    // to happen on purpose: local/src/db/writer.rs,
    // operations_queued_during_a_commit_share_the_next_one.
    assert!(operations >= 100, "{health}");
    assert!((1..=operations).contains(&commits), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn livez_answers_alive() {
    let (stack, _dir) = start(&[]);
    let (status, answer) = stack.api().get("/livez").await;
    assert_eq!(status, 200);
    assert_eq!(answer, json!({"status": "alive"}));
}
