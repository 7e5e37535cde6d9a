//! Idempotency keys: the rules of the `Idempotency-Key` header, and what makes a retry
//! "the same" message.
//!
//! A retry is the same message when it carries the same key **and** the same body, byte
//! for byte as received: [`body_sha256`] of the body is kept on the record and on the
//! notification's dedupe marker. The same key with another body is refused, never
//! overwrites (see [`crate::notification::for_reused_key`]).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::contract::idempotency::IDEMPOTENCY_KEY_PUNCTUATION;
use crate::contract::{
    IDEMPOTENCY_KEY_ALPHABET, IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_CHARS,
};
use crate::error::{quote, ErrorCode, FieldError};

/// A key that follows the rules: 1 to 128 of `A-Z a-z 0-9 - _ . :`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        parse_idempotency_key(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

/// Checks a key as the header carried it. The error names `Idempotency-Key` and why.
pub fn parse_idempotency_key(raw: &str) -> Result<IdempotencyKey, FieldError> {
    let error = |reason: String| {
        FieldError::new(
            IDEMPOTENCY_KEY_HEADER,
            ErrorCode::InvalidIdempotencyKey,
            format!("{reason} (1 to {MAX_IDEMPOTENCY_KEY_CHARS} of {IDEMPOTENCY_KEY_ALPHABET})"),
        )
    };
    if raw.is_empty() {
        return Err(error("must not be empty".into()));
    }
    let chars = raw.chars().count();
    if chars > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(error(format!("is {chars} characters long")));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || IDEMPOTENCY_KEY_PUNCTUATION.contains(&c);
    if let Some((at, c)) = raw.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        return Err(error(format!(
            "character {} at position {} is not allowed",
            quote(&c.to_string()),
            at + 1
        )));
    }
    Ok(IdempotencyKey(raw.to_owned()))
}

/// SHA-256 of a body as received, lowercase hex: what "the same body" compares.
pub fn body_sha256(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// What makes a message deduplicable: its checked key and its body's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dedupe {
    pub key: IdempotencyKey,
    pub body_sha256: String,
}

impl Dedupe {
    pub fn new(key: IdempotencyKey, body: &[u8]) -> Self {
        Self {
            key,
            body_sha256: body_sha256(body),
        }
    }
}

/// Whether a message whose write found `existing` already there is a retry of the one
/// that wrote it. With a key: the same body digest. Without one (`ours` is `None`): the
/// existing write has no digest either, so it was keyed by this very message id (a
/// redelivery), not written under a key that happens to equal it.
pub fn is_retry(ours: Option<&str>, existing: Option<&str>) -> bool {
    ours == existing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(raw: &str) -> String {
        parse_idempotency_key(raw).unwrap_err().to_string()
    }

    #[test]
    fn keys_of_the_allowed_alphabet_and_length_are_accepted() {
        for ok in [
            "a",
            "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09",
            "order-42:attempt.1_A",
            &"k".repeat(MAX_IDEMPOTENCY_KEY_CHARS),
        ] {
            assert_eq!(parse_idempotency_key(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn a_bad_key_names_the_header_and_why() {
        assert_eq!(
            error_of(""),
            "Idempotency-Key: must not be empty (1 to 128 of A-Z a-z 0-9 - _ . :)"
        );
        assert_eq!(
            error_of(&"k".repeat(129)),
            "Idempotency-Key: is 129 characters long (1 to 128 of A-Z a-z 0-9 - _ . :)"
        );
        assert_eq!(
            error_of("order 42"),
            "Idempotency-Key: character \" \" at position 6 is not allowed (1 to 128 of A-Z a-z 0-9 - _ . :)"
        );
        assert_eq!(
            error_of("é"),
            "Idempotency-Key: character \"é\" at position 1 is not allowed (1 to 128 of A-Z a-z 0-9 - _ . :)"
        );
        assert_eq!(
            parse_idempotency_key("a/b").unwrap_err().code,
            ErrorCode::InvalidIdempotencyKey
        );
    }

    #[test]
    fn the_digest_is_sha256_hex_of_the_bytes_as_received() {
        assert_eq!(
            body_sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(
            body_sha256(br#"{"Insert":"x"}"#),
            body_sha256(br#"{"Insert": "x"}"#),
            "whitespace is part of the body as received"
        );
    }

    #[test]
    fn a_retry_has_the_same_digest_and_an_unkeyed_write_matches_only_its_own_kind() {
        assert!(is_retry(Some("d1"), Some("d1")));
        assert!(!is_retry(Some("d1"), Some("d2")));
        assert!(!is_retry(Some("d1"), None));
        assert!(is_retry(None, None));
        assert!(!is_retry(None, Some("d1")));
    }
}
