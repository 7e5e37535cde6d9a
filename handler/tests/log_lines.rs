//! The handler's log: one JSON line per message with its id, route (none for a rejected
//! body), outcome and duration, inside a span keyed by the message id.
//!
//! In its own test binary because it installs a tracing subscriber: tracing caches, per
//! call site, whether anyone listens, and a test running beside it on another thread
//! without a subscriber can make the span's call site look unobserved.

use std::sync::Arc;

use private_ingest_core::{NotificationContent, RandomValue};
use private_ingest_handler::{
    fixed_clock, fixed_random, handle_batch, Deps, MemoryDedupe, MemoryNotifier, MemoryStore,
};
use private_ingest_testkit::sqs::{event, record as sqs_record};
use serde_json::Value;

const STORE_BODY: &str = r#"{"Insert":"DynamoDB","data":{"k":"v"}}"#;
const NOTIFY_BODY: &str = r#"{"Insert":"Dynamoooo"}"#;
const POISON_BODY: &str = r#"{"Insert": 5, "x": 1"#;

fn deps() -> Deps<MemoryStore, MemoryNotifier, MemoryDedupe> {
    Deps {
        store: MemoryStore::new(),
        notifier: MemoryNotifier::new(),
        dedupe: MemoryDedupe::new(),
        clock: fixed_clock(1_700_000_100_000),
        random: fixed_random(RandomValue::new(42).unwrap()),
        concurrency: 4,
        notification_content: NotificationContent::IdsOnly,
        in_progress_expiry: std::time::Duration::from_secs(30),
        rules: None,
    }
}

/// A `MakeWriter` that keeps everything written, to read the JSON log lines back.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn one_log_line_per_message_with_id_route_outcome_and_duration() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let deps = deps();
    deps.store.fail_next(1);
    handle_batch(
        &deps,
        event(vec![
            sqs_record("s", STORE_BODY),
            sqs_record("n", NOTIFY_BODY),
            sqs_record("p", POISON_BODY),
        ]),
    )
    .await
    .unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<_> = lines
        .iter()
        .map(|l| {
            let f = &l["fields"];
            assert!(f["duration_ms"].is_u64(), "{l}");
            assert_eq!(l["span"]["message_id"], f["message_id"], "{l}");
            (
                f["message_id"].as_str().unwrap(),
                f["route"].as_str(),
                f["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("s", Some("store"), "failed"),
            ("n", Some("notify"), "notified"),
            ("p", None, "rejected"),
        ]
    );
    assert!(lines[0]["fields"]["error"]
        .as_str()
        .unwrap()
        .contains("injected store failure for s"));
}
