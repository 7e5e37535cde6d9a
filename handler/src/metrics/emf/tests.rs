//! The EMF lines checked against the embedded metric format specification, for a mixed
//! batch run through the real handler, and at the specification's limits.

use std::time::Duration;

use private_ingest_core::{NotificationContent, RandomValue};
use private_ingest_testkit::fixtures::{MIXED_EVENT, MIXED_IDS};
use private_ingest_testkit::sqs::{event_from_json, keyed_record, record, SENT_TIMESTAMP_MS};
use serde_json::Value;

use super::*;
use crate::clock::fixed_clock;
use crate::dedupe::memory::MemoryDedupe;
use crate::handler::{process_batch, BatchOutcomes, Deps, MessageOutcome, Outcome};
use crate::random::fixed_random;
use crate::{MemoryNotifier, MemoryStore};

/// The units CloudWatch accepts (MetricDatum.Unit).
const CLOUDWATCH_UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// Every rule of the specification this line can break; panics naming the one broken.
/// Returns the line as JSON.
fn conforming(line: &str) -> Value {
    assert!(!line.contains('\n'), "one line: {line}");
    let root: Value = serde_json::from_str(line).expect("a JSON object");
    let object = root.as_object().expect("the root is an object");
    let aws = object["_aws"].as_object().expect("_aws is an object");
    assert!(
        aws["Timestamp"].is_i64(),
        "_aws.Timestamp: epoch milliseconds"
    );
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .expect("CloudWatchMetrics");
    assert!(!directives.is_empty());
    for directive in directives {
        let namespace = directive["Namespace"]
            .as_str()
            .expect("Namespace: a string");
        assert_eq!(
            private_ingest_core::contract::metrics::namespace_problem(namespace),
            None
        );
        for set in directive["Dimensions"].as_array().expect("Dimensions") {
            let set = set.as_array().expect("a dimension set is an array");
            assert!(set.len() <= 30, "at most 30 dimensions in a set");
            for dimension in set {
                let name = dimension.as_str().expect("a dimension name");
                assert!(
                    object[name].is_string(),
                    "dimension {name}: a top-level string"
                );
            }
        }
        let metrics = directive["Metrics"].as_array().expect("Metrics");
        assert!(metrics.len() <= 100, "at most 100 metrics in a directive");
        for metric in metrics {
            let name = metric["Name"].as_str().expect("Name");
            let unit = metric["Unit"].as_str().expect("Unit");
            assert!(CLOUDWATCH_UNITS.contains(&unit), "{name}: unit {unit}");
            match &object.get(name) {
                Some(Value::Number(_)) => {}
                Some(Value::Array(values)) => {
                    assert!((1..=100).contains(&values.len()), "{name}: 1 to 100 values");
                    assert!(values.iter().all(Value::is_number), "{name}: numbers only");
                }
                other => panic!("{name}: must be a top-level number or array, is {other:?}"),
            }
        }
    }
    root
}

fn target() -> EmfTarget {
    EmfTarget {
        namespace: "PrivateIngest".into(),
        function_name: "private-ingest-dev-processor".into(),
    }
}

#[tokio::test]
async fn a_mixed_batch_makes_one_line_that_follows_the_specification() {
    // GIVEN the first message of the fixture already stored, and a store that fails the
    // fifth; plus one more store-route message, and a notify-route message sent twice
    // with one Idempotency-Key (a client's retry)
    let deps = Deps {
        store: MemoryStore::new().failing_for(MIXED_IDS[4]),
        notifier: MemoryNotifier::new(),
        dedupe: MemoryDedupe::new(),
        clock: fixed_clock(SENT_TIMESTAMP_MS + 2_000),
        random: fixed_random(RandomValue::new(7).unwrap()),
        concurrency: 4,
        notification_content: NotificationContent::IdsOnly,
        in_progress_expiry: Duration::from_secs(30),
        rules: None,
    };
    let mut first = event_from_json(MIXED_EVENT);
    first.records.truncate(1);
    process_batch(&deps, first).await.unwrap();
    let mut batch = event_from_json(MIXED_EVENT);
    batch
        .records
        .push(serde_json::from_value(record("m-new", r#"{"Insert":"DynamoDB"}"#)).unwrap());
    for id in ["m-keyed-1", "m-keyed-2"] {
        let retry = keyed_record(id, r#"{"Insert":"Dynamoooo"}"#, "alert-1");
        batch.records.push(serde_json::from_value(retry).unwrap());
    }

    // WHEN it runs, and its metrics are written
    let outcomes = process_batch(&deps, batch).await.unwrap();
    let metrics = BatchMetrics::of(&outcomes, 1_700_000_002_000, Duration::from_millis(35));
    let lines = emf_lines(&metrics, &target(), 1_700_000_002_035);

    // THEN one line, valid EMF, with every count and each message's age
    assert_eq!(lines.len(), 1);
    let line = conforming(&lines[0]);
    let names: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Stored",
            "AlreadyStored",
            "Notified",
            "AlreadyNotified",
            "Rejected",
            "ItemFailures",
            "BatchSize",
            "BatchDurationMs",
            "MessageAgeMs"
        ]
    );
    assert_eq!(line["_aws"]["Timestamp"], 1_700_000_002_035_i64);
    assert_eq!(
        line["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "PrivateIngest"
    );
    assert_eq!(
        line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([["FunctionName"]])
    );
    assert_eq!(line["FunctionName"], "private-ingest-dev-processor");
    // store (already), notify, poison, invalid, store (fails), store (new), notify
    // (keyed), notify (the keyed retry: already notified)
    assert_eq!(
        [
            &line["Stored"],
            &line["AlreadyStored"],
            &line["Notified"],
            &line["AlreadyNotified"],
            &line["Rejected"],
            &line["ItemFailures"],
            &line["BatchSize"],
            &line["BatchDurationMs"],
        ],
        [1, 1, 2, 1, 2, 1, 8, 35].map(Value::from).each_ref()
    );
    // The fixture's SentTimestamps are 1,000 ms apart by 100s; the added records' are
    // SENT_TIMESTAMP_MS.
    assert_eq!(
        line["MessageAgeMs"],
        serde_json::json!([1_000, 900, 800, 700, 600, 2_000, 2_000, 2_000])
    );
    let units: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Unit"].as_str().unwrap())
        .collect();
    assert_eq!(
        units,
        [
            "Count",
            "Count",
            "Count",
            "Count",
            "Count",
            "Count",
            "Count",
            "Milliseconds",
            "Milliseconds"
        ]
    );
}

fn batch_of(n: usize) -> BatchOutcomes {
    BatchOutcomes {
        messages: (0..n)
            .map(|i| MessageOutcome {
                message_id: format!("m-{i}"),
                outcome: Outcome::Stored,
                notification_outcome: None,
                sent_at_ms: Some(1_000 - i as i64),
            })
            .collect(),
    }
}

#[test]
fn a_hundred_ages_fit_on_the_batch_line() {
    let metrics = BatchMetrics::of(&batch_of(100), 1_000, Duration::ZERO);
    let lines = emf_lines(&metrics, &target(), 0);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        conforming(&lines[0])["MessageAgeMs"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[test]
fn past_a_hundred_ages_the_rest_go_on_lines_of_their_own_never_over_the_limit() {
    // GIVEN a batch of 250 (Lambda allows up to 10,000 with a batching window)
    let metrics = BatchMetrics::of(&batch_of(250), 1_000, Duration::ZERO);
    // WHEN written
    let lines: Vec<Value> = emf_lines(&metrics, &target(), 0)
        .iter()
        .map(|l| conforming(l))
        .collect();
    // THEN 100 + 100 + 50 ages, every age once and in order; the counts only once
    assert_eq!(lines.len(), 3);
    let ages: Vec<u64> = lines
        .iter()
        .flat_map(|l| l["MessageAgeMs"].as_array().unwrap().clone())
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ages, (0..250).collect::<Vec<u64>>());
    assert_eq!(lines[0]["Stored"], 250);
    for continuation in &lines[1..] {
        assert!(continuation.get("Stored").is_none());
        assert_eq!(
            continuation["_aws"]["CloudWatchMetrics"][0]["Metrics"],
            serde_json::json!([{"Name": "MessageAgeMs", "Unit": "Milliseconds"}])
        );
    }
}

#[test]
fn a_batch_without_sent_times_leaves_the_age_out_instead_of_an_empty_array() {
    let mut outcomes = batch_of(2);
    for m in &mut outcomes.messages {
        m.sent_at_ms = None;
    }
    let lines = emf_lines(
        &BatchMetrics::of(&outcomes, 0, Duration::ZERO),
        &target(),
        0,
    );
    let line = conforming(&lines[0]);
    assert!(line.get("MessageAgeMs").is_none());
    assert_eq!(line["BatchSize"], 2);
}
