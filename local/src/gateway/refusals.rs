//! The answers for requests refused before they reach a route's work: overload (503
//! with `Retry-After`), a body that arrives too slowly (408), a `Host` this server does
//! not answer to (421), and bad query or path parameters (400). All in the contract's
//! JSON shape, like every other error.

use axum::http::header::{CONNECTION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::response::ApiError;

/// Seconds a shed client is told to wait. Load is shed when connections or body bytes
/// are at their limits; either frees up as soon as any request completes.
pub const RETRY_AFTER_SECONDS: u32 = 1;

impl ApiError {
    /// 400: a query or path parameter is wrong; `errors` are `/<name>: <reason>` lines.
    pub fn bad_parameters(errors: Vec<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: "Invalid request parameters",
            errors,
            request_id: None,
        }
    }

    /// 421: the request named a host this server does not serve.
    pub fn misdirected(errors: Vec<String>) -> Self {
        Self {
            status: StatusCode::MISDIRECTED_REQUEST,
            message: "Misdirected request",
            errors,
            request_id: None,
        }
    }

    /// An error status the framework or file server produced without the contract's body.
    pub fn from_status(status: StatusCode) -> Self {
        Self {
            status,
            message: status.canonical_reason().unwrap_or("Error"),
            errors: Vec::new(),
            request_id: None,
        }
    }
}

/// 503 + `Retry-After`: the server is at a limit (connections or body bytes in memory);
/// nothing was accepted. Closes the connection, since the request may be half read.
pub fn busy(detail: &str) -> Response {
    let mut response = ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message:
            "The server is busy; nothing was accepted, send it again after Retry-After seconds",
        errors: vec![format!("/: {detail}")],
        request_id: None,
    }
    .into_response();
    let headers = response.headers_mut();
    headers.insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// 408: the body did not arrive in time. Closes the connection (the rest of the body
/// may still come, and cannot be read as a next request).
pub fn body_timeout(limit_ms: u128) -> Response {
    let mut response = ApiError {
        status: StatusCode::REQUEST_TIMEOUT,
        message: "Request timeout",
        errors: vec![format!(
            "/: the request body did not arrive within {limit_ms} ms; nothing was accepted"
        )],
        request_id: None,
    }
    .into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
