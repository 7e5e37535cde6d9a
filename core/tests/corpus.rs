//! The shared corpus (`fixtures/requests.json`): native core gives the recorded answers,
//! and the JSON Schema export agrees with the parser on every body.

use private_ingest_core::{
    parse_message_str, request_schema, validate, validate_idempotency_key, ErrorCode,
};
use serde_json::Value;

const CORPUS: &str = include_str!("../../fixtures/requests.json");

fn corpus() -> Vec<Value> {
    serde_json::from_str(CORPUS).expect("fixtures/requests.json is JSON")
}

#[test]
fn the_corpus_covers_both_routes_and_many_rejections() {
    let cases = corpus();
    let count =
        |pred: &dyn Fn(&Value) -> bool| cases.iter().filter(|c| pred(&c["expected"])).count();
    assert!(count(&|e| e["route"] == "store") >= 3);
    assert!(count(&|e| e["route"] == "notify") >= 3);
    assert!(count(&|e| e["ok"] == false) >= 20);
}

#[test]
fn native_core_gives_the_recorded_answer_for_every_body() {
    for case in corpus() {
        let body = case["body"].as_str().unwrap();
        let actual = serde_json::to_value(validate(body)).unwrap();
        assert_eq!(actual, case["expected"], "case {:?}", case["name"]);
    }
}

#[test]
fn the_json_schema_and_the_parser_agree_on_every_json_body() {
    let schema = request_schema();
    let validator = jsonschema::draft4::new(&schema).expect("the schema is valid draft-04");
    let mut compared = 0;
    for case in corpus() {
        let body = case["body"].as_str().unwrap();
        // Bodies that are not JSON never reach a schema validator.
        let Ok(value) = serde_json::from_str::<Value>(body) else {
            continue;
        };
        let parsed = parse_message_str(body);
        // Draft-04 cannot express the nesting limit or DynamoDB's number range and
        // precision anywhere in `data`, and a schema validator sees a parsed value, where
        // duplicate keys are gone and an object may have become a number; the handler
        // enforces all of these (a "rejected" alert), so the schema accepting such a body is
        // expected.
        let limits_only = parsed.as_ref().err().is_some_and(|e| {
            e.errors().iter().all(|f| {
                matches!(
                    f.code,
                    ErrorCode::TooDeep
                        | ErrorCode::OutOfRange
                        | ErrorCode::TooManyDigits
                        | ErrorCode::DuplicateKey
                        | ErrorCode::ReservedKey
                )
            })
        });
        if limits_only {
            assert!(validator.is_valid(&value), "case {:?}", case["name"]);
            continue;
        }
        assert_eq!(
            validator.is_valid(&value),
            parsed.is_ok(),
            "schema and parser disagree on case {:?}",
            case["name"]
        );
        compared += 1;
    }
    assert!(compared >= 25, "only {compared} bodies compared");
}

#[test]
fn the_corpus_covers_strict_json() {
    let codes: Vec<ErrorCode> = corpus()
        .iter()
        .filter_map(|c| parse_message_str(c["body"].as_str().unwrap()).err())
        .flat_map(|e| e.errors().iter().map(|f| f.code).collect::<Vec<_>>())
        .collect();
    for code in [
        ErrorCode::DuplicateKey,
        ErrorCode::ReservedKey,
        ErrorCode::OutOfRange,
        ErrorCode::TooManyDigits,
    ] {
        assert!(codes.contains(&code), "no case of {code:?}");
    }
    assert!(
        corpus().iter().any(|c| c["expected"]["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|l| l.as_str().unwrap().contains("… and")))),
        "no case of a capped error list"
    );
}

#[test]
fn native_core_gives_the_recorded_errors_for_every_idempotency_key() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("../../fixtures/idempotency-keys.json")).unwrap();
    assert!(
        cases
            .iter()
            .filter(|c| c["expected"] == serde_json::json!([]))
            .count()
            >= 3
    );
    assert!(
        cases
            .iter()
            .filter(|c| c["expected"] != serde_json::json!([]))
            .count()
            >= 5
    );
    for case in cases {
        let errors = validate_idempotency_key(case["key"].as_str().unwrap());
        assert_eq!(
            serde_json::to_value(errors).unwrap(),
            case["expected"],
            "case {:?}",
            case["name"]
        );
    }
}

#[test]
fn native_core_gives_the_recorded_errors_for_every_stack_config() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("../../fixtures/stack-configs.json")).unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let errors: Vec<String> = private_ingest_core::validate_stack_config(&case["config"])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            serde_json::to_value(errors).unwrap(),
            case["expected"],
            "case {:?}",
            case["name"]
        );
    }
}

#[test]
fn the_schema_fixture_is_the_exported_schema() {
    let fixture: Value =
        serde_json::from_str(include_str!("../../fixtures/request-schema.json")).unwrap();
    assert_eq!(fixture, request_schema());
}
