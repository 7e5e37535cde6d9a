//! Validation errors: each names the JSON path (RFC 6901 pointer) and the reason.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of problem a [`FieldError`] reports. Lets a caller pick a status code
/// (413 for [`ErrorCode::TooLarge`], 400 otherwise) without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    TooLarge,
    NotUtf8,
    NotJson,
    TooDeep,
    WrongType,
    Missing,
    UnknownField,
    TooShort,
    /// A number the store cannot hold (DynamoDB's number range).
    OutOfRange,
}

/// One problem with a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON Pointer to the offending value; empty for the whole body.
    pub path: String,
    pub code: ErrorCode,
    pub reason: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, code: ErrorCode, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
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

/// Every problem found in one request body; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid request body: {}", self.messages().join("; "))]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// Wraps a non-empty list; returns `None` for an empty one.
    pub fn from_vec(errors: Vec<FieldError>) -> Option<Self> {
        (!errors.is_empty()).then_some(Self(errors))
    }

    pub fn single(error: FieldError) -> Self {
        Self(vec![error])
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// The `<path>: <reason>` lines of the contract's 400 response.
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }

    /// True when the body was rejected for its size alone (HTTP 413).
    pub fn is_too_large(&self) -> bool {
        self.0.iter().any(|e| e.code == ErrorCode::TooLarge)
    }
}

/// A string in double quotes, JSON-escaped: how error messages quote a caller's value.
/// (JSON escaping rather than `{:?}`, which pulls Unicode tables into the Wasm module.)
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(base: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
