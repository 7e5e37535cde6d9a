//! Property tests: the parser is total (never panics, always answers), a valid message
//! survives a serialize/parse round trip, and any number the core accepts keeps its value
//! and significant digits (its text, but for the exponent's spelling).

use private_ingest_core::contract::{DATA, INSERT, STORE_INSERT_VALUE};
use private_ingest_core::dynamodb_number::canonical;
use private_ingest_core::{
    parse_message, parse_message_str, plan, Action, Envelope, Message, NotificationContent,
    NotificationKind, RandomValue, Route,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Any JSON value the contract accepts in `data` (floats included: with
/// `arbitrary_precision` a number is its text, so the shortest round-trip text of an f64
/// comes back as itself).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Within DynamoDB's number range, which the contract enforces.
        (-1e125..1e125f64).prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn message() -> impl Strategy<Value = Message> {
    let data = prop::option::of(
        prop::collection::btree_map(".*", json_value(), 0..6)
            .prop_map(|m| m.into_iter().collect::<Map<String, Value>>()),
    );
    (prop_oneof![Just("DynamoDB".to_owned()), ".+"], data)
        .prop_map(|(insert, data)| Message { insert, data })
}

/// A JSON number's text: any sign, up to 45 digits around an optional point, an optional
/// exponent of either spelling (some past DynamoDB's limits, so both answers occur).
fn number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "(0|[1-9][0-9]{0,30})",
        prop::option::of("[0-9]{1,15}"),
        prop::option::of(("[eE]", "[+-]?", 0u32..200)),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let mut text = String::new();
            if negative {
                text.push('-');
            }
            text.push_str(&int);
            if let Some(frac) = frac {
                text.push('.');
                text.push_str(&frac);
            }
            if let Some((e, sign, n)) = exp {
                text.push_str(&format!("{e}{sign}{n}"));
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_accepted_number_keeps_its_value_and_digits(text in number_text()) {
        let body = format!(r#"{{"Insert":"DynamoDB","data":{{"n":{text}}}}}"#);
        match parse_message_str(&body) {
            Ok(m) => {
                let kept = m.data.unwrap()["n"].to_string();
                prop_assert_eq!(canonical(&kept), canonical(&text));
                // The text itself, but serde_json's spelling of an exponent (e+N).
                let respelled = text.replace('E', "e").replace("e+", "e").replace('e', "e+").replace("e+-", "e-");
                prop_assert_eq!(kept, respelled);
            }
            Err(e) => {
                let line = &e.messages()[0];
                prop_assert!(line.starts_with("/data/n: number "), "{}", line);
                prop_assert!(line.contains("send it as a string"), "{}", line);
            }
        }
    }

    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_message(&bytes);
    }

    #[test]
    fn json_shaped_text_is_refused_with_reasons_or_accepted_as_what_it_says(text in r#"[\[\]{}":,a-zA-Z0-9 \\]{0,512}"#) {
        match parse_message_str(&text) {
            Err(e) => {
                prop_assert!(!e.messages().is_empty());
                prop_assert!(e.messages().iter().all(|m| m.starts_with('/')), "{:?}", e.messages());
            }
            // Accepted only what is, read by serde_json alone, an object with a
            // non-empty string Insert, an object data if any, and nothing else.
            Ok(m) => {
                let value: Value = serde_json::from_str(&text).expect("accepted text is JSON");
                let object = value.as_object().expect("accepted text is an object");
                prop_assert_eq!(object.get(INSERT).and_then(Value::as_str), Some(m.insert.as_str()));
                prop_assert!(!m.insert.is_empty());
                prop_assert_eq!(object.get(DATA).and_then(Value::as_object), m.data.as_ref());
                prop_assert!(object.keys().all(|k| k == INSERT || k == DATA), "{}", text);
            }
        }
    }

    #[test]
    fn a_valid_message_is_stored_or_notified_by_its_insert_value(m in message()) {
        let action = plan(m.to_json().as_bytes(), &Envelope::new("m"), RandomValue::new(50).unwrap(), 0, NotificationContent::IdsOnly).unwrap();
        match action {
            Action::Store(record) => {
                prop_assert_eq!(m.insert.as_str(), STORE_INSERT_VALUE);
                prop_assert_eq!(record.id.as_str(), "m");
                prop_assert_eq!(record.data, m.data);
            }
            Action::Notify(n) => {
                prop_assert_ne!(m.insert.as_str(), STORE_INSERT_VALUE);
                prop_assert_eq!(n.kind, NotificationKind::Notify);
                prop_assert_eq!(n.route, Some(Route::Notify));
                prop_assert_eq!(n.message_id.as_str(), "m");
            }
        }
    }

    #[test]
    fn bytes_that_are_not_json_become_a_rejected_alert_naming_why(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assume!(serde_json::from_slice::<Value>(&bytes).is_err());
        for content in [NotificationContent::IdsOnly, NotificationContent::WithCallerData] {
            let action = plan(&bytes, &Envelope::new("m"), RandomValue::new(50).unwrap(), 0, content).unwrap();
            let Action::Notify(n) = action else {
                return Err(TestCaseError::fail(format!("not an alert: {action:?}")));
            };
            prop_assert_eq!(n.kind, NotificationKind::Rejected);
            prop_assert_eq!(n.route, None);
            prop_assert_eq!(n.message_id.as_str(), "m");
            prop_assert!(!n.errors.is_empty());
        }
    }

    #[test]
    fn a_valid_message_survives_a_round_trip(m in message()) {
        let text = m.to_json();
        let parsed = parse_message_str(&text);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&m), "{:?}", parsed.as_ref().err());
    }

    #[test]
    fn any_json_object_with_a_string_insert_and_object_data_is_accepted(data in prop::collection::btree_map("[a-z]{1,8}", json_value(), 0..6)) {
        let body = serde_json::json!({"Insert": "DynamoDB", "data": data});
        prop_assert!(parse_message_str(&body.to_string()).is_ok());
    }
}
