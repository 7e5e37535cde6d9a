//! Parse and validate a request body into a typed [`Message`].
//!
//! Checks run cheapest first and stop at the first that fails for the body as a whole
//! (size, UTF-8, nesting depth, JSON syntax, duplicate keys: see [`crate::strict_json`]);
//! field checks then report every problem at once (the first
//! [`MAX_LISTED_ERRORS`](crate::contract::MAX_LISTED_ERRORS) of them), so a caller can fix
//! them all in one go.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::contract::{
    self, FieldKind, DYNAMODB_MAX_NUMBER_DIGITS, MAX_BODY_BYTES, MAX_DEPTH, REQUEST_FIELDS,
};
use crate::dynamodb_number::{self, Unstorable};
use crate::error::{pointer_push, shorten, ErrorCode, ErrorList, FieldError, ValidationErrors};
use crate::route::{route, Route};
use crate::strict_json::{parse_strict, scan, StrictJsonError};

/// A valid request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    #[serde(rename = "Insert")]
    pub insert: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
}

impl Message {
    pub fn route(&self) -> Route {
        route(self)
    }

    /// The body as the contract spells it (compact JSON).
    pub fn to_json(&self) -> String {
        // Serialising a struct of strings and JSON values cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Parses a body given as bytes (what HTTP and SQS deliver).
pub fn parse_message(body: &[u8]) -> Result<Message, ValidationErrors> {
    check_size(body.len())?;
    let text = std::str::from_utf8(body).map_err(|e| {
        ValidationErrors::single(FieldError::new(
            "",
            ErrorCode::NotUtf8,
            format!(
                "body is not valid UTF-8 (first invalid byte at offset {})",
                e.valid_up_to()
            ),
        ))
    })?;
    parse_message_str(text)
}

/// Parses a body given as text.
pub fn parse_message_str(text: &str) -> Result<Message, ValidationErrors> {
    check_size(text.len())?;
    let shape = scan(text, MAX_DEPTH + 1);
    if shape.depth > MAX_DEPTH {
        // Parsed (serde_json's own recursion guard stops at 128) only to name the path.
        let path = parse_strict(text)
            .ok()
            .and_then(|value| first_too_deep(&value, String::new(), 1))
            .unwrap_or_default();
        return Err(too_deep(&path));
    }
    let value = parse_strict(text).map_err(StrictJsonError::into_errors)?;
    validate_value(value)
}

fn check_size(len: usize) -> Result<(), ValidationErrors> {
    if len > MAX_BODY_BYTES {
        return Err(ValidationErrors::single(FieldError::new(
            "",
            ErrorCode::TooLarge,
            format!(
                "body is {len} bytes; the limit is {MAX_BODY_BYTES} bytes (256 KiB, the SQS message size limit)"
            ),
        )));
    }
    Ok(())
}

fn too_deep(path: &str) -> ValidationErrors {
    ValidationErrors::single(FieldError::new(
        path,
        ErrorCode::TooDeep,
        format!("JSON nesting is deeper than {MAX_DEPTH} levels"),
    ))
}

/// JSON Pointer to the first container nested deeper than [`MAX_DEPTH`].
fn first_too_deep(value: &Value, path: String, depth: usize) -> Option<String> {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (pointer_push(&path, k), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{path}/{i}"), v))
            .collect(),
        _ => return None,
    };
    if depth > MAX_DEPTH {
        return Some(path);
    }
    children
        .into_iter()
        .find_map(|(p, v)| first_too_deep(v, p, depth + 1))
}

/// Checks a parsed value against [`REQUEST_FIELDS`], reporting every problem (up to
/// [`MAX_LISTED_ERRORS`](crate::contract::MAX_LISTED_ERRORS), then how many more).
pub fn validate_value(value: Value) -> Result<Message, ValidationErrors> {
    let Value::Object(mut map) = value else {
        return Err(ValidationErrors::single(FieldError::new(
            "",
            ErrorCode::WrongType,
            format!("expected a JSON object, found {}", json_kind(&value)),
        )));
    };
    let mut errors = ErrorList::new();
    for spec in REQUEST_FIELDS {
        let path = pointer_push("", spec.name);
        match map.get(spec.name) {
            None if spec.required => errors.push(FieldError::new(
                path,
                ErrorCode::Missing,
                format!("is required ({})", spec.kind.json_name()),
            )),
            None => {}
            Some(v) => errors.extend(check_field(spec.kind, spec.min_chars, v, path)),
        }
    }
    for key in map.keys() {
        if contract::field_names().any(|n| n == key) {
            continue;
        }
        let hint = contract::field_names()
            .find(|n| n.eq_ignore_ascii_case(key))
            .map(|n| format!(" (did you mean \"{n}\"?)"))
            .unwrap_or_default();
        let allowed = contract::field_names().collect::<Vec<_>>().join(", ");
        errors.push(FieldError::new(
            pointer_push("", key),
            ErrorCode::UnknownField,
            format!("unknown field{hint}; allowed fields are {allowed}"),
        ));
    }
    if let Some(Value::Object(data)) = map.get(contract::DATA) {
        unstorable_numbers(data, &pointer_push("", contract::DATA), &mut errors);
    }
    if let Some(errors) = errors.into_errors() {
        return Err(errors);
    }
    let insert = match map.remove(contract::INSERT) {
        Some(Value::String(s)) => s,
        _ => unreachable!("checked above: Insert is a string"),
    };
    let data = match map.remove(contract::DATA) {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    };
    Ok(Message { insert, data })
}

/// Reports the numbers in `data` that DynamoDB cannot store exactly (see
/// [`crate::dynamodb_number`]). Without this check such a message would be accepted,
/// then fail every write until it reached the dead-letter queue, or (through f64) be
/// stored altered.
fn unstorable_numbers(data: &Map<String, Value>, path: &str, errors: &mut ErrorList) {
    fn walk(v: &Value, path: String, found: &mut ErrorList) {
        match v {
            Value::Number(n) => {
                let text = n.to_string();
                let shown = shorten(text.clone(), MAX_QUOTED_NUMBER_BYTES);
                let (code, reason) = match dynamodb_number::check(&text) {
                    Ok(()) => return,
                    Err(Unstorable::OutOfRange) => (
                        ErrorCode::OutOfRange,
                        format!(
                            "number {shown} is outside the range DynamoDB stores (magnitude 1E-130 to 9.99E+125); send it as a string"
                        ),
                    ),
                    Err(Unstorable::TooManyDigits(digits)) => (
                        ErrorCode::TooManyDigits,
                        format!(
                            "number {shown} has {digits} significant digits; DynamoDB stores at most {DYNAMODB_MAX_NUMBER_DIGITS}; send it as a string"
                        ),
                    ),
                };
                found.push(FieldError::new(path, code, reason));
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}/{i}"), found);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    walk(item, pointer_push(&path, k), found);
                }
            }
            _ => {}
        }
    }
    for (k, v) in data {
        walk(v, pointer_push(path, k), errors);
    }
}

/// How much of a refused number an error line quotes (a number may be 256 KiB of digits).
const MAX_QUOTED_NUMBER_BYTES: usize = 48;

fn check_field(
    kind: FieldKind,
    min_chars: Option<usize>,
    v: &Value,
    path: String,
) -> Option<FieldError> {
    let type_ok = matches!(
        (kind, v),
        (FieldKind::String, Value::String(_)) | (FieldKind::Object, Value::Object(_))
    );
    if !type_ok {
        return Some(FieldError::new(
            path,
            ErrorCode::WrongType,
            format!(
                "expected {}, found {}",
                article(kind.json_name()),
                json_kind(v)
            ),
        ));
    }
    match (min_chars, v) {
        (Some(min), Value::String(s)) if s.chars().count() < min => Some(FieldError::new(
            path,
            ErrorCode::TooShort,
            format!("must not be empty (at least {min} character)"),
        )),
        _ => None,
    }
}

fn article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}

/// The JSON name of a value's type, as used in error messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::MAX_LISTED_ERRORS;

    fn errors_of(body: &str) -> Vec<String> {
        parse_message_str(body).unwrap_err().messages()
    }

    #[test]
    fn accepts_the_two_requests_of_the_original_pattern() {
        let m = parse_message(br#"{"Insert": "DynamoDB"}"#).unwrap();
        assert_eq!(m.insert, "DynamoDB");
        assert_eq!(m.route(), Route::Store);
        let m = parse_message(br#"{"Insert": "Dynamoooo"}"#).unwrap();
        assert_eq!(m.route(), Route::Notify);
    }

    #[test]
    fn keeps_data() {
        let m = parse_message_str(r#"{"Insert":"DynamoDB","data":{"a":[1,2]}}"#).unwrap();
        assert_eq!(m.data.unwrap()["a"], serde_json::json!([1, 2]));
    }

    #[test]
    fn wrong_type_names_the_path_and_the_types() {
        assert_eq!(
            errors_of(r#"{"Insert": 5}"#),
            ["/Insert: expected a string, found number"]
        );
        assert_eq!(
            errors_of(r#"{"Insert": "x", "data": [1]}"#),
            ["/data: expected an object, found array"]
        );
    }

    #[test]
    fn reports_every_field_problem_at_once() {
        assert_eq!(
            errors_of(r#"{"insert": "DynamoDB", "extra": 1}"#),
            [
                "/Insert: is required (string)",
                "/extra: unknown field; allowed fields are Insert, data",
                "/insert: unknown field (did you mean \"Insert\"?); allowed fields are Insert, data",
            ]
        );
    }

    #[test]
    fn numbers_dynamodb_cannot_store_are_rejected_with_their_path() {
        assert_eq!(
            errors_of(r#"{"Insert":"DynamoDB","data":{"a":[1, 1e200],"b":{"c":-1e-200},"ok":9.9e125,"zero":0}}"#),
            [
                "/data/a/1: number 1e+200 is outside the range DynamoDB stores (magnitude 1E-130 to 9.99E+125); send it as a string",
                "/data/b/c: number -1e-200 is outside the range DynamoDB stores (magnitude 1E-130 to 9.99E+125); send it as a string",
            ]
        );
        let many = format!(
            r#"{{"Insert":"x","data":{{"a":[{}1e300]}}}}"#,
            "1e300,".repeat(50)
        );
        let lines = errors_of(&many);
        assert_eq!(lines.len(), MAX_LISTED_ERRORS + 1);
        assert_eq!(lines[MAX_LISTED_ERRORS], "/: … and 31 more");
    }

    #[test]
    fn numbers_keep_their_decimal_text_through_the_message() {
        // The values issue 11 found altered by f64, and one of each spelling.
        let body = r#"{"Insert":"DynamoDB","data":{"a":12345678901234567890123456789012345678,"b":18446744073709551616,"c":123456789.123456789123,"d":1.50,"e":-0,"f":1E+2}}"#;
        let m = parse_message_str(body).unwrap();
        assert_eq!(
            m.to_json(),
            r#"{"Insert":"DynamoDB","data":{"a":12345678901234567890123456789012345678,"b":18446744073709551616,"c":123456789.123456789123,"d":1.50,"e":-0,"f":1e+2}}"#,
            "every digit as sent; serde_json spells the exponent e+N"
        );
    }

    #[test]
    fn numbers_with_more_digits_than_dynamodb_keeps_are_refused() {
        assert_eq!(
            errors_of(r#"{"Insert":"x","data":{"n":1234567890123456789012345678901234567890.5,"z":1e-999}}"#),
            [
                "/data/n: number 1234567890123456789012345678901234567890.5 has 41 significant digits; DynamoDB stores at most 38; send it as a string",
                "/data/z: number 1e-999 is outside the range DynamoDB stores (magnitude 1E-130 to 9.99E+125); send it as a string",
            ]
        );
        let huge = format!(r#"{{"Insert":"x","data":{{"n":{}}}}}"#, "7".repeat(100_000));
        let lines = errors_of(&huge);
        assert!(
            lines[0].len() < 200,
            "the number is quoted short: {}",
            lines[0]
        );
        assert!(lines[0].contains("has 100000 significant digits"));
    }

    #[test]
    fn a_duplicate_key_anywhere_is_refused_alone() {
        assert_eq!(
            errors_of(r#"{"Insert":"DynamoDB","Insert":"x"}"#),
            [r#"/: duplicate key "Insert""#]
        );
        assert_eq!(
            errors_of(r#"{"Insert":"DynamoDB","data":{"a":1,"a":2},"extra":1}"#),
            [r#"/data: duplicate key "a""#]
        );
    }

    #[test]
    fn a_body_of_many_unknown_keys_gets_a_short_answer() {
        // Issue 11: 33,000 unknown keys in 262 KB made a 1.8 MB 400. Three-letter keys
        // (`"abc":1,`, 8 bytes each) fit 29,000 of them in 256 KiB.
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let key = |i: usize| {
            let n = LETTERS.len();
            [i % n, i / n % n, i / n / n % n]
                .map(|d| char::from(LETTERS[d]))
                .iter()
                .collect::<String>()
        };
        let fields: Vec<String> = (0..29_000).map(|i| format!(r#""{}":1"#, key(i))).collect();
        let body = format!(r#"{{"Insert":"x",{}}}"#, fields.join(","));
        assert!(body.len() <= MAX_BODY_BYTES, "{}", body.len());
        let lines = errors_of(&body);
        assert_eq!(lines.len(), MAX_LISTED_ERRORS + 1);
        assert_eq!(lines[MAX_LISTED_ERRORS], "/: … and 28980 more");
        assert!(lines.iter().map(String::len).sum::<usize>() < 4_000);
    }

    #[test]
    fn empty_insert_is_too_short() {
        assert_eq!(
            errors_of(r#"{"Insert": ""}"#),
            ["/Insert: must not be empty (at least 1 character)"]
        );
    }

    #[test]
    fn body_level_errors() {
        assert_eq!(errors_of("[1]"), ["/: expected a JSON object, found array"]);
        assert_eq!(
            errors_of("nope"),
            ["/: body is not valid JSON: expected ident at line 1 column 2"]
        );
        assert_eq!(
            errors_of(""),
            ["/: body is not valid JSON: EOF while parsing a value at line 1 column 0"]
        );
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_offset() {
        let e = parse_message(b"{\"Insert\":\"\xff\"}").unwrap_err();
        assert_eq!(
            e.messages(),
            ["/: body is not valid UTF-8 (first invalid byte at offset 11)"]
        );
        assert_eq!(e.errors()[0].code, ErrorCode::NotUtf8);
    }

    #[test]
    fn oversize_body_is_too_large() {
        let big = format!(
            r#"{{"Insert":"x","data":{{"s":"{}"}}}}"#,
            "a".repeat(MAX_BODY_BYTES)
        );
        let e = parse_message(big.as_bytes()).unwrap_err();
        assert!(e.is_too_large());
        assert!(e.messages()[0].starts_with("/: body is 262174 bytes; the limit is 262144"));
    }

    #[test]
    fn exactly_max_depth_is_accepted_and_one_more_is_not() {
        let nest = |levels: usize| {
            // The top-level object is level 1; `data` is level 2.
            let inner = levels - 2;
            format!(
                r#"{{"Insert":"x","data":{}{}}}"#,
                r#"{"a":"#.repeat(inner) + "{}",
                "}".repeat(inner)
            )
        };
        assert!(parse_message_str(&nest(MAX_DEPTH)).is_ok());
        let e = parse_message_str(&nest(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(e.errors()[0].code, ErrorCode::TooDeep);
        assert_eq!(
            e.errors()[0].path,
            format!("/data{}", "/a".repeat(MAX_DEPTH - 1))
        );
    }

    #[test]
    fn nesting_too_deep_for_serde_is_still_a_depth_error() {
        let body = "[".repeat(10_000);
        let e = parse_message_str(&body).unwrap_err();
        assert_eq!(e.messages(), ["/: JSON nesting is deeper than 32 levels"]);
    }

    #[test]
    fn brackets_inside_strings_do_not_count_as_nesting() {
        let body = format!(r#"{{"Insert":"{}\"]"}}"#, "[".repeat(100));
        assert!(parse_message_str(&body).is_ok());
    }
}
