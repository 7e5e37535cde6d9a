//! Strict JSON: what was sent is what is parsed, or the body is refused.
//!
//! Two things plain `serde_json::from_str::<Value>` lets through are refused here:
//! - **a duplicate key** anywhere (`{"Insert":"DynamoDB","Insert":"x"}`): parsers disagree
//!   on which value wins (serde_json keeps the last, others the first), so the API's
//!   validator and the handler could read one body two ways. Each is reported as
//!   `<object's path>: duplicate key "<k>"`.
//! - **serde_json's private keys** (`$serde_json::private::Number`, `...::RawValue`): with
//!   `arbitrary_precision`, serde_json hands a number to a visitor as a one-key map
//!   `{"$serde_json::private::Number": "<text>"}`, and with `raw_value` (on in this build)
//!   its own `Value` reads `{"$serde_json::private::RawValue": "[1]"}` as `[1]`: an object
//!   with such a key would turn into something else the next time anything parses the
//!   stored record. A key with that prefix is refused with its path; a one-key object that
//!   looks exactly like a number is told apart from one by a lexical count of the body's
//!   numbers, and refused too.
//!
//! Numbers keep their decimal text: `arbitrary_precision` stores it in
//! `serde_json::Number` (the exponent letter is written `e`; every digit, the sign, the
//! point and the exponent's sign stay as sent). Cargo turns the feature on for every
//! crate of a build that uses serde_json. What that changes, and where it is tested:
//! the Lambda's event and response (`aws_lambda_events`, `lambda_runtime`: SQS events hold
//! no numbers; handler/tests/bootstrap_runtime.rs runs the built binary), the local
//! gateway's `axum::Json` answers (tests/tests/local_e2e.rs), and the Wasm module, where
//! serde-wasm-bindgen would write a number as that one-key map, so wasm/ converts `data`
//! for JavaScript itself (wasm/tests/parity.rs).

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{pointer_push, quote_short, ErrorCode, ErrorList, FieldError, ValidationErrors};

/// The one-key map serde_json's deserializer hands a number to a visitor as, under
/// `arbitrary_precision` (serde_json's `number::TOKEN`; stable since serde_json 1.0.13).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The prefix of serde_json's private keys (see the module's documentation).
const RESERVED_KEY_PREFIX: &str = "$serde_json::private::";

/// How long a duplicated key may be when an error message quotes it.
const MAX_QUOTED_KEY_BYTES: usize = 64;

/// Why a body that is JSON to serde_json is still not accepted, or is not JSON at all.
#[derive(Debug)]
pub enum StrictJsonError {
    /// Not JSON (serde_json's message, with line and column).
    Syntax(serde_json::Error),
    /// Duplicate keys (each at its object's path) and serde_json's private keys (each at
    /// its own path).
    Ambiguous(ValidationErrors),
    /// An object with the single key [`NUMBER_TOKEN`] and a number as text.
    PosingAsNumber,
}

impl StrictJsonError {
    /// The error lines of the contract.
    pub fn into_errors(self) -> ValidationErrors {
        let single =
            |code, reason: String| ValidationErrors::single(FieldError::new("", code, reason));
        match self {
            StrictJsonError::Syntax(e) => {
                single(ErrorCode::NotJson, format!("body is not valid JSON: {e}"))
            }
            StrictJsonError::Ambiguous(errors) => errors,
            StrictJsonError::PosingAsNumber => single(
                ErrorCode::ReservedKey,
                format!(
                    "an object whose only key is \"{NUMBER_TOKEN}\" cannot be told from a \
                 number by the JSON parser; rename that key"
                ),
            ),
        }
    }
}

/// Parses `text` as one JSON value, refusing duplicate keys and objects posing as
/// numbers. `text` must already be known to nest no deeper than serde_json's recursion
/// limit (the caller checks [`scan`]'s depth first).
pub fn parse_strict(text: &str) -> Result<Value, StrictJsonError> {
    let found = RefCell::new(Found::default());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed {
        path: None,
        found: &found,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v))
    .map_err(StrictJsonError::Syntax)?;
    let found = found.into_inner();
    if let Some(ambiguous) = found.ambiguous.into_errors() {
        return Err(StrictJsonError::Ambiguous(ambiguous));
    }
    if found.numbers != scan(text, usize::MAX).numbers {
        return Err(StrictJsonError::PosingAsNumber);
    }
    Ok(value)
}

/// What a linear pass over the text finds without building anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Deepest `{`/`[` nesting, up to the `stop_at` the scan was given.
    pub depth: usize,
    /// Number tokens outside strings (meaningful for valid JSON only).
    pub numbers: usize,
}

/// Scans `text` once: nesting depth (stopping as soon as it reaches `stop_at`, so a
/// hostile body costs at most one linear pass) and the count of number tokens.
pub fn scan(text: &str, stop_at: usize) -> Shape {
    let (mut depth, mut max, mut numbers) = (0usize, 0usize, 0usize);
    let (mut in_string, mut escaped, mut in_number) = (false, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        // A number token starts at '-' or a digit that does not continue one; literals
        // (true, false, null) hold no digits, so their 'e' cannot start one.
        let number_char = matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E');
        if !in_number && matches!(b, b'0'..=b'9' | b'-') {
            numbers += 1;
        }
        in_number = number_char && (in_number || matches!(b, b'0'..=b'9' | b'-'));
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
                if max >= stop_at {
                    break;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Shape {
        depth: max,
        numbers,
    }
}

/// What the visitor found on its way: duplicate and reserved keys, and how many numbers
/// it built.
#[derive(Debug, Default)]
struct Found {
    ambiguous: ErrorList,
    numbers: usize,
}

/// Where a value sits: its parent, and its key or index there. Lives on the stack of the
/// recursion; the pointer string is only built for an error.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

#[derive(Debug, Clone, Copy)]
struct PathNode<'a> {
    parent: Option<&'a PathNode<'a>>,
    step: Step<'a>,
}

fn pointer(path: Option<&PathNode<'_>>) -> String {
    let mut steps = Vec::new();
    let mut node = path;
    while let Some(n) = node {
        steps.push(n.step);
        node = n.parent;
    }
    steps
        .iter()
        .rev()
        .fold(String::new(), |p, step| match step {
            Step::Key(k) => pointer_push(&p, k),
            Step::Index(i) => format!("{p}/{i}"),
        })
}

#[derive(Clone, Copy)]
struct Seed<'p, 'f> {
    path: Option<&'p PathNode<'p>>,
    found: &'f RefCell<Found>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        self.found.borrow_mut().numbers += 1;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        self.found.borrow_mut().numbers += 1;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json never calls this for text under arbitrary_precision (a number comes as
        // its text); refusing it keeps f64 formatting out of the Wasm module.
        Err(E::invalid_type(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let node = PathNode {
                parent: self.path,
                step: Step::Index(items.len()),
            };
            let seed = Seed {
                path: Some(&node),
                found: self.found,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let node = PathNode {
                parent: self.path,
                step: Step::Key(&key),
            };
            let value = map.next_value_seed(Seed {
                path: Some(&node),
                found: self.found,
            })?;
            if object.contains_key(&key) {
                let path = pointer(self.path);
                self.found.borrow_mut().ambiguous.push(FieldError::new(
                    path,
                    ErrorCode::DuplicateKey,
                    format!("duplicate key {}", quote_short(&key, MAX_QUOTED_KEY_BYTES)),
                ));
                continue;
            }
            object.insert(key, value);
        }
        if let Some(number) = as_number(&object) {
            self.found.borrow_mut().numbers += 1;
            return Ok(number);
        }
        for key in object.keys().filter(|k| k.starts_with(RESERVED_KEY_PREFIX)) {
            self.found.borrow_mut().ambiguous.push(FieldError::new(
                pointer_push(&pointer(self.path), key),
                ErrorCode::ReservedKey,
                format!(
                    "keys starting with \"{RESERVED_KEY_PREFIX}\" are reserved by the JSON \
                     parser; rename it"
                ),
            ));
        }
        Ok(Value::Object(object))
    }
}

/// The number a one-key [`NUMBER_TOKEN`] map stands for (serde_json's way of handing a
/// number to a visitor), if `object` is one.
fn as_number(object: &Map<String, Value>) -> Option<Value> {
    match (object.len(), object.get(NUMBER_TOKEN)) {
        (1, Some(Value::String(text))) => text.parse::<Number>().ok().map(Value::Number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicates(text: &str) -> Vec<String> {
        match parse_strict(text) {
            Err(StrictJsonError::Ambiguous(errors)) => errors.messages(),
            other => panic!("expected duplicates, got {other:?}"),
        }
    }

    #[test]
    fn numbers_keep_their_decimal_text() {
        let v = parse_strict(
            r#"[12345678901234567890123456789012345678, 18446744073709551616, 123456789.123456789123, 1.50, -0, 1E+2, 7]"#,
        )
        .unwrap();
        assert_eq!(
            v.to_string(),
            "[12345678901234567890123456789012345678,18446744073709551616,123456789.123456789123,1.50,-0,1e+2,7]"
        );
    }

    #[test]
    fn a_duplicate_key_is_named_with_its_object_path() {
        assert_eq!(
            duplicates(r#"{"Insert":"DynamoDB","Insert":"x"}"#),
            [r#"/: duplicate key "Insert""#]
        );
        assert_eq!(
            duplicates(r#"{"Insert":"x","data":{"a":[{"k":1,"k":2}],"b":{"c":{"d":0,"d":0}}}}"#),
            [
                r#"/data/a/0: duplicate key "k""#,
                r#"/data/b/c: duplicate key "d""#
            ]
        );
    }

    #[test]
    fn a_duplicated_long_key_is_quoted_short() {
        let key = "k".repeat(10_000);
        let lines = duplicates(&format!(r#"{{"{key}":1,"{key}":2}}"#));
        assert!(lines[0].len() < 100, "{}", lines[0]);
    }

    #[test]
    fn an_object_posing_as_a_number_is_refused() {
        for posing in [
            r#"{"a":{"$serde_json::private::Number":"12"}}"#,
            r#"{"a":{"\u0024serde_json::private::Number":"1e5"},"n":3}"#,
        ] {
            assert!(
                matches!(parse_strict(posing), Err(StrictJsonError::PosingAsNumber)),
                "{posing}"
            );
        }
    }

    #[test]
    fn serde_json_s_private_keys_are_refused_with_their_path() {
        assert_eq!(
            duplicates(
                r#"{"a":{"$serde_json::private::Number":"x"},"b":[{"$serde_json::private::RawValue":"[1]","c":2}]}"#
            ),
            [
                r#"/a/$serde_json::private::Number: keys starting with "$serde_json::private::" are reserved by the JSON parser; rename it"#,
                r#"/b/0/$serde_json::private::RawValue: keys starting with "$serde_json::private::" are reserved by the JSON parser; rename it"#,
            ]
        );
    }

    #[test]
    fn the_scan_counts_numbers_outside_strings_and_stops_at_the_depth() {
        let shape = scan(
            r#"{"a1":[1,-2.5e-3,true,false,null,"7"],"b":0}"#,
            usize::MAX,
        );
        assert_eq!(
            shape,
            Shape {
                depth: 2,
                numbers: 3
            }
        );
        assert_eq!(scan(&"[".repeat(100), 10).depth, 10);
        assert_eq!(scan(r#"["[[[", "\"[["]"#, usize::MAX).depth, 1);
    }

    #[test]
    fn syntax_errors_are_serde_json_s() {
        let Err(StrictJsonError::Syntax(e)) = parse_strict("nope") else {
            panic!("not JSON")
        };
        assert_eq!(e.to_string(), "expected ident at line 1 column 2");
        assert!(matches!(
            parse_strict(r#"{"a":1} x"#),
            Err(StrictJsonError::Syntax(_))
        ));
    }
}
