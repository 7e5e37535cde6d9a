//! The shared vectors (`fixtures/requests.json`, `fixtures/idempotency-keys.json`,
//! `fixtures/stack-configs.json`): each
//! recorded wording says what the case's hand-written `meaning` says (the route, and each
//! error's path or key and key words), native core gives the recorded wording, and the
//! JSON Schema export agrees with the parser on every body.
//!
//! The wording is a snapshot that `bless_corpus --accept` rewrites; the meaning is never
//! generated, so a change that makes an answer wrong fails here even after a bless.

use private_ingest_core::{
    parse_message_str, request_schema, validate, validate_idempotency_key, ErrorCode,
};
use serde_json::Value;

const CORPUS: &str = include_str!("../../fixtures/requests.json");

fn corpus() -> Vec<Value> {
    serde_json::from_str(CORPUS).expect("fixtures/requests.json is JSON")
}

fn idempotency_keys() -> Vec<Value> {
    serde_json::from_str(include_str!("../../fixtures/idempotency-keys.json"))
        .expect("fixtures/idempotency-keys.json is JSON")
}

fn stack_configs() -> Vec<Value> {
    serde_json::from_str(include_str!("../../fixtures/stack-configs.json"))
        .expect("fixtures/stack-configs.json is JSON")
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("a string: {v}")))
        .collect()
}

/// Each line of `lines` is `<prefix><separator><reason>` as `meanings` (in order) say:
/// the prefix exactly, every key word in the reason. Returns what does not match.
fn lines_mean(lines: &[&str], meanings: &[Value], prefix: &str, separator: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if lines.len() != meanings.len() {
        problems.push(format!(
            "{} error lines, the meaning has {}",
            lines.len(),
            meanings.len()
        ));
    }
    for (line, meaning) in lines.iter().zip(meanings) {
        let expected = meaning[prefix]
            .as_str()
            .expect("each meaning names its place");
        match line.split_once(separator) {
            Some((place, reason)) if place == expected => {
                for word in strings(&meaning["words"]) {
                    if !reason.contains(word) {
                        problems.push(format!("{line:?} lacks {word:?}"));
                    }
                }
            }
            _ => problems.push(format!("{line:?} is not about {expected:?}")),
        }
    }
    problems
}

#[test]
fn the_corpus_covers_both_routes_and_many_rejections() {
    let cases = corpus();
    let count = |route: Value| {
        cases
            .iter()
            .filter(|c| c["meaning"]["route"] == route)
            .count()
    };
    assert!(count("store".into()) >= 3);
    assert!(count("notify".into()) >= 3);
    assert!(count(Value::Null) >= 20);
}

/// Fails, listing every case whose wording does not say what its meaning says
/// (`problems` of one case, empty when it does).
fn assert_every_case_means(cases: &[Value], problems: impl Fn(&Value) -> Vec<String>) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let found = problems(case);
            (!found.is_empty()).then(|| format!("{}: {}", case["name"], found.join("; ")))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "wordings that do not say what their case means:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_recorded_wording_says_what_its_case_means() {
    assert_every_case_means(&corpus(), |case| {
        let (meaning, wording) = (&case["meaning"], &case["wording"]);
        let route = &meaning["route"];
        assert!(
            ["store", "notify"].contains(&route.as_str().unwrap_or("")) || route.is_null(),
            "{}: meaning.route is store, notify or null",
            case["name"]
        );
        let mut problems = Vec::new();
        if wording["route"] != *route {
            problems.push(format!("route {} is not {route}", wording["route"]));
        }
        if wording["ok"] != Value::Bool(!route.is_null()) {
            problems.push(format!("ok is {} for route {route}", wording["ok"]));
        }
        let no_errors = Vec::new();
        let meant = meaning["errors"].as_array().unwrap_or(&no_errors);
        problems.extend(lines_mean(
            &strings(&wording["errors"]),
            meant,
            "path",
            ": ",
        ));
        problems
    });
}

/// [`assert_every_case_means`] for vectors whose wording is a list of `<key>: <reason>`
/// lines (stack settings, `Idempotency-Key` headers).
fn assert_every_keyed_case_means(cases: &[Value]) {
    assert_every_case_means(cases, |case| {
        let meant = case["meaning"]["errors"]
            .as_array()
            .expect("meaning.errors");
        lines_mean(&strings(&case["wording"]), meant, "key", ": ")
    });
}

#[test]
fn every_recorded_stack_settings_error_says_what_its_case_means() {
    let cases = stack_configs();
    assert!(cases.len() >= 10);
    assert_every_keyed_case_means(&cases);
}

#[test]
fn the_meaning_check_fails_on_a_wrong_wording() {
    // The check above must be able to fail: a wrong place, a missing key word, a line
    // too many.
    let meant = [serde_json::json!({"path": "/Insert", "words": ["expected a string", "number"]})];
    for (lines, problems) in [
        (&["/Insert: expected a string, found number"][..], 0),
        (&["/data: expected a string, found number"][..], 1),
        (&["/Insert: expected a string, found null"][..], 1),
        (
            &["/Insert: expected a string, found number", "/x: y"][..],
            1,
        ),
    ] {
        assert_eq!(
            lines_mean(lines, &meant, "path", ": ").len(),
            problems,
            "{lines:?}"
        );
    }
}

#[test]
fn native_core_gives_the_recorded_wording_for_every_body() {
    for case in corpus() {
        let body = case["body"].as_str().unwrap();
        let actual = serde_json::to_value(validate(body)).unwrap();
        assert_eq!(actual, case["wording"], "case {:?}", case["name"]);
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
    // The hand-written meaning, not the snapshot: a bless cannot drop the case.
    assert!(
        corpus()
            .iter()
            .any(|c| c["meaning"]["errors"]
                .as_array()
                .is_some_and(|e| e
                    .iter()
                    .any(|m| strings(&m["words"]).iter().any(|w| w.starts_with("… and"))))),
        "no case of a capped error list"
    );
}

#[test]
fn every_recorded_idempotency_key_error_says_what_its_case_means() {
    let cases = idempotency_keys();
    let valid = cases
        .iter()
        .filter(|c| c["meaning"]["errors"] == serde_json::json!([]))
        .count();
    assert!(valid >= 3, "only {valid} valid keys");
    assert!(
        cases.len() - valid >= 5,
        "only {} bad keys",
        cases.len() - valid
    );
    assert_every_keyed_case_means(&cases);
}

#[test]
fn native_core_gives_the_recorded_wording_for_every_idempotency_key() {
    for case in idempotency_keys() {
        let errors = validate_idempotency_key(case["key"].as_str().unwrap());
        assert_eq!(
            serde_json::to_value(errors).unwrap(),
            case["wording"],
            "case {:?}",
            case["name"]
        );
    }
}

#[test]
fn native_core_gives_the_recorded_errors_for_every_stack_config() {
    for case in stack_configs() {
        let errors: Vec<String> = private_ingest_core::validate_stack_config(&case["config"])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            serde_json::to_value(errors).unwrap(),
            case["wording"],
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
