//! The local stack end to end with routing rules (`--rules`), against the real binary:
//! with `fixtures/rules/iot-thresholds.json`, a reading over the threshold makes a record
//! and an alert naming the rule, a reading under it a record only; `GET /rules` shows the
//! rules in force; a bad rules file stops the start with every problem named.

use std::process::{Command, Stdio};
use std::time::Duration;

use private_ingest_testkit::fixtures::rules_file;
use private_ingest_testkit::local_stack::{binary, LocalStack, TempDataDir};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_threshold_a_record_and_an_alert_under_it_a_record_only() {
    let iot = rules_file("iot-thresholds.json");
    let (stack, _dir) = LocalStack::start_fresh(&["--rules", &iot, "--notification-includes-data"]);
    let api = stack.api();

    // WHEN a reading over 80 and one at 80 are sent
    let hot = api
        .send_ok(r#"{"Insert":"iot","data":{"sensor":"greenhouse-3","temperature":80.5}}"#)
        .await;
    let mild = api
        .send_ok(r#"{"Insert":"iot","data":{"sensor":"greenhouse-3","temperature":80}}"#)
        .await;

    // THEN both are records, with their numbers as sent
    let hot_record = api.wait_for_record(&hot, WAIT).await;
    assert_eq!(hot_record["data"]["temperature"].to_string(), "80.5");
    let mild_record = api.wait_for_record(&mild, WAIT).await;
    assert_eq!(mild_record["data"]["temperature"].to_string(), "80");
    // AND only the hot one is an alert, naming the rule, its severity and its subject
    let alert = api.wait_for_notification(&hot, WAIT).await;
    assert_eq!(
        alert["rules"],
        json!([{"name": "overheat", "severity": "high"}])
    );
    assert_eq!(alert["severity"], "high");
    assert_eq!(alert["subject"], "Temperature 80.5 at greenhouse-3");
    assert!(
        alert["text"]
            .as_str()
            .unwrap()
            .contains("Rule \"overheat\" fired (severity high)."),
        "{alert}"
    );
    let health = api.wait_until_drained(WAIT).await;
    assert_eq!(health["records"], 2, "{health}");
    let all = api.list_all("/notifications", "notifications").await;
    assert_eq!(all.len(), 1, "no alert for the mild reading: {all:?}");
    assert_eq!(health["queue"]["dead_letters"], 0, "{health}");
    // AND the metrics count both records and the one alert
    let text = reqwest::get(api.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "private_ingest_stored_total 2",
        "private_ingest_notified_total 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_rules_shows_the_rules_in_force() {
    let iot = rules_file("iot-thresholds.json");
    let (stack, _dir) = LocalStack::start_fresh(&["--rules", &iot]);
    let (status, answer) = stack.api().get("/rules").await;
    assert_eq!(status, 200);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&iot).unwrap()).unwrap();
    assert_eq!(answer["rules"], file, "the document as in force");
    assert_eq!(answer["notificationIncludesData"], false);

    let (plain, _dir) = LocalStack::start_fresh(&[]);
    let (status, answer) = plain.api().get("/rules").await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"rules": null, "notificationIncludesData": false}),
        "no rules: the routing on Insert"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rules_the_original_routing_is_unchanged() {
    let (stack, _dir) = LocalStack::start_fresh(&[]);
    let api = stack.api();
    let stored = api
        .send_ok(r#"{"Insert":"DynamoDB","data":{"temperature":99}}"#)
        .await;
    let notified = api.send_ok(r#"{"Insert":"Dynamoooo"}"#).await;
    api.wait_for_record(&stored, WAIT).await;
    let n = api.wait_for_notification(&notified, WAIT).await;
    assert_eq!(n["reason"], "No DynamoDB insertion requested.");
    assert!(n.get("rules").is_none(), "{n}");
}

#[test]
fn a_bad_rules_file_stops_the_start_naming_each_problem() {
    let data = TempDataDir::new();
    std::fs::create_dir_all(data.path()).unwrap();
    let bad = data.path().join("bad-rules.json");
    std::fs::write(
        &bad,
        r#"{"rules":[{"name":"overheat","when":{"path":"/data/temperature","op":"gte","value":80},"then":["store","notify"]},
                     {"name":"cold","when":{"path":"/data/temperature","op":"lt","value":"0"},"then":["notify"]}]}"#,
    )
    .unwrap();
    let db_dir = data.path().join("db");
    let out = Command::new(binary())
        .args(["--listen", "127.0.0.1:0", "--rules"])
        .arg(&bad)
        .arg("--data-dir")
        .arg(&db_dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "started with a bad rules file");
    assert!(out.stdout.is_empty(), "no URL was printed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!(
        "the routing rules {} are invalid:\n  rules[0].when.op: \"gte\" is not an operator; one of eq, ne, lt, le, gt, ge, exists, in, prefix (did you mean \"ge\"?)\n  rules[1].when.value: \"lt\" compares numbers; found string",
        bad.display()
    )), "{stderr}");
    assert!(!db_dir.exists(), "nothing was created on disk");
}
