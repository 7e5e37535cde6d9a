//! `GET /metrics` on the local stack after known traffic: every count exact, read by the
//! Prometheus project's own strict OpenMetrics parser (Python's `prometheus_client`,
//! through scripts/openmetrics_json.py), under the names the Lambda's EMF line uses.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use private_ingest_core::contract::metrics::{self, local, MetricSpec};
use private_ingest_testkit::local_stack::{LocalStack, TempDataDir};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

/// The scrape as the strict parser reads it: family name to `{type, unit, samples}`.
async fn scrape(stack: &LocalStack) -> Value {
    let response = reqwest::get(stack.api().url("/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text; version=1.0.0"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/openmetrics_json.py"
    );
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut parser = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python} {script}: {e}"));
    parser
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = parser.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the OpenMetrics parser refused the scrape: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The value of the one sample named `name` (with no labels), wherever its family is.
fn sample(families: &Value, name: &str) -> f64 {
    let found: Vec<f64> = families
        .as_object()
        .unwrap()
        .values()
        .flat_map(|f| f["samples"].as_array().unwrap())
        .filter(|s| s["name"] == name && s["labels"].as_object().is_none_or(|l| l.is_empty()))
        .map(|s| s["value"].as_f64().unwrap())
        .collect();
    assert_eq!(found.len(), 1, "one sample {name} in {families}");
    found[0]
}

fn count(families: &Value, spec: MetricSpec) -> f64 {
    sample(families, &spec.prometheus_name())
}

/// Puts a message on the stack's queue directly, as if it had bypassed the gateway.
fn enqueue_bypassing_the_gateway(data: &TempDataDir, id: &str, body: &str) {
    let db = rusqlite::Connection::open(data.database()).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    db.execute(
        "INSERT INTO messages (id, body, attributes, sent_at_ms, visible_at_ms) VALUES (?1, ?2, '{}', ?3, ?3)",
        rusqlite::params![id, body, now_ms],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_known_traffic_every_count_is_exact_under_the_emf_names() {
    // GIVEN a stack whose store and notifier fail the first attempt at every message
    let (stack, data) =
        LocalStack::start_fresh(&["--fail-first-attempts", "1", "--visibility-timeout", "1"]);
    let api = stack.api();

    // WHEN 3 store and 2 notify messages are accepted (and a keyed one below), and 2
    // requests are refused
    let mut stored = Vec::new();
    for n in 0..3 {
        stored.push(
            api.send_ok(&format!(r#"{{"Insert":"DynamoDB","data":{{"n":{n}}}}}"#))
                .await,
        );
    }
    for _ in 0..2 {
        api.send_ok(r#"{"Insert":"Dynamoooo"}"#).await;
    }
    // AND one keyed notify message, then (once its notification is out) the client's
    // retry with the same key and body
    let keyed = r#"{"Insert":"Dynamoooo","data":{"alert":1}}"#;
    let (status, first) = api.send_keyed(keyed, "alert-1").await;
    assert_eq!(status, 200, "{first}");
    let first_id = first["messageId"].as_str().unwrap();
    api.wait_for_notification(first_id, WAIT).await;
    assert_eq!(api.send_keyed(keyed, "alert-1").await.0, 200);
    assert_eq!(api.send(r#"{"Insert":"#).await.0, 400);
    assert_eq!(api.try_send("{}", Some("text/plain")).await.unwrap().0, 415);
    api.wait_until_drained(WAIT).await;
    // AND two messages reach the queue without the gateway: an invalid body, and the
    // first stored message again (a redelivery)
    enqueue_bypassing_the_gateway(&data, "bypassed-invalid", r#"{"Insert": 5}"#);
    enqueue_bypassing_the_gateway(&data, &stored[0], r#"{"Insert":"DynamoDB","data":{"n":0}}"#);
    let health = api
        .wait_for("the two extra messages handled", WAIT, |api| async move {
            let (_, h) = api.get("/healthz").await;
            (h["notifications"] == 4 && h["queue"]["visible"] == 0 && h["queue"]["in_flight"] == 0)
                .then_some(h)
        })
        .await;
    assert_eq!(health["records"], 3, "{health}");

    // THEN the scrape counts each outcome exactly, under the Lambda's metric names
    let m = scrape(&stack).await;
    assert_eq!(count(&m, metrics::STORED), 3.0);
    assert_eq!(
        count(&m, metrics::ALREADY_STORED),
        1.0,
        "the redelivered one"
    );
    assert_eq!(count(&m, metrics::NOTIFIED), 3.0);
    assert_eq!(
        count(&m, metrics::ALREADY_NOTIFIED),
        1.0,
        "the keyed retry: its key's notification was already out"
    );
    assert_eq!(
        count(&m, metrics::REJECTED),
        1.0,
        "the body that bypassed the gateway"
    );
    // Every message failed once but the redelivery (whose id had already failed once)
    // and the keyed retry (which published nothing, so met no failing notifier).
    assert_eq!(count(&m, metrics::ITEM_FAILURES), 7.0);
    // 16 attempts in all: 7 failures and 9 outcomes.
    assert_eq!(sample(&m, "private_ingest_batch_size_sum"), 16.0);
    assert_eq!(sample(&m, "private_ingest_message_age_seconds_count"), 16.0);
    // AND what only the local stack knows
    assert_eq!(sample(&m, local::ACCEPTED), 7.0);
    assert_eq!(
        sample(&m, &format!("{}_count", local::ACCEPT_LATENCY)),
        9.0,
        "every status"
    );
    assert_eq!(
        sample(&m, &format!("{}_count", local::END_TO_END_LATENCY)),
        9.0,
        "each outcome"
    );
    assert_eq!(sample(&m, local::QUEUE_VISIBLE), 0.0);
    assert_eq!(sample(&m, local::QUEUE_IN_FLIGHT), 0.0);
    assert_eq!(sample(&m, local::DEAD_LETTERS), 0.0);
    assert_eq!(sample(&m, local::OLDEST_MESSAGE_AGE), 0.0);
    let commits = sample(&m, &format!("{}_count", local::COMMIT_GROUP_SIZE));
    let writes = sample(&m, &format!("{}_sum", local::COMMIT_GROUP_SIZE));
    assert!(
        commits >= 1.0 && writes >= commits,
        "{commits} commits, {writes} writes"
    );
    // AND each family is typed and unit-tagged as Prometheus expects
    assert_eq!(m["private_ingest_stored"]["type"], "counter");
    assert_eq!(
        m["private_ingest_end_to_end_latency_seconds"]["type"],
        "histogram"
    );
    assert_eq!(
        m["private_ingest_end_to_end_latency_seconds"]["unit"],
        "seconds"
    );
    assert_eq!(m["private_ingest_queue_visible_messages"]["type"], "gauge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_keeps_failing_shows_in_the_depth_the_oldest_age_and_the_dead_letters() {
    // GIVEN a stack whose store always fails, redriving after 2 receives 1 s apart
    let (stack, _data) = LocalStack::start_fresh(&[
        "--fail-first-attempts",
        "1000",
        "--max-receive-count",
        "2",
        "--visibility-timeout",
        "1",
    ]);
    let api = stack.api();

    // WHEN one message is sent, and scraped while it waits for its second receive
    let sent = Instant::now();
    api.send_ok(r#"{"Insert":"DynamoDB"}"#).await;
    api.wait_for("the first failure", WAIT, |api| async move {
        let (_, h) = api.get("/healthz").await;
        (h["queue"]["in_flight"] == 1).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = sent.elapsed().as_secs_f64();
    let m = scrape(&stack).await;

    // THEN it is in flight, and at least as old as the time since it was sent
    assert_eq!(
        sample(&m, local::QUEUE_IN_FLIGHT) + sample(&m, local::QUEUE_VISIBLE),
        1.0
    );
    let age = sample(&m, local::OLDEST_MESSAGE_AGE);
    // (The queue's clock is in milliseconds, and the send took part of `before`.)
    assert!(age >= before - 0.1, "age {age}s, sent {before}s ago");

    // WHEN its receives run out, THEN it is a dead letter and the queue is empty
    api.wait_for("the dead letter", WAIT, |api| async move {
        let (_, h) = api.get("/healthz").await;
        (h["queue"]["dead_letters"] == 1).then_some(())
    })
    .await;
    let m = scrape(&stack).await;
    assert_eq!(sample(&m, local::DEAD_LETTERS), 1.0);
    assert_eq!(
        sample(&m, local::QUEUE_VISIBLE) + sample(&m, local::QUEUE_IN_FLIGHT),
        0.0
    );
    assert_eq!(sample(&m, local::OLDEST_MESSAGE_AGE), 0.0);
    assert_eq!(
        count(&m, metrics::ITEM_FAILURES),
        2.0,
        "two receives, two failures"
    );
    assert_eq!(count(&m, metrics::STORED), 0.0);
}
