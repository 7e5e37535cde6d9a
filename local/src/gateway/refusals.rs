//! The answers for requests refused before they reach a route's work: overload (503
//! with `Retry-After`), a body that arrives too slowly (408), a `Host` this server does
//! not answer to (421), and bad query or path parameters (400). All in the contract's
//! JSON shape with the contract's texts (`contract::responses`, "the local stack's own"),
//! like every other error.

use axum::http::header::{CONNECTION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use private_ingest_core::contract::responses::{
    self, BUSY, INVALID_PARAMETERS, METHOD_NOT_ALLOWED, MISDIRECTED, REFUSED, REQUEST_TIMEOUT,
};

use super::response::ApiError;

/// Seconds a shed client is told to wait. Load is shed when connections or body bytes
/// are at their limits; either frees up as soon as any request completes.
pub const RETRY_AFTER_SECONDS: u32 = 1;

impl ApiError {
    /// 400: a query or path parameter is wrong; `errors` are `/<name>: <reason>` lines.
    pub fn bad_parameters(errors: Vec<String>) -> Self {
        Self::of(INVALID_PARAMETERS, errors)
    }

    /// 421: the request named a host this server does not serve.
    pub fn misdirected(errors: Vec<String>) -> Self {
        Self::of(MISDIRECTED, errors)
    }

    /// An error status the framework or file server produced without the contract's body:
    /// the contract's text for that status, the status itself kept.
    pub fn from_status(status: StatusCode) -> Self {
        let answer = match status {
            StatusCode::METHOD_NOT_ALLOWED => METHOD_NOT_ALLOWED,
            StatusCode::NOT_FOUND => responses::NOT_FOUND,
            StatusCode::PAYLOAD_TOO_LARGE => responses::TOO_LARGE,
            StatusCode::REQUEST_TIMEOUT => REQUEST_TIMEOUT,
            s if s.is_server_error() => responses::INTERNAL_ERROR,
            _ => REFUSED,
        };
        Self {
            status,
            ..Self::of(answer, Vec::new())
        }
    }
}

/// 503 + `Retry-After`: the server is at a limit (connections or body bytes in memory);
/// nothing was accepted. Closes the connection, since the request may be half read.
pub fn busy(detail: &str) -> Response {
    let mut response = ApiError::of(BUSY, vec![format!("/: {detail}")]).into_response();
    let headers = response.headers_mut();
    headers.insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// 408: the body did not arrive in time. Closes the connection (the rest of the body
/// may still come, and cannot be read as a next request).
pub fn body_timeout(limit_ms: u128) -> Response {
    let mut response = ApiError::of(
        REQUEST_TIMEOUT,
        vec![format!(
            "/: the request body did not arrive within {limit_ms} ms; nothing was accepted"
        )],
    )
    .into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
