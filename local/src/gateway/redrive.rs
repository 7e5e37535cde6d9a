//! `POST /dead-letters/redrive` (local only): moves dead letters back to the queue as
//! SQS's redrive does (see [`crate::queue::redrive`]); the CLI's `dlq redrive` calls it
//! until it has moved what it was asked to.
//!
//! The body is a JSON object, `{}` or `{"max": N}` (1 to [`MAX_PER_CALL`], default
//! [`DEFAULT_PER_CALL`]): one call is one bounded transaction and one bounded answer.
//! `Content-Type: application/json` is required, as on `POST /send-message`: a web page
//! elsewhere cannot send that cross-origin without a CORS preflight, which this server
//! never grants, so it cannot redrive through a browser on this host (the `Host` check
//! keeps DNS rebinding out as on every route).
//!
//! Answer: `{"moved":[{"message_id","redriven_as"}],"remaining":N}`.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use super::refusals;
use super::response::ApiError;
use super::send::declares_json;
use super::AppState;
use crate::log_throttle::{Throttle, DEFAULT_INTERVAL};

/// Dead letters one call moves unless `max` says otherwise, and the most it may ask for
/// (the list routes' page limit).
pub const DEFAULT_PER_CALL: u32 = 100;
pub const MAX_PER_CALL: u32 = 1_000;
/// Largest body read: `{"max": 1000}` with room for whitespace.
const MAX_BODY: usize = 1_024;

pub async fn redrive(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    if !declares_json(&headers) {
        return ApiError::unsupported_media_type().into_response();
    }
    let timeout = app.limits.body.timeout;
    let bytes = match tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return ApiError::invalid(vec![format!(
                "/: the body is not a JSON object of at most {MAX_BODY} bytes"
            )])
            .into_response()
        }
        Err(_) => return refusals::body_timeout(timeout.as_millis()),
    };
    let max = match parse_max(&bytes) {
        Ok(max) => max,
        Err(errors) => return ApiError::invalid(errors).into_response(),
    };
    match app.queue.redrive(max, (app.clock)()).await {
        Ok(redrive) => Json(redrive).into_response(),
        Err(error) => {
            static NOT_MOVED: Throttle = Throttle::new(DEFAULT_INTERVAL);
            if let Some(suppressed) = NOT_MOVED.admit() {
                tracing::error!(%error, cause = ?std::error::Error::source(&error), suppressed,
                    "could not redrive dead letters; answered 503, nothing was moved");
            }
            ApiError {
                status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                message: "The dead letters could not be moved; nothing was moved, try again.",
                errors: Vec::new(),
                request_id: None,
            }
            .into_response()
        }
    }
}

/// `max` from the body (empty body: `{}`); every problem at once.
fn parse_max(bytes: &[u8]) -> Result<u32, Vec<String>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(DEFAULT_PER_CALL);
    }
    let object: Map<String, Value> = serde_json::from_slice(bytes).map_err(|e| {
        vec![format!(
            "/: expected a JSON object such as {{\"max\": 10}}: {e}"
        )]
    })?;
    let mut errors = Vec::new();
    let mut max = DEFAULT_PER_CALL;
    for (name, value) in &object {
        match (name.as_str(), value.as_u64()) {
            ("max", Some(n)) if (1..=u64::from(MAX_PER_CALL)).contains(&n) => {
                // In range, so it fits.
                max = u32::try_from(n).unwrap_or(MAX_PER_CALL);
            }
            ("max", _) => errors.push(format!(
                "/max: {value} is not a whole number from 1 to {MAX_PER_CALL}"
            )),
            (other, _) => errors.push(format!(
                "/{}: unknown field; allowed fields are max",
                other.chars().take(100).collect::<String>()
            )),
        }
    }
    if errors.is_empty() {
        Ok(max)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_defaults_and_is_bounded() {
        assert_eq!(parse_max(b""), Ok(DEFAULT_PER_CALL));
        assert_eq!(parse_max(b"{}"), Ok(DEFAULT_PER_CALL));
        assert_eq!(parse_max(br#"{"max": 7}"#), Ok(7));
        assert_eq!(parse_max(br#"{"max": 1000}"#), Ok(1000));
        for bad in [
            r#"{"max": 0}"#,
            r#"{"max": 1001}"#,
            r#"{"max": "5"}"#,
            r#"{"max": 2.5}"#,
        ] {
            assert_eq!(
                parse_max(bad.as_bytes()).unwrap_err()[0].split(':').next(),
                Some("/max"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_max(br#"{"maxx": 1, "max": -1}"#).unwrap_err().len(),
            2,
            "every problem at once"
        );
        assert!(parse_max(b"[1]").unwrap_err()[0].starts_with("/: expected a JSON object"));
    }
}
