//! The Wasm exports give the same answers as native core on the shared vectors
//! (`fixtures/*.json`: each answer's wording as native core gives it, which
//! core/tests/corpus.rs checks against the hand-written meaning of each case). Runs under
//! Node and headless Chromium (scripts/wasm-test.sh).

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
        assert_eq!(answer, case["wording"], "case {:?}", case["name"]);
    }
}

#[wasm_bindgen_test]
fn validate_idempotency_key_matches_native_core_on_every_key() {
    let cases = fixture(include_str!("../../fixtures/idempotency-keys.json"));
    assert!(cases.len() >= 8);
    for case in cases {
        let errors = exports::validate_idempotency_key(case["key"].as_str().unwrap());
        assert_eq!(json!(errors), case["wording"], "case {:?}", case["name"]);
    }
}

/// A member of a JavaScript object, by path.
fn js_get(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |v, key| {
        js_sys::Reflect::get(&v, &(*key).into()).unwrap_or_else(|_| panic!("no {key}"))
    })
}

#[wasm_bindgen_test]
fn the_contract_and_the_stack_settings_hand_numbers_to_javascript_as_numbers() {
    // serde_json's arbitrary_precision is on in this build too (the core's feature): every
    // export must still give JavaScript numbers, not serde_json's internal map.
    let contract = exports::contract().unwrap();
    for (path, number) in [
        (&["limits", "maxBodyBytes"][..], 262_144.0),
        (&["idempotency", "maxKeyChars"][..], 128.0),
        (&["idempotency", "notificationDedupeSeconds"][..], 86_400.0),
        (&["responses", "sent", "status"][..], 200.0),
    ] {
        assert_eq!(js_get(&contract, path).as_f64(), Some(number), "{path:?}");
    }
    let deployable = fixture(include_str!("../../fixtures/stack-configs.json"))
        .into_iter()
        .find(|c| c["name"] == "a deployable config")
        .expect("the deployable vector");
    let answer = exports::stack_settings(js_sys_json(&deployable["config"]), "dev").unwrap();
    assert_eq!(js_get(&answer, &["ok"]).as_bool(), Some(true));
    assert_eq!(
        js_get(&answer, &["settings", "batchSize"]).as_f64(),
        Some(10.0)
    );
    assert_eq!(
        js_get(&answer, &["settings", "oldestMessageAlarmSeconds"]).as_f64(),
        Some(300.0)
    );
}

#[wasm_bindgen_test]
fn validate_stack_config_matches_native_core_on_every_config() {
    for case in fixture(include_str!("../../fixtures/stack-configs.json")) {
        // Through a real JS object, as the Pulumi program passes it.
        let config = js_sys_json(&case["config"]);
        let errors = exports::validate_stack_config(config);
        assert_eq!(json!(errors), case["wording"], "case {:?}", case["name"]);
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
fn the_contract_export_carries_every_shared_constant() {
    let answer = |status: u16, message: &str| json!({"status": status, "message": message});
    let headers = |policy: &str| {
        json!({
            "Content-Security-Policy": policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"
        })
    };
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
            "idempotency": {
                "header": "Idempotency-Key",
                "maxKeyChars": 128,
                "alphabet": "A-Z a-z 0-9 - _ . :",
                "notificationDedupeSeconds": 86400,
                "expiresAtAttribute": "expires_at"
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
                "notFound": answer(404, "Not found"),
                "refused": answer(400, "The request was refused"),
                "tooManyRequests": answer(429, "Too many requests; send it again later."),
                "recordNotRead": answer(502, "The record could not be read."),
                "pageNotRead": answer(502, "The page could not be read."),
                "invalidParameters": answer(400, "Invalid request parameters"),
                "methodNotAllowed": answer(405, "Method not allowed"),
                "requestTimeout": answer(408, "Request timeout"),
                "misdirected": answer(421, "Misdirected request"),
                "busy": answer(
                    503,
                    "The server is busy; nothing was accepted, send it again after Retry-After seconds"
                ),
                "internalError": answer(500, "Internal error")
            },
            "contentTypeError": "/: Content-Type must be application/json",
            "overTheLimitError":
                "/: body is over the limit of 262144 bytes (256 KiB, the SQS message size limit)",
            "securityHeaders": {
                "page": headers(
                    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
                     require-trusted-types-for 'script'; trusted-types 'none'; \
                     frame-ancestors 'none'"
                ),
                "resource": headers("default-src 'none'; frame-ancestors 'none'")
            },
            "deadLetterQueueSuffix": "-dlq",
            "functionEnvironment": {
                "tableName": "TABLE_NAME",
                "idempotencyTableName": "IDEMPOTENCY_TABLE_NAME",
                "topicArn": "TOPIC_ARN",
                "notificationIncludesData": "NOTIFICATION_INCLUDES_DATA",
                "metricsNamespace": "METRICS_NAMESPACE",
                "routingRules": "ROUTING_RULES"
            },
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
        (
            "alreadyNotified",
            "AlreadyNotified",
            "private_ingest_already_notified_total",
        ),
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
