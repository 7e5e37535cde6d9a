//! Property tests of the routing rules: reading any text and evaluating any valid rules
//! against any valid body never panics; a rule that cannot match a body never fires; the
//! exact number order agrees with integer order wherever integers are exact.

use private_ingest_core::rules::decimal_order::compare;
use private_ingest_core::rules::preview;
use private_ingest_core::{
    parse_message_str, parse_rules, plan_routed, Envelope, NotificationContent, RandomValue,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const OPS: [&str; 10] = [
    "eq", "ne", "lt", "le", "gt", "ge", "exists", "in", "prefix", "gte",
];
const PATHS: [&str; 6] = [
    "/data/t",
    "/data/s",
    "/data/a/0",
    "/Insert",
    "/data",
    "/data/t/x",
];

/// Any scalar a rule or a body may hold (numbers as exact text, some of 38 digits).
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "-?[1-9][0-9]{0,37}(\\.[0-9]{1,10})?"
            .prop_map(|t| serde_json::from_str::<Value>(&t).unwrap()),
        "[a-z.]{0,6}".prop_map(Value::String),
    ]
}

/// Values of few kinds, so that a rule's value and a body's often meet.
fn small() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-3i64..3).prop_map(Value::from),
        "[ab]{0,2}".prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
    ]
}

/// A comparison its operator accepts, on values that bodies often hold.
fn well_formed() -> impl Strategy<Value = Value> {
    let path = (0..3usize).prop_map(|i| PATHS[i]);
    prop_oneof![
        (path.clone(), 2..6usize, -3i64..3)
            .prop_map(|(p, op, v)| json!({"path": p, "op": OPS[op], "value": v})),
        (path.clone(), 0..2usize, small())
            .prop_map(|(p, op, v)| json!({"path": p, "op": OPS[op], "value": v})),
        (path.clone(), prop::collection::vec(small(), 1..4))
            .prop_map(|(p, v)| json!({"path": p, "op": "in", "value": v})),
        (path.clone(), "[ab]{0,1}")
            .prop_map(|(p, v)| json!({"path": p, "op": "prefix", "value": v})),
        path.prop_map(|p| json!({"path": p, "op": "exists"})),
    ]
}

/// A condition, well-formed or not: any operator (one misspelt), any value, nested.
fn condition() -> impl Strategy<Value = Value> {
    let anything = (
        0..OPS.len(),
        0..PATHS.len(),
        prop::option::of(prop_oneof![
            scalar(),
            prop::collection::vec(scalar(), 0..4).prop_map(Value::Array),
        ]),
    )
        .prop_map(|(op, path, value)| {
            let mut c = json!({"path": PATHS[path], "op": OPS[op]});
            if let Some(value) = value {
                c["value"] = value;
            }
            c
        });
    let comparison = prop_oneof![4 => well_formed(), 1 => anything];
    comparison.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|all| json!({"all": all})),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|any| json!({"any": any})),
            inner.prop_map(|not| json!({"not": not})),
        ]
    })
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec((condition(), any::<bool>(), prop::option::of("[a-zA-Z {}/]{0,20}")), 1..5)
        .prop_map(|rules| {
            let rules: Vec<Value> = rules
                .into_iter()
                .enumerate()
                .map(|(i, (when, notify, subject))| {
                    let mut r = json!({"name": format!("r{i}"), "when": when,
                        "then": if notify { json!(["store", "notify"]) } else { json!(["store"]) }});
                    if let Some(s) = subject.filter(|_| notify) {
                        r["subject"] = json!(s);
                    }
                    r
                })
                .collect();
            json!({ "rules": rules }).to_string()
        })
}

fn body() -> impl Strategy<Value = String> {
    (
        prop::option::of(scalar()),
        prop::option::of(scalar()),
        prop::collection::vec(scalar(), 0..3),
    )
        .prop_map(|(t, s, a)| {
            let mut data = serde_json::Map::new();
            if let Some(t) = t {
                data.insert("t".into(), t);
            }
            if let Some(s) = s {
                data.insert("s".into(), s);
            }
            data.insert("a".into(), Value::Array(a));
            json!({"Insert": "x", "data": data}).to_string()
        })
        .prop_filter("a body the contract accepts", |b| {
            parse_message_str(b).is_ok()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reading_any_text_never_panics(text in ".{0,300}") {
        let _ = parse_rules(&text);
    }

    #[test]
    fn any_rules_against_any_body_never_panic(doc in document(), body in body()) {
        if let Ok(rules) = parse_rules(&doc) {
            for content in [NotificationContent::IdsOnly, NotificationContent::WithCallerData] {
                let plan = plan_routed(body.as_bytes(), &Envelope::new("m"), RandomValue::clamped(5), 0, content, Some(&rules)).unwrap();
                prop_assert!(plan.record.is_some() || plan.notification.is_some(), "never nothing");
                if let Some(n) = plan.notification {
                    prop_assert!(n.subject.len() <= 100);
                    prop_assert!(n.subject.chars().all(|c| c == ' ' || c.is_ascii_graphic()));
                }
            }
        }
    }

    /// Every comparison needs the body's value: on a body without `/data/t`, a rule made
    /// of comparisons on it (combined by `all` and `any`, without `not`) never fires.
    #[test]
    fn a_rule_on_an_absent_value_never_fires(op in 0..9usize, value in scalar(), shape in 0..3usize) {
        let c = json!({"path": "/data/t", "op": OPS[op], "value": value});
        let c = if OPS[op] == "exists" { json!({"path": "/data/t", "op": "exists"}) } else { c };
        let when = match shape { 0 => c, 1 => json!({"all": [c]}), _ => json!({"any": [c, c]}) };
        let doc = json!({"rules": [{"name": "r", "when": when, "then": ["notify"]}]}).to_string();
        if let Ok(rules) = parse_rules(&doc) {
            let p = preview(r#"{"Insert":"x","data":{"s":"t"}}"#, Some(&rules), NotificationContent::IdsOnly);
            prop_assert!(p.fired.is_empty());
            prop_assert!(p.store && !p.notify, "the default otherwise");
        }
    }

    /// `t < v` and `t >= v` together cannot hold: that rule never fires, whatever `t` is.
    #[test]
    fn a_contradiction_never_fires(v in scalar(), t in scalar()) {
        let doc = json!({"rules": [{"name": "r", "when": {"all": [
            {"path": "/data/t", "op": "lt", "value": v},
            {"path": "/data/t", "op": "ge", "value": v}]}, "then": ["notify"]}]}).to_string();
        let body = json!({"Insert": "x", "data": {"t": t}}).to_string();
        if let (Ok(rules), Ok(_)) = (parse_rules(&doc), parse_message_str(&body)) {
            prop_assert!(preview(&body, Some(&rules), NotificationContent::IdsOnly).fired.is_empty());
        }
    }

    #[test]
    fn the_exact_order_agrees_with_integers(a in any::<i64>(), b in any::<i64>()) {
        prop_assert_eq!(compare(&a.to_string(), &b.to_string()), Some(a.cmp(&b)));
        prop_assert_eq!(compare(&format!("{a}.000"), &format!("{b}e0")), Some(a.cmp(&b)));
    }
}

/// The generator reaches valid documents that fire, not only refused ones, so the
/// property above evaluates rules for real.
#[test]
fn the_generated_documents_are_often_valid_and_sometimes_fire() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut valid, mut firing) = (0, 0);
    for _ in 0..400 {
        let doc = document().new_tree(&mut runner).unwrap().current();
        let body = body().new_tree(&mut runner).unwrap().current();
        if let Ok(rules) = parse_rules(&doc) {
            valid += 1;
            let p = preview(&body, Some(&rules), NotificationContent::IdsOnly);
            firing += usize::from(!p.fired.is_empty());
        }
    }
    assert!(
        valid >= 40 && firing >= 10,
        "{valid} valid, {firing} firing of 400"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The page's preview says what the handler's plan does: the same record, notification,
    /// fired rules, severity and subject, for any rules and any body.
    #[test]
    fn the_preview_agrees_with_the_plan(doc in document(), body in body(), includes_data in any::<bool>()) {
        let content = NotificationContent::from_includes_data(includes_data);
        let rules = parse_rules(&doc).ok();
        for rules in [None, rules.as_ref()] {
            let p = preview(&body, rules, content);
            let plan = plan_routed(body.as_bytes(), &Envelope::new("m"), RandomValue::clamped(5), 0, content, rules).unwrap();
            prop_assert!(p.valid);
            prop_assert_eq!(p.store, plan.record.is_some());
            prop_assert_eq!(p.notify, plan.notification.is_some());
            prop_assert_eq!(&p.fired, &plan.fired);
            prop_assert_eq!(p.subject.as_deref(), plan.notification.as_ref().map(|n| n.subject.as_str()));
            prop_assert_eq!(p.severity, plan.notification.as_ref().and_then(|n| n.severity));
        }
    }
}
