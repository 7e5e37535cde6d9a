//! The JSON bodies of the contract's answers (DESIGN.md, "The contract"). Internal error
//! text never goes in here: a failure is logged with its cause, and the caller gets a
//! fixed message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

/// An answer other than 200: `{"message": ..., "errors": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub message: &'static str,
    pub errors: Vec<String>,
}

impl ApiError {
    /// 400: the body broke the contract; `errors` are core's `<path>: <reason>` lines.
    pub fn invalid(errors: Vec<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: "Invalid request body",
            errors,
        }
    }

    /// 413: the body is over 256 KiB, the SQS message size limit.
    pub fn too_large(errors: Vec<String>) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: "Request body too large",
            errors,
        }
    }

    /// 415: the body is not declared as JSON.
    pub fn unsupported_media_type() -> Self {
        Self {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "Unsupported media type",
            errors: vec!["/: Content-Type must be application/json".into()],
        }
    }

    /// 503: the message was not made durable, so the caller must send it again.
    pub fn not_queued() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "The message could not be queued; it was not accepted, send it again",
            errors: Vec::new(),
        }
    }

    /// 500 for a failed read; the cause is in the log.
    pub fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Internal error",
            errors: Vec::new(),
        }
    }

    pub fn not_found(errors: Vec<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: "Not found",
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(&self)).into_response()
    }
}

/// 200 for a queued message.
pub fn sent(request_id: &str, message_id: &str) -> Response {
    Json(json!({
        "message": "Message sent successfully.",
        "requestId": request_id,
        "messageId": message_id,
    }))
    .into_response()
}
