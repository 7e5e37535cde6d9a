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

/// What an export returned, as JSON text read back by the core's strict parser: a number
/// that left as serde_json's internal map (or any other leak) fails here.
fn to_json(v: JsValue) -> Value {
    let text = js_sys::JSON::stringify(&v)
        .expect("export returns plain JSON")
        .as_string()
        .unwrap();
    private_ingest_core::strict_json::parse_strict(&text)
        .unwrap_or_else(|e| panic!("export returned {text}: {e:?}"))
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
fn validate_idempotency_key_matches_native_core_on_every_key() {
    let cases = fixture(include_str!("../../fixtures/idempotency-keys.json"));
    assert!(cases.len() >= 8);
    for case in cases {
        let errors = exports::validate_idempotency_key(case["key"].as_str().unwrap());
        assert_eq!(json!(errors), case["expected"], "case {:?}", case["name"]);
    }
}

#[wasm_bindgen_test]
fn build_record_hands_numbers_to_javascript_as_numbers() {
    // serde_json's arbitrary_precision is on in this build too (the core's feature): the
    // export must still give JavaScript numbers, not serde_json's internal map.
    let record = exports::build_record(
        r#"{"Insert":"DynamoDB","data":{"a":1.50,"big":12345678901234567890123456789012345678,"l":[7]}}"#,
        "m-1",
        1.0,
        0.0,
    )
    .unwrap();
    let data = js_sys::Reflect::get(&record, &"data".into()).unwrap();
    let a = js_sys::Reflect::get(&data, &"a".into()).unwrap();
    assert_eq!(a.as_f64(), Some(1.5));
    let big = js_sys::Reflect::get(&data, &"big".into()).unwrap();
    assert_eq!(big.as_f64(), Some(1.2345678901234568e37));
    let list = js_sys::Reflect::get(&data, &"l".into()).unwrap();
    assert_eq!(js_sys::Array::from(&list).get(0).as_f64(), Some(7.0));
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
    let schema = exports::request_schema().unwrap();
    assert_eq!(to_json(schema.clone()), fixture);
    // The number reaches JavaScript as a number (not serde_json's internal map).
    let insert = js_sys::Reflect::get(
        &js_sys::Reflect::get(&schema, &"properties".into()).unwrap(),
        &"Insert".into(),
    )
    .unwrap();
    let min_length = js_sys::Reflect::get(&insert, &"minLength".into()).unwrap();
    assert_eq!(min_length.as_f64(), Some(1.0));
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
    assert_eq!(
        to_json(exports::contract().unwrap()),
        json!({
            "requestFields": {"insert": "Insert", "data": "data"},
            "storeInsertValue": "DynamoDB",
            "messageAttributes": {
                "requestId": "requestId",
                "sourceVpce": "sourceVpce",
                "idempotencyKey": "idempotencyKey"
            },
            "idempotency": {
                "header": "Idempotency-Key",
                "maxKeyChars": 128,
                "alphabet": "A-Z a-z 0-9 - _ . :",
                "notificationDedupeSeconds": 86400
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
