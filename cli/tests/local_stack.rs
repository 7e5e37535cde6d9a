//! The real `private-ingest` binary against the real local stack: send and follow to a
//! record and to a notification, get, doctor (all ok; the stack down; a wrong path), and
//! dead letters made with `--fail-first-attempts`, listed, inspected, redriven and then
//! processed.

mod support;

use std::time::Duration;

use private_ingest_testkit::local_stack::{LocalStack, TempDataDir};
use serde_json::{json, Value};
use support::{run, run_with, Run};

const WAIT: Duration = Duration::from_secs(20);

/// The fields every `--json` document starts with.
fn assert_common(document: &Value, command: &str, exit_code: i32) {
    assert_eq!(document["version"], 1, "{document}");
    assert_eq!(document["command"], command, "{document}");
    assert_eq!(document["exit_code"], exit_code, "{document}");
    assert_eq!(document["ok"], exit_code == 0, "{document}");
    assert_eq!(document["error"].is_null(), exit_code == 0, "{document}");
}

/// A failure says why on stderr, in one line.
fn assert_one_line_reason(run: &Run, contains: &str) {
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {}", run.stderr);
    assert!(lines[0].starts_with("private-ingest: "), "{}", lines[0]);
    assert!(
        lines[0].contains(contains),
        "{:?} not in {}",
        contains,
        lines[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_follows_a_store_message_to_its_record_and_get_reads_it_back() {
    let (stack, _data) = LocalStack::start_fresh(&[]);
    let body = r#"{"Insert":"DynamoDB","data":{"order":"A-7","total":12.5}}"#;

    let sent = run(stack.base_url(), &["send", body, "--follow", "--json"]).expect(0);

    let document = sent.json();
    assert_common(&document, "send", 0);
    assert_eq!(document["route"], "store");
    assert_eq!(document["answer"]["message"], "Message sent successfully.");
    let message_id = document["answer"]["messageId"].as_str().unwrap().to_owned();
    assert_eq!(document["record_id"], message_id.as_str());
    assert_eq!(document["follow"]["outcome"], "stored");
    let record = &document["follow"]["record"];
    assert_eq!(record["id"], message_id.as_str());
    assert_eq!(record["data"], json!({"order": "A-7", "total": 12.5}));
    let (_, stored) = stack.api().get(&format!("/messages/{message_id}")).await;
    assert_eq!(
        &stored, record,
        "what follow printed is what the stack stored"
    );

    let got = run(stack.base_url(), &["get", &message_id]).expect(0);
    let printed: Value = serde_json::from_str(&got.stdout).expect("get prints the record as JSON");
    assert_eq!(&printed, record);
    let got = run(stack.base_url(), &["get", &message_id, "--json"])
        .expect(0)
        .json();
    assert_common(&got, "get", 0);
    assert_eq!((&got["found"], &got["record"]), (&json!(true), record));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_reads_stdin_and_follows_a_notify_message_to_its_notification() {
    let (stack, _data) = LocalStack::start_fresh(&[]);

    let sent = run_with(
        stack.base_url(),
        &["send", "--follow", "--json"],
        br#"{"Insert":"Dynamoooo"}"#,
        &[],
    )
    .expect(0)
    .json();

    assert_common(&sent, "send", 0);
    assert_eq!(sent["route"], "notify");
    assert_eq!(sent["follow"]["outcome"], "notified");
    let notification = &sent["follow"]["notification"];
    assert_eq!(notification["kind"], "notify");
    assert_eq!(notification["message_id"], sent["answer"]["messageId"]);
    assert_eq!(notification["reason"], "No DynamoDB insertion requested.");
    // Human output says the same.
    let human = run(stack.base_url(), &["send", r#"{"Insert":"x"}"#, "--follow"]).expect(0);
    assert!(human.stdout.contains("route notify"), "{}", human.stdout);
    assert!(human.stdout.contains("notified after"), "{}", human.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_of_an_unknown_id_is_not_found_with_exit_3() {
    let (stack, _data) = LocalStack::start_fresh(&[]);

    let missing = run(stack.base_url(), &["get", "no-such-record"]).expect(3);
    assert_one_line_reason(&missing, "no record with id \"no-such-record\"");
    assert_eq!(missing.stdout, "");
    let document = run(stack.base_url(), &["get", "no/such?record", "--json"])
        .expect(3)
        .json();
    assert_common(&document, "get", 3);
    assert_eq!(document["found"], false);
    assert_eq!(
        document["answer"]["message"], "Not found",
        "the id reached the route as one segment"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_the_contract_refuses_gets_the_apis_answer_and_nothing_is_sent() {
    let (stack, _data) = LocalStack::start_fresh(&[]);

    let human = run(stack.base_url(), &["send", r#"{"Insert":1,"extra":true}"#]).expect(2);
    assert!(
        human.stdout.starts_with("400 Invalid request body"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("  /Insert: expected a string, found number\n"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("  /extra: unknown field"),
        "{}",
        human.stdout
    );
    assert_one_line_reason(&human, "nothing was sent");

    let document = run(stack.base_url(), &["send", "[1]", "--json"])
        .expect(2)
        .json();
    assert_common(&document, "send", 2);
    assert_eq!(document["sent"], false);
    // The same answer the stack gives for that body.
    let (status, answer) = stack.api().send("[1]").await;
    assert_eq!(
        (document["status"].as_u64(), &document["answer"]),
        (Some(u64::from(status)), &answer)
    );

    let (_, health) = stack.api().get("/healthz").await;
    assert_eq!(
        health["queue"]["visible"], 0,
        "nothing was queued: {health}"
    );
    assert_eq!(health["records"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_idempotency_key_gets_the_gateways_own_line_and_nothing_is_sent() {
    let (stack, _data) = LocalStack::start_fresh(&[]);
    let body = r#"{"Insert":"DynamoDB"}"#;

    let document = run(
        stack.base_url(),
        &["send", body, "--idempotency-key", "order 42", "--json"],
    )
    .expect(2)
    .json();

    assert_common(&document, "send", 2);
    assert_eq!(document["sent"], false);
    // The core's rule, so the same line the local gateway answers for that header.
    let (status, answer) = stack.api().send_keyed(body, "order 42").await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(document["errors"], answer["errors"]);
    assert_eq!(
        document["errors"],
        json!([
            "Idempotency-Key: character \" \" at position 6 is not allowed (1 to 128 of A-Z a-z 0-9 - _ . :)"
        ])
    );
    let (_, health) = stack.api().get("/healthz").await;
    assert_eq!(
        health["queue"]["visible"], 0,
        "nothing was queued: {health}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_walks_the_local_chain_and_finds_every_link_ok() {
    let (stack, _data) = LocalStack::start_fresh(&[]);

    let human = run(stack.base_url(), &["doctor"]).expect(0);
    assert!(human.stdout.contains("not applicable"), "{}", human.stdout);
    assert!(!human.stdout.contains("FAIL"), "{}", human.stdout);
    let document = run(stack.base_url(), &["doctor", "--json"])
        .expect(0)
        .json();
    assert_common(&document, "doctor", 0);
    assert_eq!(document["local"], true);
    assert_eq!(document["broken"], Value::Null);
    let statuses: Vec<(&str, &str)> = document["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("dns", "not_applicable"),
            ("tcp", "ok"),
            ("tls", "not_applicable"),
            ("health", "ok"),
            ("mapping", "ok"),
            ("model", "ok"),
        ]
    );
    assert!(document["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["elapsed_ms"].is_u64()));
    let (_, health) = stack.api().get("/healthz").await;
    assert_eq!(
        health["queue"]["visible"], 0,
        "the model probe queued nothing: {health}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_tcp_when_the_stack_is_down() {
    let (mut stack, _data) = LocalStack::start_fresh(&[]);
    let endpoint = stack.base_url().to_owned();
    stack.terminate(Duration::from_secs(15));

    let human = run(&endpoint, &["doctor"]).expect(6);
    assert!(human.stdout.contains("FAIL  TCP"), "{}", human.stdout);
    assert!(
        human.stdout.contains("fix: start the local stack"),
        "{}",
        human.stdout
    );
    assert_one_line_reason(&human, "TCP is broken: nothing listens on");
    let document = run(&endpoint, &["doctor", "--json"]).expect(6).json();
    assert_common(&document, "doctor", 6);
    assert_eq!(document["broken"], "tcp");
    let after: Vec<&str> = document["steps"].as_array().unwrap()[2..]
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(after, ["skipped"; 4], "nothing after the broken link runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_a_wrong_path_with_the_right_endpoint() {
    let (stack, _data) = LocalStack::start_fresh(&[]);
    let wrong = format!("{}/prod", stack.base_url());

    let document = run(&wrong, &["doctor", "--json"]).expect(6).json();

    assert_eq!(document["broken"], "health");
    let health = &document["steps"].as_array().unwrap()[3];
    assert!(
        health["detail"]
            .as_str()
            .unwrap()
            .contains("the path is wrong"),
        "{health}"
    );
    assert_eq!(
        health["fix"],
        format!(
            "the local stack serves at /: use --endpoint {}",
            stack.base_url()
        )
    );
    // send against the wrong path fails too, with its one-line reason: the rules in force
    // (GET /rules) are read before anything is sent, and that route is not there.
    let sent = run(&wrong, &["send", r#"{"Insert":"DynamoDB"}"#]).expect(1);
    assert_one_line_reason(&sent, "GET /rules on");
    assert!(sent.stderr.contains("answered HTTP 404"), "{}", sent.stderr);
    assert!(sent.stderr.contains("nothing was done"), "{}", sent.stderr);
}

/// Every dead letter of the stack.
async fn dead_letters(stack: &LocalStack) -> Vec<Value> {
    stack
        .api()
        .list_all("/dead-letters?limit=1000", "dead_letters")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_inspected_redriven_and_then_processed() {
    // GIVEN a stack whose store and notifier fail every attempt a message gets
    let data = TempDataDir::new();
    let failing = [
        "--fail-first-attempts",
        "100",
        "--max-receive-count",
        "2",
        "--visibility-timeout",
        "1",
    ];
    let mut stack = LocalStack::start(data.path(), &failing);
    let followed = run(
        stack.base_url(),
        &[
            "send",
            r#"{"Insert":"DynamoDB","data":{"n":1}}"#,
            "--follow",
            "--json",
        ],
    )
    .expect(7)
    .json();
    assert_eq!(followed["follow"]["outcome"], "dead_lettered");
    let first = followed["answer"]["messageId"].as_str().unwrap().to_owned();
    run(
        stack.base_url(),
        &["send", r#"{"Insert":"DynamoDB","data":{"n":2}}"#],
    )
    .expect(0);
    run(stack.base_url(), &["send", r#"{"Insert":"Dynamoooo"}"#]).expect(0);
    stack.api().wait_for_dead_letters(3, WAIT).await;

    // WHEN they are listed and inspected
    let listed = run(stack.base_url(), &["dlq", "list", "--json"])
        .expect(0)
        .json();
    assert_common(&listed, "dlq list", 0);
    assert_eq!(
        listed["source"],
        json!({"kind": "local", "endpoint": stack.base_url()})
    );
    assert_eq!(listed["count"], 3);
    let mut would: Vec<&str> = listed["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["would"].as_str().unwrap())
        .collect();
    would.sort_unstable();
    assert_eq!(would, ["notify", "store", "store"]);
    let inspected = run(stack.base_url(), &["dlq", "inspect", "--json"])
        .expect(0)
        .json();
    let groups: Vec<(&str, u64)> = inspected["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["would"].as_str().unwrap(), g["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(groups, [("store", 2), ("notify", 1)]);
    let human = run(stack.base_url(), &["dlq", "inspect"]).expect(0);
    assert!(
        human.stdout.contains("2  would store a record"),
        "{}",
        human.stdout
    );

    // AND a dry run moves nothing
    let dry = run(stack.base_url(), &["dlq", "redrive", "--dry-run", "--json"])
        .expect(0)
        .json();
    assert_eq!(
        (&dry["dry_run"], &dry["would_move"]),
        (&json!(true), &json!(3))
    );
    assert_eq!(
        dead_letters(&stack).await.len(),
        3,
        "--dry-run moved nothing"
    );

    // WHEN the cause is fixed (the stack restarts without the failures) and they are redriven
    stack.terminate(WAIT);
    drop(stack);
    let stack = LocalStack::start(data.path(), &[]);
    let some = run(
        stack.base_url(),
        &["dlq", "redrive", "--max", "2", "--json"],
    )
    .expect(0)
    .json();
    assert_common(&some, "dlq redrive", 0);
    assert_eq!(
        (&some["method"], &some["moved"], &some["remaining"]),
        (&json!("local"), &json!(2), &json!(1))
    );
    let rest = run(stack.base_url(), &["dlq", "redrive"]).expect(0);
    assert!(
        rest.stdout
            .starts_with("moved 1 dead letter from the local stack"),
        "{}",
        rest.stdout
    );
    assert!(
        rest.stdout.contains(" -> "),
        "each moved message with its new id: {}",
        rest.stdout
    );
    let all = run(stack.base_url(), &["dlq", "redrive", "--json"])
        .expect(0)
        .json();
    assert_eq!(all["moved"], 0, "nothing left to move");

    // THEN each is processed once, as a new message keyed by its first message id
    assert!(dead_letters(&stack).await.is_empty());
    let api = stack.api();
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(
        (&health["records"], &health["notifications"]),
        (&json!(2), &json!(1)),
        "{health}"
    );
    // The oldest dead letter was among the first two moved.
    let moved = some["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["message_id"] == first.as_str())
        .unwrap_or_else(|| panic!("{first} moved first: {some}"));
    // The redrive set idempotencyKey = the first message id (it had no key of its own), so
    // the record is the one the first delivery would have written: keyed by that id, and
    // naming the redriven message that stored it. Nothing is keyed by the new id.
    let new_id = moved["redriven_as"].as_str().unwrap();
    let (status, record) = api.get(&format!("/messages/{first}")).await;
    assert_eq!(
        status, 200,
        "record of {first} (redriven as {new_id}): {record}"
    );
    assert_eq!(
        (&record["id"], &record["message_id"], &record["data"]),
        (&json!(first), &json!(new_id), &json!({"n": 1})),
        "{record}"
    );
    let (by_new, _) = api.get(&format!("/messages/{new_id}")).await;
    assert_eq!(by_new, 404, "no second record under the new message id");
}

#[test]
fn help_documents_the_exit_codes_and_what_an_interrupted_redrive_does() {
    let help = run("http://127.0.0.1:9", &["--help"]).expect(0);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    assert!(help
        .stdout
        .contains("7  send --follow: the message was dead-lettered"));
    let redrive = run("http://127.0.0.1:9", &["dlq", "redrive", "--help"]).expect(0);
    assert!(
        redrive.stdout.contains("at-least-once"),
        "{}",
        redrive.stdout
    );
    assert!(redrive.stdout.contains("Exit codes:"));
    let completions = run("http://127.0.0.1:9", &["completions", "bash"]).expect(0);
    assert!(
        completions.stdout.contains("redrive"),
        "bash completions cover the subcommands"
    );
}
