//! The Wasm exports give the same answers as native core on the shared vectors
//! (`fixtures/*.json`, whose expected answers native core produced and
//! core/tests/corpus.rs checks). Runs under Node and headless Chromium (scripts/wasm-test.sh).

use private_ingest_wasm as exports;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn fixture(text: &str) -> Vec<Value> {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn to_json(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("export returns plain JSON")
}

#[wasm_bindgen_test]
fn validate_matches_native_core_on_every_body() {
    let cases = fixture(include_str!("../../fixtures/requests.json"));
    assert!(cases.len() >= 30);
    for case in cases {
        let body = case["body"].as_str().unwrap();
        let answer = to_json(exports::validate(body).unwrap());
        assert_eq!(answer, case["expected"], "case {:?}", case["name"]);
    }
}

#[wasm_bindgen_test]
fn validate_stack_config_matches_native_core_on_every_config() {
    for case in fixture(include_str!("../../fixtures/stack-configs.json")) {
        // Through a real JS object, as the Pulumi program passes it.
        let config = js_sys_json(&case["config"]);
        let errors = exports::validate_stack_config(config);
        assert_eq!(json!(errors), case["expected"], "case {:?}", case["name"]);
    }
}

#[wasm_bindgen_test]
fn request_schema_is_the_native_schema() {
    let fixture: Value =
        serde_json::from_str(include_str!("../../fixtures/request-schema.json")).unwrap();
    assert_eq!(to_json(exports::request_schema().unwrap()), fixture);
}

#[wasm_bindgen_test]
fn build_record_makes_the_contract_record_and_explains_refusals() {
    let record = exports::build_record(
        r#"{"Insert":"DynamoDB","data":{"k":[1,"two"]}}"#,
        "m-1",
        42.0,
        1_700_000_000_456.0,
    )
    .unwrap();
    assert_eq!(
        to_json(record),
        json!({
            "id": "m-1",
            "random_value": 42,
            "message": "Random value is 42",
            "timestamp": "2023-11-14T22:13:20.456Z",
            "data": {"k": [1, "two"]}
        })
    );
    assert!(exports::build_record(r#"{"Insert":"x"}"#, "m", 1.0, 0.0).is_err());
    assert!(exports::build_record(r#"{"Insert":"DynamoDB"}"#, "m", 101.0, 0.0).is_err());
    assert!(exports::build_record(r#"{"Insert":"DynamoDB"}"#, "m", 1.0, 0.5).is_err());
}

#[wasm_bindgen_test]
fn the_contract_export_carries_every_shared_constant() {
    let answer = |status: u16, message: &str| json!({"status": status, "message": message});
    let mut contract = to_json(exports::contract().unwrap());
    let metrics = contract
        .as_object_mut()
        .unwrap()
        .remove("metrics")
        .expect("the metrics");
    assert_eq!(
        contract,
        json!({
            "requestFields": {"insert": "Insert", "data": "data"},
            "storeInsertValue": "DynamoDB",
            "messageAttributes": {
                "requestId": "requestId",
                "sourceVpce": "sourceVpce",
                "idempotencyKey": "idempotencyKey"
            },
            "responses": {
                "sent": answer(200, "Message sent successfully."),
                "invalidBody": answer(400, "Invalid request body"),
                "tooLarge": answer(413, "Request body too large"),
                "unsupportedMediaType": answer(415, "Unsupported media type"),
                "notQueued": answer(
                    503,
                    "The message could not be queued; it was not accepted, send it again."
                ),
                "notFound": answer(404, "Not found")
            },
            "contentTypeError": "/: Content-Type must be application/json",
            "deadLetterQueueSuffix": "-dlq",
            "limits": {"maxBodyBytes": 262144, "maxDepth": 32}
        })
    );
    // The metrics: each one's CloudWatch name, unit and kind, and its Prometheus name.
    let spec = |m: &Value| {
        assert!(m["help"].as_str().is_some_and(|h| !h.is_empty()), "{m}");
        [&m["name"], &m["unit"], &m["kind"], &m["prometheusName"]]
            .map(|v| v.as_str().unwrap().to_owned())
    };
    let counters = [
        ("stored", "Stored", "private_ingest_stored_total"),
        (
            "alreadyStored",
            "AlreadyStored",
            "private_ingest_already_stored_total",
        ),
        ("notified", "Notified", "private_ingest_notified_total"),
        ("rejected", "Rejected", "private_ingest_rejected_total"),
        (
            "itemFailures",
            "ItemFailures",
            "private_ingest_item_failures_total",
        ),
    ];
    for (key, name, prometheus) in counters {
        assert_eq!(spec(&metrics[key]), [name, "Count", "counter", prometheus]);
    }
    assert_eq!(
        spec(&metrics["batchSize"]),
        [
            "BatchSize",
            "Count",
            "distribution",
            "private_ingest_batch_size"
        ]
    );
    assert_eq!(
        spec(&metrics["batchDurationMs"]),
        [
            "BatchDurationMs",
            "Milliseconds",
            "distribution",
            "private_ingest_batch_duration_seconds"
        ]
    );
    assert_eq!(
        spec(&metrics["messageAgeMs"]),
        [
            "MessageAgeMs",
            "Milliseconds",
            "distribution",
            "private_ingest_message_age_seconds"
        ]
    );
    assert_eq!(metrics["defaultNamespace"], "PrivateIngest");
    assert_eq!(metrics["dimension"], "FunctionName");
    assert_eq!(
        metrics["local"],
        json!({
            "accepted": "private_ingest_accepted_total",
            "acceptLatency": "private_ingest_accept_latency_seconds",
            "endToEndLatency": "private_ingest_end_to_end_latency_seconds",
            "queueVisible": "private_ingest_queue_visible_messages",
            "queueInFlight": "private_ingest_queue_in_flight_messages",
            "deadLetters": "private_ingest_dead_letter_messages",
            "oldestMessageAge": "private_ingest_oldest_message_age_seconds",
            "commitGroupSize": "private_ingest_commit_group_size"
        })
    );
}

#[wasm_bindgen_test]
fn limits_are_the_contract_limits() {
    assert_eq!(
        to_json(exports::limits().unwrap()),
        json!({"maxBodyBytes": 262144, "maxDepth": 32})
    );
}

/// A JS object built by `JSON.parse`, as any JavaScript caller would hold it.
fn js_sys_json(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).expect("valid JSON")
}
