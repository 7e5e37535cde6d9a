//! Reading and evaluating rules documents: each error names its rule and field, each
//! operator's meaning, the caps.

use super::*;
use crate::contract::rules::{MAX_CONDITION_DEPTH, MAX_RULES, MAX_RULES_DOCUMENT_BYTES};
use crate::message::parse_message;

fn errors_of(text: &str) -> Vec<String> {
    parse_rules(text).unwrap_err().messages()
}

fn rules(text: &str) -> Rules {
    parse_rules(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The names of the rules of a one-rule-per-condition document that fire for `body`.
fn fired(when: &str, body: &str) -> bool {
    let doc = format!(r#"{{"rules":[{{"name":"r","when":{when},"then":["notify"]}}]}}"#);
    let message = parse_message(body.as_bytes()).unwrap();
    !rules(&doc).evaluate(&message).fired.is_empty()
}

#[test]
fn the_issues_example_reads_and_fires_over_the_threshold() {
    let r = rules(
        r#"{"rules": [{"name": "overheat",
             "when": {"path": "/data/temperature", "op": "gt", "value": 80},
             "then": ["store", "notify"], "severity": "high",
             "subject": "Temperature {/data/temperature} at {/data/sensor}"}]}"#,
    );
    assert_eq!(r.rules[0].severity, Severity::High);
    let hot =
        parse_message(br#"{"Insert":"iot","data":{"temperature":80.01,"sensor":"s-1"}}"#).unwrap();
    let verdict = r.evaluate(&hot);
    assert_eq!(verdict.fired.len(), 1);
    assert_eq!(
        verdict.actions,
        Actions {
            store: true,
            notify: true
        }
    );
    assert_eq!(
        verdict
            .subject(&hot, crate::NotificationContent::WithCallerData)
            .as_deref(),
        Some("Temperature 80.01 at s-1")
    );
    let mild = parse_message(br#"{"Insert":"iot","data":{"temperature":80}}"#).unwrap();
    let verdict = r.evaluate(&mild);
    assert!(verdict.fired.is_empty());
    assert_eq!(
        verdict.actions,
        Actions::STORE,
        "otherwise defaults to store"
    );
}

#[test]
fn errors_name_the_rule_index_and_field() {
    let e = errors_of(
        r#"{"rules":[{"name":"a","when":{"path":"/data/t","op":"gte","value":1},"then":["store"]}]}"#,
    );
    assert_eq!(
        e,
        [
            r#"rules[0].when.op: "gte" is not an operator; one of eq, ne, lt, le, gt, ge, exists, in, prefix (did you mean "ge"?)"#
        ]
    );
    let e = errors_of(
        r#"{"rules":[
          {"name":"ok","when":{"path":"/data/t","op":"eq","value":1},"then":["store"]},
          {"name":"ok","when":{"all":[{"path":"data/t","op":"lt","value":"80"}]},"then":["keep"],
           "severity":"urgent","subject":"a\nb","extra":1}
        ],"otherwise":[],"version":2}"#,
    );
    assert_eq!(
        e,
        [
            "version: 2 is not a version of this document; 1 is",
            "otherwise: must name at least one action: \"store\", \"notify\" or both (a message is never dropped)",
            "rules[1].name: \"ok\" is already the name of rules[0]",
            "rules[1].extra: unknown field; allowed fields are name, description, when, then, severity, subject",
            "rules[1].when.all[0].path: \"data/t\" is not a JSON pointer into the body; it starts with \"/\" (\"/data/temperature\")",
            "rules[1].when.all[0].value: \"lt\" compares numbers; found string (strings compare with eq, ne, in and prefix)",
            "rules[1].then[0]: \"keep\" is not an action; one of \"store\", \"notify\"",
            "rules[1].severity: \"urgent\" is not a severity; one of info, low, medium, high, critical",
            "rules[1].subject: character 2 is \"\\n\"; an SNS subject is printable ASCII without line breaks",
        ]
    );
}

#[test]
fn each_operator_says_what_it_takes() {
    let one = |when: &str| {
        errors_of(&format!(
            r#"{{"rules":[{{"name":"r","when":{when},"then":["notify"]}}]}}"#
        ))
        .join("\n")
    };
    assert!(
        one(r#"{"path":"/data/x","op":"exists","value":1}"#).contains("\"exists\" takes no value")
    );
    assert!(one(r#"{"path":"/data/x","op":"prefix","value":1}"#)
        .contains("\"prefix\" compares strings; found number"));
    assert!(one(r#"{"path":"/data/x","op":"eq","value":[1]}"#)
        .contains("\"eq\" compares a string, a number"));
    assert!(one(r#"{"path":"/data/x","op":"eq"}"#)
        .contains("rules[0].when.value: is required for \"eq\""));
    assert!(one(r#"{"path":"/data/x","op":"in","value":[]}"#)
        .contains("0 values; \"in\" takes 1 to 64"));
    assert!(one(r#"{"path":"/data/x","op":"in","value":[1,{}]}"#)
        .contains("rules[0].when.value[1]: expected a string"));
    assert!(one(r#"{"path":"/data/x"}"#).contains("rules[0].when.op: is required"));
    assert!(one(r#"{"all":[],"any":[]}"#).contains("a condition is one of"));
    assert!(one(r#"{"any":[]}"#).contains("rules[0].when.any: needs at least one condition"));
    assert!(one(r#"{"not":5}"#).contains("rules[0].when.not: expected a condition"));
    assert!(one(r#"{"path":"/data/x","op":"EQ","value":1}"#).contains("(did you mean \"eq\"?)"));
}

#[test]
fn a_subject_needs_a_notification_and_names_need_their_alphabet() {
    let e = errors_of(
        r#"{"rules":[{"name":"a b","when":{"path":"/data/x","op":"exists"},"then":["store"],"subject":"s"}]}"#,
    );
    assert_eq!(
        e,
        [
            "rules[0].name: \"a b\" has the character \" \"; a name is letters, digits, \"-\", \"_\" and \".\"",
            "rules[0].subject: this rule sends no notification (its then has no \"notify\")",
        ]
    );
}

#[test]
fn the_document_as_a_whole() {
    assert_eq!(
        errors_of("[]"),
        ["(document): expected an object with \"rules\", found array"]
    );
    assert_eq!(errors_of("{}"), ["rules: is required (an array of rules)"]);
    assert!(errors_of("{")
        .join("")
        .starts_with("(document): not valid JSON: "));
    assert_eq!(
        errors_of(r#"{"rules":[],"rules":[]}"#),
        ["(document): /: duplicate key \"rules\""]
    );
    let many = format!(
        r#"{{"rules":[{}]}}"#,
        vec![r#"{"name":"x"}"#; MAX_RULES + 1].join(",")
    );
    assert_eq!(errors_of(&many), ["rules: 33 rules; the limit is 32"]);
    let big = format!(
        r#"{{"rules":[{{"name":"r","description":"{}","when":{{"path":"/data/x","op":"exists"}},"then":["store"]}}]}}"#,
        "d".repeat(MAX_RULES_DOCUMENT_BYTES)
    );
    assert!(errors_of(&big)[0].contains("as compact JSON; the limit is 3072"));
    assert_eq!(rules(r#"{"rules": [] }"#).to_json(), r#"{"rules":[]}"#);
}

#[test]
fn conditions_deeper_than_the_cap_are_refused() {
    let mut when = r#"{"path":"/data/x","op":"exists"}"#.to_owned();
    for _ in 0..MAX_CONDITION_DEPTH - 1 {
        when = format!(r#"{{"not":{when}}}"#);
    }
    assert!(
        fired(&when, r#"{"Insert":"x"}"#),
        "an odd number of nots over exists on absent"
    );
    let deeper = format!(r#"{{"not":{when}}}"#);
    let e = errors_of(&format!(
        r#"{{"rules":[{{"name":"r","when":{deeper},"then":["store"]}}]}}"#
    ));
    assert!(
        e[0].contains("conditions nest deeper than 8 levels"),
        "{e:?}"
    );
}

#[test]
fn numbers_compare_exactly_and_only_with_numbers() {
    let body =
        r#"{"Insert":"x","data":{"big":12345678901234567890123456789012345679,"t":"81","n":80.0}}"#;
    assert!(fired(
        r#"{"path":"/data/big","op":"gt","value":12345678901234567890123456789012345678}"#,
        body
    ));
    assert!(!fired(
        r#"{"path":"/data/big","op":"le","value":12345678901234567890123456789012345678}"#,
        body
    ));
    assert!(fired(r#"{"path":"/data/n","op":"eq","value":8e1}"#, body));
    assert!(
        !fired(r#"{"path":"/data/t","op":"gt","value":80}"#, body),
        "a string is no number"
    );
    assert!(
        !fired(r#"{"path":"/data/t","op":"ne","value":81}"#, body),
        "another type: no judgement"
    );
    assert!(fired(r#"{"path":"/data/t","op":"ne","value":"80"}"#, body));
}

#[test]
fn strings_booleans_null_in_prefix_exists() {
    let body = r#"{"Insert":"orders","data":{"priority":"high","tags":["a"],"vip":true,"note":null,"sku":"EXP-123"}}"#;
    assert!(fired(
        r#"{"path":"/data/priority","op":"in","value":["urgent","high"]}"#,
        body
    ));
    assert!(!fired(
        r#"{"path":"/data/priority","op":"in","value":["low",1]}"#,
        body
    ));
    assert!(fired(
        r#"{"path":"/data/sku","op":"prefix","value":"EXP-"}"#,
        body
    ));
    assert!(!fired(
        r#"{"path":"/data/sku","op":"prefix","value":"exp-"}"#,
        body
    ));
    assert!(fired(
        r#"{"path":"/data/vip","op":"eq","value":true}"#,
        body
    ));
    assert!(fired(
        r#"{"path":"/data/vip","op":"ne","value":false}"#,
        body
    ));
    assert!(fired(
        r#"{"path":"/data/note","op":"eq","value":null}"#,
        body
    ));
    assert!(
        fired(r#"{"path":"/data/note","op":"exists"}"#, body),
        "null is a value"
    );
    assert!(fired(
        r#"{"path":"/Insert","op":"eq","value":"orders"}"#,
        body
    ));
    assert!(
        !fired(r#"{"path":"/data/tags","op":"eq","value":"a"}"#, body),
        "containers compare with nothing"
    );
    assert!(fired(
        r#"{"path":"/data/tags/0","op":"eq","value":"a"}"#,
        body
    ));
    assert!(fired(
        r#"{"not":{"path":"/data/missing","op":"exists"}}"#,
        body
    ));
    assert!(
        !fired(r#"{"path":"/data/missing","op":"ne","value":"x"}"#, body),
        "absent: no comparison holds"
    );
    assert!(fired(
        r#"{"all":[{"path":"/data/vip","op":"eq","value":true},{"any":[{"path":"/data/priority","op":"eq","value":"low"},{"path":"/data/sku","op":"prefix","value":"EXP"}]}]}"#,
        body
    ));
}

#[test]
fn actions_add_up_and_the_most_severe_subject_wins() {
    let r = rules(
        r#"{"rules":[
          {"name":"log","when":{"path":"/data/level","op":"exists"},"then":["store"]},
          {"name":"warn","when":{"path":"/data/level","op":"in","value":["warn","error"]},"then":["notify"],"severity":"medium","subject":"warn"},
          {"name":"error","when":{"path":"/data/level","op":"eq","value":"error"},"then":["notify"],"severity":"critical","subject":"error {/data/host}"},
          {"name":"error-too","when":{"path":"/data/level","op":"eq","value":"error"},"then":["notify"],"severity":"critical","subject":"second"}
        ],"otherwise":["notify"]}"#,
    );
    let m = parse_message(br#"{"Insert":"x","data":{"level":"error"}}"#).unwrap();
    let v = r.evaluate(&m);
    let names: Vec<_> = v.fired.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["log", "warn", "error", "error-too"]);
    assert_eq!(
        v.actions,
        Actions {
            store: true,
            notify: true
        }
    );
    assert_eq!(
        v.subject(&m, crate::NotificationContent::WithCallerData)
            .as_deref(),
        Some("error (none)")
    );
    let none = parse_message(br#"{"Insert":"x"}"#).unwrap();
    let v = r.evaluate(&none);
    assert!(v.fired.is_empty());
    assert_eq!(
        v.actions,
        Actions {
            store: false,
            notify: true
        },
        "otherwise"
    );
}

#[test]
fn the_rules_in_force_read_back_with_every_digit() {
    let exact = rules(
        r#"{"rules":[{"name":"n","when":{"path":"/data/n","op":"gt","value":12345678901234567890123456789012345678},"then":["notify"]}]}"#,
    );
    let text = in_force(Some(&exact), crate::NotificationContent::WithCallerData);
    let (read, content) = read_in_force(&text).unwrap();
    assert_eq!(read.as_ref(), Some(&exact));
    assert_eq!(content, crate::NotificationContent::WithCallerData);
    let (none, _) = read_in_force(&in_force(None, crate::NotificationContent::IdsOnly)).unwrap();
    assert_eq!(none, None);
    assert_eq!(
        read_in_force(r#"{"rules":null}"#).unwrap_err().messages(),
        ["(rules in force): notificationIncludesData: expected true or false"]
    );
}
