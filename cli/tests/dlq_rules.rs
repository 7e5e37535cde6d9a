//! `dlq list | inspect | redrive --dry-run` predict a replay under the routing rules in
//! force: the real `private-ingest` binary against the real local stack started with
//! `--rules fixtures/rules/iot-thresholds.json` (dead letters made with
//! `--fail-first-attempts`), and `--rules FILE` for a DLQ in AWS (a bad file is refused
//! before AWS is called).

mod support;

use std::time::Duration;

use private_ingest_testkit::fixtures::rules_file;
use private_ingest_testkit::local_stack::LocalStack;
use serde_json::{json, Value};
use support::run;

const WAIT: Duration = Duration::from_secs(20);

/// `(would, count)` of each group of an `inspect` or `--dry-run` document.
fn group_counts(document: &Value) -> Vec<(String, u64)> {
    document["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["would"].as_str().unwrap().to_owned(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dlq_predicts_with_the_local_stacks_rules_in_force() {
    // GIVEN the IoT rules in force, and a store and notifier that fail every attempt
    let iot = rules_file("iot-thresholds.json");
    let (stack, _data) = LocalStack::start_fresh(&[
        "--rules",
        &iot,
        "--fail-first-attempts",
        "100",
        "--max-receive-count",
        "2",
        "--visibility-timeout",
        "1",
    ]);
    // Insert alone would notify for all but the last; the rules decide otherwise.
    let bodies = [
        (
            "hot",
            r#"{"Insert":"iot","data":{"sensor":"gh-3","temperature":81.5}}"#,
        ),
        (
            "cold",
            r#"{"Insert":"iot","data":{"sensor":"gh-1","temperature":-2}}"#,
        ),
        (
            "at80",
            r#"{"Insert":"iot","data":{"sensor":"gh-3","temperature":80}}"#,
        ),
        (
            "maint",
            r#"{"Insert":"DynamoDB","data":{"sensor":"gh-2","battery":5,"maintenance":true}}"#,
        ),
    ];
    let mut ids = std::collections::BTreeMap::new();
    for (name, body) in bodies {
        let sent = run(stack.base_url(), &["send", body, "--json"])
            .expect(0)
            .json();
        ids.insert(
            sent["answer"]["messageId"].as_str().unwrap().to_owned(),
            name,
        );
    }
    stack.api().wait_for_dead_letters(4, WAIT).await;

    // WHEN they are listed
    let listed = run(stack.base_url(), &["dlq", "list", "--json"])
        .expect(0)
        .json();
    // THEN each "would" is the rules' verdict, as the handler's log `route` says it
    let would: std::collections::BTreeMap<&str, &str> = listed["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                ids[d["message_id"].as_str().unwrap()],
                d["would"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        would,
        [
            ("at80", "store"),
            ("cold", "store+notify"),
            ("hot", "store+notify"),
            ("maint", "store"),
        ]
        .into()
    );
    assert_eq!(
        listed["routing"],
        json!({"by": "rules", "from": "local", "file": null,
               "rules": ["overheat", "freezing", "low-battery"]})
    );

    // AND inspect and a dry run group them so, in JSON and in text
    let inspected = run(stack.base_url(), &["dlq", "inspect", "--json"])
        .expect(0)
        .json();
    let expected = [("store".to_owned(), 2), ("store+notify".to_owned(), 2)];
    assert_eq!(group_counts(&inspected), expected);
    assert_eq!(inspected["routing"]["by"], "rules");
    let human = run(stack.base_url(), &["dlq", "inspect"]).expect(0);
    assert!(
        human.stdout.contains(
            "routing: the local stack's rules in force (overheat, freezing, low-battery)\n"
        ),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("2  would store a record and publish a notification"),
        "{}",
        human.stdout
    );
    let dry = run(stack.base_url(), &["dlq", "redrive", "--dry-run", "--json"])
        .expect(0)
        .json();
    assert_eq!(group_counts(&dry), expected);
    assert_eq!(dry["would_move"], 4);

    // AND a --rules file beside the local stack is not used, and the text says so
    let other = rules_file("order-priority.json");
    let beside = run(stack.base_url(), &["dlq", "inspect", "--rules", &other]).expect(0);
    assert!(
        beside
            .stdout
            .contains("(overheat, freezing, low-battery); --rules "),
        "{}",
        beside.stdout
    );
    assert!(
        beside
            .stdout
            .contains("2  would store a record and publish a notification"),
        "{}",
        beside.stdout
    );
}

#[test]
fn in_aws_a_bad_rules_file_is_refused_before_aws_is_called() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("rules.json");
    std::fs::write(
        &bad,
        r#"{"rules":[{"name":"hot","when":{"path":"/data/t","op":"gte","value":80},"then":["notify"]}]}"#,
    )
    .unwrap();
    // Port 9 (discard) is never an SQS endpoint: a request there would fail with exit 1.
    let refused = run(
        "http://127.0.0.1:9",
        &[
            "dlq",
            "inspect",
            "--dlq-url",
            "http://127.0.0.1:9/000000000000/q-dlq",
            "--rules",
            bad.to_str().unwrap(),
            "--json",
        ],
    )
    .expect(2)
    .json();
    let error = refused["error"].as_str().unwrap();
    assert!(error.starts_with("--rules "), "{error}");
    assert!(
        error.contains("rules[0].when.op: \"gte\" is not an operator"),
        "{error}"
    );
}
