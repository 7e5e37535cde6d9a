//! Reliability: fault injection in the local stack. The handler fails a chosen fraction
//! of store and notify attempts (the testing-only `--fail-rate`); every acknowledged
//! message must still end exactly once: stored, notified, or in the dead-letter table.
//! Never lost, never doubled.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::future::join_all;
use private_ingest_testkit::local_stack::LocalStack;
use serde_json::{json, Value};

const MESSAGES: usize = 240;
const WAIT: Duration = Duration::from_secs(90);

/// Where each acknowledged message ended, read back through the stack's API.
#[derive(Debug, Default)]
struct Outcomes {
    stored: BTreeSet<String>,
    notified: BTreeSet<String>,
    dead: BTreeSet<String>,
}

async fn outcomes(api: &private_ingest_testkit::local_stack::Api, ids: &[String]) -> Outcomes {
    let mut out = Outcomes::default();
    let notifications = api
        .list_all("/notifications?limit=1000", "notifications")
        .await;
    for n in &notifications {
        assert!(
            out.notified
                .insert(n["message_id"].as_str().unwrap().to_owned()),
            "a message was notified twice: {n}"
        );
    }
    let dead = api
        .list_all("/dead-letters?limit=1000", "dead_letters")
        .await;
    for d in &dead {
        assert!(
            out.dead
                .insert(d["message_id"].as_str().unwrap().to_owned()),
            "a message was dead-lettered twice: {d}"
        );
    }
    for id in ids {
        if api.get(&format!("/messages/{id}")).await.0 == 200 {
            out.stored.insert(id.clone());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_third_of_attempts_failing_every_message_ends_exactly_once() {
    // GIVEN a stack whose store and notifier fail 35% of attempts, that gives each message
    // three receives before the dead-letter table
    let (stack, _data) = LocalStack::start_fresh(&[
        "--fail-rate",
        "0.35",
        "--max-receive-count",
        "3",
        "--visibility-timeout",
        "1",
        "--batch-size",
        "10",
    ]);
    let api = stack.api();

    // WHEN valid messages of both routes are sent concurrently
    let sends = (0..MESSAGES).map(|i| {
        let api = api.clone();
        async move {
            let insert = if i % 3 == 0 { "Dynamoooo" } else { "DynamoDB" };
            let body = json!({"Insert": insert, "data": {"n": i}}).to_string();
            (i, api.send_ok(&body).await)
        }
    });
    let sent: BTreeMap<usize, String> = join_all(sends).await.into_iter().collect();
    let ids: Vec<String> = sent.values().cloned().collect();
    let health = api.wait_until_drained(WAIT).await;

    // THEN every acknowledged message is in exactly one place
    let out = outcomes(&api, &ids).await;
    let mut seen = BTreeMap::<&str, usize>::new();
    for set in [&out.stored, &out.notified, &out.dead] {
        for id in set {
            *seen.entry(id.as_str()).or_default() += 1;
        }
    }
    for (i, id) in &sent {
        assert_eq!(
            seen.get(id.as_str()).copied().unwrap_or(0),
            1,
            "message {i} ({id}) ended {} times",
            seen.get(id.as_str()).copied().unwrap_or(0)
        );
    }
    assert_eq!(
        seen.len(),
        MESSAGES,
        "only the messages sent ended anywhere"
    );
    // AND the stack's own counts agree: nothing doubled behind the API
    assert_eq!(health["records"], json!(out.stored.len()), "{health}");
    assert_eq!(
        health["notifications"],
        json!(out.notified.len()),
        "{health}"
    );
    // AND the faults really happened: some messages were dead-lettered (35% over three
    // receives: about 4% of them), most got through despite failures
    assert!(
        !out.dead.is_empty(),
        "no message was dead-lettered: {health}"
    );
    assert!(out.stored.len() + out.notified.len() > MESSAGES / 2);
    // AND each dead letter kept its body and was received the maximum number of times
    let dead = api
        .list_all("/dead-letters?limit=1000", "dead_letters")
        .await;
    for d in &dead {
        assert_eq!(d["receive_count"], json!(3), "{d}");
        let body: Value = serde_json::from_str(d["body"].as_str().unwrap()).unwrap();
        assert!(body["data"]["n"].is_u64(), "{d}");
    }
}
