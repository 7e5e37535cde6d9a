//! The routing rules' exports hold to the shared rules corpus (`fixtures/rules/
//! corpus.json`, hand-written) as native core does (core/tests/rules_corpus.rs): every
//! case's fired rules, record, notification, severity and subject, every invalid
//! document's exact errors. Runs under Node and headless Chromium.

use private_ingest_wasm as exports;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const FILES: [(&str, &str); 3] = [
    (
        "iot-thresholds.json",
        include_str!("../../fixtures/rules/iot-thresholds.json"),
    ),
    (
        "monitoring-alerts.json",
        include_str!("../../fixtures/rules/monitoring-alerts.json"),
    ),
    (
        "order-priority.json",
        include_str!("../../fixtures/rules/order-priority.json"),
    ),
];

fn corpus() -> Value {
    serde_json::from_str(include_str!("../../fixtures/rules/corpus.json")).unwrap()
}

fn to_json(v: JsValue) -> Value {
    let text = js_sys::JSON::stringify(&v).unwrap().as_string().unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rules_text(rules: &Value) -> Option<String> {
    match rules {
        Value::Null => None,
        Value::String(name) => FILES
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, text)| (*text).to_owned()),
        inline => Some(inline.to_string()),
    }
}

#[wasm_bindgen_test]
fn preview_rules_does_what_every_case_says() {
    let corpus = corpus();
    let mut cases = 0;
    for document in corpus["documents"].as_array().unwrap() {
        let rules = rules_text(&document["rules"]);
        for case in document["cases"].as_array().unwrap() {
            cases += 1;
            let body = case["body"].as_str().unwrap();
            let got = to_json(exports::preview_rules(rules.clone(), body, true).unwrap());
            let meaning = &case["meaning"];
            let names: Vec<Value> = got["fired"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].clone())
                .collect();
            assert_eq!(json!(names), case["fired"], "{meaning}");
            for field in ["store", "notify", "severity", "subject"] {
                assert_eq!(got[field], case[field], "{field}: {meaning}");
            }
            assert_eq!(
                got["valid"],
                case.get("valid").cloned().unwrap_or(json!(true)),
                "{meaning}"
            );
            if let Some(errors) = case.get("errors") {
                assert_eq!(&got["errors"], errors, "{meaning}");
            }
            if let Some(withheld) = case.get("subjectIdsOnly") {
                let ids_only = to_json(exports::preview_rules(rules.clone(), body, false).unwrap());
                assert_eq!(&ids_only["subject"], withheld, "{meaning}");
            }
        }
    }
    assert!(cases >= 20, "{cases} cases");
}

#[wasm_bindgen_test]
fn check_rules_gives_every_invalid_document_its_exact_errors() {
    let corpus = corpus();
    for case in corpus["invalid"].as_array().unwrap() {
        let got = to_json(exports::check_rules(&case["rules"].to_string()).unwrap());
        assert_eq!(got["ok"], false, "{}", case["meaning"]);
        assert_eq!(got["errors"], case["errors"], "{}", case["meaning"]);
    }
    for (name, text) in FILES {
        let got = to_json(exports::check_rules(text).unwrap());
        assert_eq!(got["ok"], true, "{name}");
        assert!(
            got["compact"].as_str().unwrap().len() < text.len(),
            "{name}"
        );
    }
}

#[wasm_bindgen_test]
fn rules_in_force_is_what_the_page_reads() {
    let iot = FILES[0].1;
    let published: Value =
        serde_json::from_str(&exports::rules_in_force(Some(iot.to_owned()), false).unwrap())
            .unwrap();
    assert_eq!(
        published["rules"],
        serde_json::from_str::<Value>(iot).unwrap()
    );
    assert_eq!(published["notificationIncludesData"], false);
    assert_eq!(
        exports::rules_in_force(None, true).unwrap(),
        r#"{"rules":null,"notificationIncludesData":true}"#
    );
}

#[wasm_bindgen_test]
fn read_rules_in_force_lists_each_rule_and_keeps_every_digit() {
    let iot = FILES[0].1;
    let published = exports::rules_in_force(Some(iot.to_owned()), true).unwrap();
    let view = to_json(exports::read_rules_in_force(&published).unwrap());
    assert_eq!(view["ok"], true);
    assert_eq!(view["notificationIncludesData"], true);
    assert_eq!(view["otherwise"], json!(["store"]));
    assert_eq!(
        view["lines"][0],
        json!({"name": "overheat",
               "description": "Above 80 degrees Celsius: the sensor's site needs a look.",
               "when": "/data/temperature gt 80", "then": ["store", "notify"],
               "severity": "high", "subject": "Temperature {/data/temperature} at {/data/sensor}"})
    );
    let exact = r#"{"rules":{"rules":[{"name":"n","when":{"path":"/data/n","op":"gt","value":12345678901234567890123456789012345678},"then":["notify"]}]},"notificationIncludesData":false}"#;
    let view = to_json(exports::read_rules_in_force(exact).unwrap());
    assert_eq!(
        view["lines"][0]["when"],
        "/data/n gt 12345678901234567890123456789012345678"
    );
    let body = r#"{"Insert":"x","data":{"n":12345678901234567890123456789012345679}}"#;
    let fired = to_json(
        exports::preview_rules(view["rules"].as_str().map(str::to_owned), body, false).unwrap(),
    );
    assert_eq!(
        fired["fired"][0]["name"], "n",
        "one more than the threshold, told apart"
    );
    let none = to_json(
        exports::read_rules_in_force(r#"{"rules":null,"notificationIncludesData":false}"#).unwrap(),
    );
    assert_eq!((&none["rules"], &none["lines"]), (&Value::Null, &json!([])));
}
