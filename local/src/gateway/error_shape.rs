//! Every error in the contract's shape. The routes answer their own errors as
//! `{"message":...,"errors":[...]}`; what the framework or the file server answers on
//! its own (405 with an empty body, a file server's 500, a rejection's `text/plain`)
//! is rewritten here to the same shape, keeping the status and headers such as `Allow`.
//!
//! (Malformed HTTP itself, a request line or headers hyper cannot parse, is answered
//! by hyper before any of this runs: a bare 400 or 431, and the connection closed.)

use axum::extract::Request;
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::response::ApiError;

/// Longest path echoed back.
const MAX_ECHOED: usize = 100;

/// Middleware: rewrites a non-JSON error answer into the contract's JSON.
pub async fn shape(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path: String = request.uri().path().chars().take(MAX_ECHOED).collect();
    let response = next.run(request).await;
    if response.status().as_u16() < 400 || is_json(&response) {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let mut error = ApiError::from_status(parts.status);
    if parts.status == StatusCode::METHOD_NOT_ALLOWED {
        let allowed = parts
            .headers
            .get(ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        error.errors = vec![method_not_allowed(&method, &path, &allowed)];
    } else if parts.status.is_server_error() {
        // Only the file server gets here: the routes answer their own 5xx. The cause is
        // not told (see response.rs); the status is.
        tracing::warn!(status = %parts.status, %path, "answered an error without a body; sent the contract's shape instead");
        error = ApiError {
            status: parts.status,
            ..ApiError::internal()
        };
    }
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(CONTENT_TYPE);
    let shaped = error.into_response();
    let (shaped_parts, body) = shaped.into_parts();
    parts.headers.extend(shaped_parts.headers);
    Response::from_parts(parts, body)
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

fn method_not_allowed(method: &Method, path: &str, allowed: &str) -> String {
    if allowed.is_empty() {
        format!("/: {method} is not allowed on {path}")
    } else {
        format!("/: {method} is not allowed on {path}; allowed: {allowed}")
    }
}
