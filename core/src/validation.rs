//! The answer for a client that holds a body it has not sent yet (the test page, Pulumi):
//! is it valid, and where would it go.

use serde::Serialize;

use crate::idempotency::parse_idempotency_key;
use crate::message::parse_message_str;
use crate::route::Route;

/// Whether a body is valid, and if so its route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    pub ok: bool,
    pub route: Option<Route>,
    /// `<path>: <reason>` lines; empty when `ok`.
    pub errors: Vec<String>,
}

pub fn validate(body: &str) -> Validation {
    match parse_message_str(body) {
        Ok(m) => Validation {
            ok: true,
            route: Some(m.route()),
            errors: Vec::new(),
        },
        Err(e) => Validation {
            ok: false,
            route: None,
            errors: e.messages(),
        },
    }
}

/// The `<header>: <reason>` line of an `Idempotency-Key` the contract refuses; empty for
/// a valid key (the page checks the key it will send, as the local gateway does).
pub fn validate_idempotency_key(key: &str) -> Vec<String> {
    parse_idempotency_key(key)
        .err()
        .map(|e| e.to_string())
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_bodies() {
        let v = validate(r#"{"Insert":"DynamoDB"}"#);
        assert_eq!(
            (v.ok, v.route, v.errors.len()),
            (true, Some(Route::Store), 0)
        );
        let v = validate(r#"{"Insert":1}"#);
        assert_eq!(v.route, None);
        assert_eq!(v.errors, ["/Insert: expected a string, found number"]);
    }

    #[test]
    fn valid_and_invalid_keys() {
        assert!(validate_idempotency_key("k-1").is_empty());
        assert_eq!(validate_idempotency_key("").len(), 1);
    }
}
