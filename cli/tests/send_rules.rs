//! `send` predicts its route, and `--follow` waits, by the routing rules in force: the real
//! `private-ingest` binary against the real local stack started with `--rules` (the IoT
//! thresholds fixture, and a notify-only rule), and `--rules FILE` for the cloud (a bad
//! file is refused before anything is sent).

mod support;

use private_ingest_testkit::fixtures::rules_file;
use private_ingest_testkit::local_stack::LocalStack;
use serde_json::json;
use support::run;

fn iot_rules() -> String {
    rules_file("iot-thresholds.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_under_the_iot_rules_follows_the_record_and_the_notification() {
    // GIVEN the IoT rules in force: over 80 degrees stores and notifies, otherwise stores
    let (stack, _data) = LocalStack::start_fresh(&["--rules", &iot_rules()]);

    // WHEN an 81.5 reading is sent (Insert alone would only notify)
    let hot = r#"{"Insert":"iot","data":{"sensor":"gh-3","temperature":81.5}}"#;
    let sent = run(stack.base_url(), &["send", hot, "--follow", "--json"])
        .expect(0)
        .json();

    // THEN the route is the rules' store+notify, and follow shows both outcomes
    assert_eq!(sent["route"], "store+notify", "{sent}");
    assert_eq!(
        sent["routing"],
        json!({"by": "rules", "from": "local", "file": null,
               "rules": ["overheat", "freezing", "low-battery"]})
    );
    let message_id = sent["answer"]["messageId"].as_str().unwrap().to_owned();
    let follow = &sent["follow"];
    assert_eq!(follow["outcome"], "stored_and_notified", "{follow}");
    assert_eq!(follow["record"]["id"], message_id.as_str());
    assert_eq!(
        follow["record"]["data"],
        json!({"sensor": "gh-3", "temperature": 81.5})
    );
    assert_eq!(follow["notification"]["message_id"], message_id.as_str());
    assert_eq!(follow["notification"]["kind"], "notify");
    let (_, stored) = stack.api().get(&format!("/messages/{message_id}")).await;
    assert_eq!(&stored, &follow["record"], "what follow printed is stored");

    // AND a 20 reading is stored only: no notification is waited for
    let mild = r#"{"Insert":"iot","data":{"sensor":"gh-3","temperature":20}}"#;
    let sent = run(stack.base_url(), &["send", mild, "--follow", "--json"])
        .expect(0)
        .json();
    assert_eq!(sent["route"], "store", "{sent}");
    assert_eq!(sent["follow"]["outcome"], "stored");
    assert!(sent["follow"].get("notification").is_none(), "{sent}");
    let (_, notifications) = stack.api().get("/notifications?limit=100").await;
    let mild_id = &sent["answer"]["messageId"];
    assert!(
        !notifications["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| &n["message_id"] == mild_id),
        "the 20 reading was notified: {notifications}"
    );

    // AND the text says the route and which routing decided it
    let human = run(stack.base_url(), &["send", hot, "--follow"]).expect(0);
    assert!(
        human.stdout.contains("route store+notify\nrouting: the local stack's rules in force (overheat, freezing, low-battery)\n"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("stored and notified after"),
        "{}",
        human.stdout
    );

    // AND a body the core refuses is still refused before sending, as without rules
    let refused = run(stack.base_url(), &["send", r#"{"Insert":1}"#, "--json"]).expect(2);
    let document = refused.json();
    assert_eq!(document["sent"], false);
    assert_eq!(document["status"], 400);
    assert_eq!(
        document["answer"]["errors"],
        json!(["/Insert: expected a string, found number"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_under_a_notify_only_rule_follows_the_notification() {
    // GIVEN a rule that only notifies, for a body Insert alone would store
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("ping.json");
    std::fs::write(
        &rules,
        r#"{"rules": [{"name": "ping", "when": {"path": "/data/kind", "op": "eq", "value": "ping"},
                       "then": ["notify"]}], "otherwise": ["store"]}"#,
    )
    .unwrap();
    let (stack, _data) = LocalStack::start_fresh(&["--rules", &rules.display().to_string()]);

    let sent = run(
        stack.base_url(),
        &[
            "send",
            r#"{"Insert":"DynamoDB","data":{"kind":"ping"}}"#,
            "--follow",
            "--json",
        ],
    )
    .expect(0)
    .json();

    assert_eq!(sent["route"], "notify", "{sent}");
    assert_eq!(sent["follow"]["outcome"], "notified", "{sent}");
    assert_eq!(
        sent["follow"]["notification"]["message_id"],
        sent["answer"]["messageId"]
    );
}

#[test]
fn a_bad_rules_file_for_the_cloud_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"rules":[{"name":"a","when":{"path":"/data/t","op":"gte","value":1}}]}"#,
    )
    .unwrap();
    // Port 9 (discard) on loopback: were anything sent, the run would fail to connect (1).
    let refused = run(
        "https://127.0.0.1:9",
        &[
            "send",
            r#"{"Insert":"x"}"#,
            "--rules",
            &bad.display().to_string(),
            "--json",
        ],
    )
    .expect(2);
    let document = refused.json();
    assert!(
        document["error"]
            .as_str()
            .unwrap()
            .contains("the routing rules are invalid: rules[0].when.op"),
        "{document}"
    );
}
