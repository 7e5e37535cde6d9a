//! Reliability: fault injection in the local stack. The handler fails a chosen fraction
//! of store and notify attempts (the testing-only `--fail-rate`); every acknowledged
//! message must still end exactly once: stored, notified, or in the dead-letter table.
//! Never lost, never doubled.
//!
//! The failures are seeded: the test prints its seed, and `RELIABILITY_SEED=<seed>` runs
//! it again with the same sequence of injected failures.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::future::join_all;
use private_ingest_testkit::local_stack::{LocalStack, TempDataDir};
use serde_json::{json, Value};

const MESSAGES: usize = 240;
/// 35% of store and notify attempts fail; each message gets three receives (one second
/// apart) before the dead-letter table.
const FAULTS: &[&str] = &[
    "--fail-rate",
    "0.35",
    "--max-receive-count",
    "3",
    "--visibility-timeout",
    "1",
    "--batch-size",
    "10",
];
const WAIT: Duration = Duration::from_secs(90);

/// The seed of the injected failures: `RELIABILITY_SEED` to replay a run, else a new one.
fn seed() -> u64 {
    match std::env::var("RELIABILITY_SEED") {
        Ok(seed) => seed
            .parse()
            .unwrap_or_else(|_| panic!("RELIABILITY_SEED={seed:?} is not a whole number")),
        // A fresh seed from std's per-process random hasher keys.
        Err(_) => {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        }
    }
}

/// A fresh stack with [`FAULTS`], seeded by [`seed`] (printed, to replay a failing run).
fn start_with_faults() -> (LocalStack, TempDataDir) {
    let seed = seed();
    println!("fault seed {seed} (replay: RELIABILITY_SEED={seed})");
    let seed = seed.to_string();
    let flags: Vec<&str> = ["--fail-seed", seed.as_str()]
        .into_iter()
        .chain(FAULTS.iter().copied())
        .collect();
    LocalStack::start_fresh(&flags)
}

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

/// The stack's own counts (`/healthz`) agree with what the API shows, nothing doubled behind
/// it; and the faults happened: something was dead-lettered, most of `sent` got through.
fn counts_agree_and_faults_happened(
    health: &Value,
    stored: usize,
    notified: usize,
    dead: usize,
    sent: usize,
) {
    assert_eq!(health["records"], json!(stored), "{health}");
    assert_eq!(health["notifications"], json!(notified), "{health}");
    assert!(dead > 0, "no message was dead-lettered: {health}");
    assert!(stored + notified > sent / 2, "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_third_of_attempts_failing_every_message_ends_exactly_once() {
    // GIVEN a stack whose store and notifier fail 35% of attempts, that gives each message
    // three receives before the dead-letter table
    let (stack, _data) = start_with_faults();
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
    // AND the stack's own counts agree, and the faults really happened: some messages were
    // dead-lettered (35% over three receives: about 4% of them), most got through
    counts_agree_and_faults_happened(
        &health,
        out.stored.len(),
        out.notified.len(),
        out.dead.len(),
        MESSAGES,
    );
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

/// Keys: how many keyed messages are sent, each twice (the client's retry).
const KEYS: usize = 120;

/// Where each key ended, read back through the stack's API.
#[derive(Debug, Default)]
struct KeyOutcomes {
    /// Records per key (at `GET /messages/{key}`).
    stored: BTreeMap<String, usize>,
    /// Notify-route notifications per key.
    notified: BTreeMap<String, usize>,
    /// Dead letters per key, with each dead letter's body.
    dead: BTreeMap<String, Vec<String>>,
    /// "Rejected" alerts (a key reused for another body must never be reported here).
    rejected: usize,
}

async fn key_outcomes(
    api: &private_ingest_testkit::local_stack::Api,
    keys: &[String],
) -> KeyOutcomes {
    let mut out = KeyOutcomes::default();
    let (_, notifications) = api.get("/notifications?limit=1000").await;
    for n in notifications["notifications"].as_array().unwrap() {
        if n["kind"] == "rejected" {
            out.rejected += 1;
        } else if let Some(key) = n["idempotency_key"].as_str() {
            *out.notified.entry(key.to_owned()).or_default() += 1;
        }
    }
    let (_, dead) = api.get("/dead-letters?limit=1000").await;
    for d in dead["dead_letters"].as_array().unwrap() {
        let key = d["attributes"]["idempotencyKey"].as_str().expect("keyed");
        out.dead
            .entry(key.to_owned())
            .or_default()
            .push(d["body"].as_str().unwrap().to_owned());
    }
    for key in keys {
        let (status, record) = api.get(&format!("/messages/{key}")).await;
        if status == 200 {
            assert_eq!(record["id"], key.as_str());
            *out.stored.entry(key.clone()).or_default() += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_keys_on_every_message_sent_twice_every_key_ends_exactly_once() {
    // GIVEN the same faults: 35% of store and notify attempts fail, three receives each
    let (stack, _data) = start_with_faults();
    let api = stack.api();

    // WHEN every message carries a key and is sent twice at once (a client's retry)
    let keys: Vec<String> = (0..KEYS).map(|i| format!("key-{i:03}")).collect();
    let body_of = |i: usize| {
        let insert = if i % 3 == 0 { "Dynamoooo" } else { "DynamoDB" };
        json!({"Insert": insert, "data": {"n": i}}).to_string()
    };
    let sends = keys.iter().enumerate().flat_map(|(i, key)| {
        let body = body_of(i);
        [0, 1].map(|_| {
            let (api, body, key) = (api.clone(), body.clone(), key.clone());
            async move {
                let (status, answer) = api.send_keyed(&body, &key).await;
                assert_eq!(status, 200, "{answer}");
                assert_eq!(answer["recordId"], key.as_str());
            }
        })
    });
    join_all(sends).await;
    let health = api.wait_until_drained(WAIT).await;

    // THEN every key ended exactly once: one record, or one notification, or (neither)
    // every message of it in the dead-letter table; never both, never twice
    let out = key_outcomes(&api, &keys).await;
    assert_eq!(out.rejected, 0, "no key was reused for another body");
    for (i, key) in keys.iter().enumerate() {
        let stored = out.stored.get(key).copied().unwrap_or(0);
        let notified = out.notified.get(key).copied().unwrap_or(0);
        let dead = out.dead.get(key).map_or(0, Vec::len);
        assert!(
            stored + notified <= 1,
            "{key}: stored {stored}, notified {notified}"
        );
        if stored + notified == 0 {
            assert_eq!(
                dead, 2,
                "{key} ended nowhere: both its messages must be dead letters"
            );
        }
        let route_is_store = i % 3 != 0;
        assert!(
            stored == 0 || route_is_store,
            "{key} stored on the notify route"
        );
        assert!(
            notified == 0 || !route_is_store,
            "{key} notified on the store route"
        );
    }
    // AND the stack's own counts agree, and the faults really happened
    counts_agree_and_faults_happened(
        &health,
        out.stored.len(),
        out.notified.len(),
        out.dead.len(),
        KEYS,
    );

    // WHEN the dead letters of keys that did end somewhere are sent again (a redrive)
    let done: BTreeSet<&String> = out.stored.keys().chain(out.notified.keys()).collect();
    let redriven: Vec<_> = out
        .dead
        .iter()
        .filter(|(key, _)| done.contains(key))
        .flat_map(|(key, bodies)| bodies.iter().map(move |b| (key.clone(), b.clone())))
        .collect();
    for (key, body) in &redriven {
        assert_eq!(api.send_keyed(body, key).await.0, 200);
    }
    let after = api.wait_until_drained(WAIT).await;
    // THEN they change nothing: the key is already stored or notified
    let again = key_outcomes(&api, &keys).await;
    assert_eq!(again.stored, out.stored);
    assert_eq!(again.notified, out.notified);
    assert_eq!(again.rejected, 0);
    assert_eq!(after["records"], health["records"], "{after}");
    eprintln!(
        "{KEYS} keys sent twice: {} stored, {} notified, {} keys dead-lettered whole, {} dead \
         letters of keys done elsewhere (redriven, changed nothing)",
        out.stored.len(),
        out.notified.len(),
        out.dead.keys().filter(|k| !done.contains(k)).count(),
        redriven.len()
    );
}
