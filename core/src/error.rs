//! Validation errors: each names the JSON path (RFC 6901 pointer) and the reason. One
//! body's list is capped at [`MAX_LISTED_ERRORS`] lines plus `… and M more`, and each
//! path at [`MAX_ERROR_PATH_BYTES`], so a hostile body cannot make a huge answer.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contract::{MAX_ERROR_PATH_BYTES, MAX_LISTED_ERRORS};

/// What kind of problem a [`FieldError`] reports. Lets a caller pick a status code
/// (413 for [`ErrorCode::TooLarge`], 400 otherwise) without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    TooLarge,
    NotUtf8,
    NotJson,
    TooDeep,
    /// An object names the same key twice: parsers disagree on which value wins.
    DuplicateKey,
    /// An object whose only key is serde_json's number token: indistinguishable from a
    /// number to the parser (see [`crate::strict_json`]).
    ReservedKey,
    WrongType,
    Missing,
    UnknownField,
    TooShort,
    /// A number outside DynamoDB's range (magnitude 1E-130 to 9.99E+125).
    OutOfRange,
    /// A number with more significant digits than DynamoDB keeps (38).
    TooManyDigits,
    /// The `Idempotency-Key` header is empty, too long or has a character not allowed.
    InvalidIdempotencyKey,
}

/// One problem with a request body (or its `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON Pointer to the offending value; empty for the whole body; `Idempotency-Key`
    /// for the header.
    pub path: String,
    pub code: ErrorCode,
    pub reason: String,
}

impl FieldError {
    /// A path longer than [`MAX_ERROR_PATH_BYTES`] is cut, and ends with `…`.
    pub fn new(path: impl Into<String>, code: ErrorCode, reason: impl Into<String>) -> Self {
        Self {
            path: shorten(path.into(), MAX_ERROR_PATH_BYTES),
            code,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    /// `<path>: <reason>`, with `/` standing for the whole body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.reason)
    }
}

/// Collects the problems of one body: keeps the first [`MAX_LISTED_ERRORS`] and counts
/// the rest, so memory stays bounded however many a hostile body has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorList {
    listed: Vec<FieldError>,
    omitted: usize,
}

impl ErrorList {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: FieldError) {
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(error);
        } else {
            self.omitted = self.omitted.saturating_add(1);
        }
    }

    /// Every problem seen, listed or not.
    pub fn len(&self) -> usize {
        self.listed.len().saturating_add(self.omitted)
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The problems as an error; `None` when there were none.
    pub fn into_errors(self) -> Option<ValidationErrors> {
        (!self.is_empty()).then_some(ValidationErrors(self))
    }
}

impl Extend<FieldError> for ErrorList {
    fn extend<T: IntoIterator<Item = FieldError>>(&mut self, errors: T) {
        for e in errors {
            self.push(e);
        }
    }
}

/// Every problem found in one request body; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid request body: {}", self.messages().join("; "))]
pub struct ValidationErrors(ErrorList);

impl ValidationErrors {
    /// Wraps a non-empty list (capped); returns `None` for an empty one.
    pub fn from_vec(errors: Vec<FieldError>) -> Option<Self> {
        let mut list = ErrorList::new();
        list.extend(errors);
        list.into_errors()
    }

    pub fn single(error: FieldError) -> Self {
        let mut list = ErrorList::new();
        list.push(error);
        Self(list)
    }

    /// The listed problems (at most [`MAX_LISTED_ERRORS`]).
    pub fn errors(&self) -> &[FieldError] {
        &self.0.listed
    }

    /// How many problems were found beyond the listed ones.
    pub fn omitted(&self) -> usize {
        self.0.omitted
    }

    /// The `<path>: <reason>` lines of the contract's 400 response, and a last
    /// `/: … and M more` when problems were left out.
    pub fn messages(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.0.listed.iter().map(ToString::to_string).collect();
        if self.0.omitted > 0 {
            lines.push(format!("/: … and {} more", self.0.omitted));
        }
        lines
    }

    /// The same problems with `more` put in front (the `Idempotency-Key` error before
    /// the body's).
    pub fn after(mut self, more: impl IntoIterator<Item = FieldError>) -> Self {
        let mut list = ErrorList::new();
        list.extend(more);
        list.extend(self.0.listed.drain(..));
        list.omitted = list.omitted.saturating_add(self.0.omitted);
        Self(list)
    }

    /// True when the body was rejected for its size alone (HTTP 413).
    pub fn is_too_large(&self) -> bool {
        self.0.listed.iter().any(|e| e.code == ErrorCode::TooLarge)
    }
}

/// A string in double quotes, JSON-escaped: how error messages quote a caller's value.
/// (JSON escaping rather than `{:?}`, which pulls Unicode tables into the Wasm module.)
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// [`quote`] of at most `max_bytes` of `s`, cut with `…` inside the quotes.
pub fn quote_short(s: &str, max_bytes: usize) -> String {
    quote(&shorten(s.to_owned(), max_bytes))
}

/// `s` cut to at most `max_bytes` (at a character boundary), ending with `…` when cut.
pub fn shorten(mut s: String, max_bytes: usize) -> String {
    if s.len() > max_bytes {
        let mut end = max_bytes;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(base: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(i: usize) -> FieldError {
        FieldError::new(format!("/k{i}"), ErrorCode::UnknownField, "unknown field")
    }

    #[test]
    fn root_path_displays_as_slash() {
        let e = FieldError::new("", ErrorCode::NotJson, "body is not valid JSON");
        assert_eq!(e.to_string(), "/: body is not valid JSON");
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(pointer_push("", "a/b~c"), "/a~1b~0c");
        assert_eq!(pointer_push("/data", "x"), "/data/x");
    }

    #[test]
    fn empty_list_is_not_an_error() {
        assert!(ValidationErrors::from_vec(vec![]).is_none());
        assert!(ErrorList::new().into_errors().is_none());
    }

    #[test]
    fn the_list_keeps_the_first_errors_and_counts_the_rest() {
        let errors = ValidationErrors::from_vec((0..33_000).map(unknown).collect()).unwrap();
        assert_eq!(errors.errors().len(), MAX_LISTED_ERRORS);
        assert_eq!(errors.omitted(), 33_000 - MAX_LISTED_ERRORS);
        let lines = errors.messages();
        assert_eq!(lines.len(), MAX_LISTED_ERRORS + 1);
        assert_eq!(lines[0], "/k0: unknown field");
        assert_eq!(lines[MAX_LISTED_ERRORS], "/: … and 32980 more");
    }

    #[test]
    fn a_list_at_the_cap_has_no_summary_line() {
        let errors =
            ValidationErrors::from_vec((0..MAX_LISTED_ERRORS).map(unknown).collect()).unwrap();
        assert_eq!(errors.messages().len(), MAX_LISTED_ERRORS);
    }

    #[test]
    fn errors_put_in_front_keep_the_cap() {
        let body = ValidationErrors::from_vec((0..MAX_LISTED_ERRORS).map(unknown).collect());
        let key = FieldError::new("Idempotency-Key", ErrorCode::InvalidIdempotencyKey, "bad");
        let both = body.unwrap().after([key]);
        assert_eq!(both.messages()[0], "Idempotency-Key: bad");
        assert_eq!(both.omitted(), 1);
    }

    #[test]
    fn long_paths_are_cut_at_a_character_boundary() {
        let e = FieldError::new(
            format!("/{}", "é".repeat(1000)),
            ErrorCode::UnknownField,
            "x",
        );
        assert!(e.path.len() <= MAX_ERROR_PATH_BYTES + '…'.len_utf8());
        assert!(e.path.ends_with('…'));
        assert_eq!(shorten("abc".into(), 3), "abc");
        assert_eq!(quote_short("abcdef", 2), "\"ab…\"");
    }
}
