//! The shared rules corpus (`fixtures/rules/corpus.json`), against native core: every
//! case's hand-written outcome (fired rules, record, notification, severity, subject),
//! and every invalid document's exact error lines. The Wasm module is held to the same
//! file by wasm/tests/parity.rs.

use private_ingest_core::rules::{preview, Preview};
use private_ingest_core::{parse_rules, NotificationContent, Rules};
use serde_json::Value;

const CORPUS: &str = include_str!("../../fixtures/rules/corpus.json");

/// The rules files of `fixtures/rules/`, by name.
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
    serde_json::from_str(CORPUS).expect("fixtures/rules/corpus.json is JSON")
}

/// A document's rules text: a file's content, or an inline document as JSON.
fn rules_text(rules: &Value) -> Option<String> {
    match rules {
        Value::Null => None,
        Value::String(name) => Some(
            FILES
                .iter()
                .find(|(file, _)| file == name)
                .unwrap_or_else(|| panic!("no fixture {name}"))
                .1
                .to_owned(),
        ),
        inline => Some(inline.to_string()),
    }
}

/// Where `preview` differs from what `case` says must happen.
fn differences(case: &Value, got: &Preview, ids_only: &Preview) -> Vec<String> {
    let names: Vec<&str> = got.fired.iter().map(|f| f.name.as_str()).collect();
    let want_names: Vec<&str> = case["fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut out = Vec::new();
    let mut check = |what: &str, ok: bool, detail: String| {
        if !ok {
            out.push(format!("{what}: {detail}"));
        }
    };
    let valid = case.get("valid").and_then(Value::as_bool).unwrap_or(true);
    check("valid", got.valid == valid, format!("{}", got.valid));
    if let Some(errors) = case.get("errors") {
        check(
            "errors",
            serde_json::json!(got.errors) == *errors,
            format!("{:?}", got.errors),
        );
    }
    check("fired", names == want_names, format!("{names:?}"));
    check(
        "store",
        Some(got.store) == case["store"].as_bool(),
        format!("{}", got.store),
    );
    check(
        "notify",
        Some(got.notify) == case["notify"].as_bool(),
        format!("{}", got.notify),
    );
    check(
        "severity",
        got.severity.map(|s| s.as_str()) == case["severity"].as_str(),
        format!("{:?}", got.severity),
    );
    check(
        "subject",
        got.subject.as_deref() == case["subject"].as_str(),
        format!("{:?}", got.subject),
    );
    if let Some(withheld) = case.get("subjectIdsOnly") {
        check(
            "subjectIdsOnly",
            ids_only.subject.as_deref() == withheld.as_str(),
            format!("{:?}", ids_only.subject),
        );
    }
    out
}

#[test]
fn every_case_does_what_it_says() {
    let corpus = corpus();
    let mut problems = Vec::new();
    let mut cases = 0;
    for document in corpus["documents"].as_array().unwrap() {
        let rules: Option<Rules> = rules_text(&document["rules"]).map(|text| {
            parse_rules(&text).unwrap_or_else(|e| panic!("{}: {e}", document["rules"]))
        });
        for case in document["cases"].as_array().unwrap() {
            cases += 1;
            let body = case["body"].as_str().unwrap();
            let got = preview(body, rules.as_ref(), NotificationContent::WithCallerData);
            let ids_only = preview(body, rules.as_ref(), NotificationContent::IdsOnly);
            for d in differences(case, &got, &ids_only) {
                problems.push(format!("{} / {}: {d}", document["rules"], case["meaning"]));
            }
        }
    }
    assert!(cases >= 20, "{cases} cases");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_invalid_document_gets_its_exact_errors() {
    let corpus = corpus();
    let invalid = corpus["invalid"].as_array().unwrap();
    assert!(invalid.len() >= 5);
    for case in invalid {
        let text = case["rules"].to_string();
        let errors = parse_rules(&text).expect_err(case["meaning"].as_str().unwrap());
        assert_eq!(
            serde_json::json!(errors.messages()),
            case["errors"],
            "{}",
            case["meaning"]
        );
    }
}

#[test]
fn each_rules_file_fits_the_lambda_environment_budget() {
    for (name, text) in FILES {
        let rules = parse_rules(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            rules.to_json().len() <= private_ingest_core::contract::rules::MAX_RULES_DOCUMENT_BYTES,
            "{name}"
        );
    }
}
