//! Part 2 of `make bench`: batch handler concurrency. A batch of 10 store-route messages
//! against a `RecordStore` that takes 20 ms per call; reports the batch time over one
//! call's time (goal: under 1.5; a serial handler, like the original Python one, is 10).
//! Side by side: the same batch with concurrency 1, the serial peer.

use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use private_ingest_core::{NotificationContent, RandomValue};
use private_ingest_handler::{
    fixed_clock, fixed_random, handle_batch, Deps, MemoryDedupe, MemoryNotifier, MemoryStore,
};
use private_ingest_testkit::sqs::{event, record};

const BATCH: usize = 10;
const CALL: Duration = Duration::from_millis(20);
const ROUNDS: usize = 20;

fn batch(round: usize) -> SqsEvent {
    event(
        (0..BATCH)
            .map(|i| record(&format!("bench-{round}-{i}"), r#"{"Insert":"DynamoDB"}"#))
            .collect(),
    )
}

async fn median_batch_ms(concurrency: usize) -> (f64, usize) {
    let deps = Deps {
        store: MemoryStore::new().with_delay(CALL),
        notifier: MemoryNotifier::new(),
        dedupe: MemoryDedupe::new(),
        clock: fixed_clock(1_700_000_000_000),
        random: fixed_random(RandomValue::new(42).expect("in range")),
        concurrency,
        notification_content: NotificationContent::IdsOnly,
        in_progress_expiry: Duration::from_secs(30),
        rules: None,
    };
    let mut times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let start = Instant::now();
        let response = handle_batch(&deps, batch(round)).await.expect("batch runs");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(
            response.batch_item_failures.is_empty(),
            "no message may fail"
        );
    }
    assert_eq!(
        deps.store.records().len(),
        ROUNDS * BATCH,
        "every message stored"
    );
    times.sort_by(f64::total_cmp);
    (times[ROUNDS / 2], deps.store.max_in_flight())
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter here.
    let call_ms = CALL.as_secs_f64() * 1000.0;
    let (concurrent, in_flight) = median_batch_ms(BATCH).await;
    let (serial, _) = median_batch_ms(1).await;
    let rows = [
        ("handle_batch, concurrency 10", concurrent, in_flight),
        ("handle_batch, concurrency 1 (serial peer)", serial, 1),
    ];
    println!("\n## Batch handler: {BATCH} store messages, {call_ms:.0} ms per store call (median of {ROUNDS})");
    println!(
        "{:<44} {:>10} {:>22} {:>10}",
        "handler", "batch ms", "batch / one call", "in flight"
    );
    for (name, ms, flight) in rows {
        println!("{name:<44} {ms:>10.1} {:>22.2} {flight:>10}", ms / call_ms);
    }
    println!("goal: concurrent batch / one call < 1.5 (serial is {BATCH})");
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/results");
    std::fs::create_dir_all(&results).expect("bench/results");
    let json = serde_json::json!({
        "benchmark": "batch_concurrency",
        "batch": BATCH, "call_ms": call_ms, "rounds": ROUNDS,
        "concurrent": {"batch_ms": concurrent, "ratio": concurrent / call_ms, "max_in_flight": in_flight},
        "serial": {"batch_ms": serial, "ratio": serial / call_ms},
    });
    std::fs::write(
        results.join("batch_concurrency.json"),
        serde_json::to_string_pretty(&json).expect("json"),
    )
    .expect("write results");
}
