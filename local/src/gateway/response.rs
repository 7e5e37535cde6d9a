//! The JSON bodies of the contract's answers (core's `contract::responses`; see
//! ARCHITECTURE.md, "The contract"). Internal error text never goes in here: a failure is
//! logged with its cause, and the caller gets a fixed message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use private_ingest_core::contract::responses::{
    Answer, CONTENT_TYPE_ERROR, INTERNAL_ERROR, INVALID_BODY, NOT_FOUND, NOT_QUEUED, SENT,
    TOO_LARGE, UNSUPPORTED_MEDIA_TYPE,
};
use serde::Serialize;
use serde_json::json;

/// An answer other than 200: `{"message": ..., "errors": [...]}`, and the request id
/// where the request got one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub message: &'static str,
    pub errors: Vec<String>,
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    /// The contract's `answer` with these error lines.
    pub fn of(answer: Answer, errors: Vec<String>) -> Self {
        Self {
            // The contract's statuses are all valid HTTP statuses.
            status: StatusCode::from_u16(answer.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message: answer.message,
            errors,
            request_id: None,
        }
    }

    /// 400: the body broke the contract; `errors` are core's `<path>: <reason>` lines.
    pub fn invalid(errors: Vec<String>) -> Self {
        Self::of(INVALID_BODY, errors)
    }

    /// 413: the body is over 256 KiB, the SQS message size limit.
    pub fn too_large(errors: Vec<String>) -> Self {
        Self::of(TOO_LARGE, errors)
    }

    /// 415: the body is not declared as JSON.
    pub fn unsupported_media_type() -> Self {
        Self::of(UNSUPPORTED_MEDIA_TYPE, vec![CONTENT_TYPE_ERROR.into()])
    }

    /// 503: the message was not made durable, so the caller must send it again; the
    /// request id finds the cause in the log.
    pub fn not_queued(request_id: &str) -> Self {
        Self {
            request_id: Some(request_id.to_owned()),
            ..Self::of(NOT_QUEUED, Vec::new())
        }
    }

    /// 500 for a failed read; the cause is in the log.
    pub fn internal() -> Self {
        Self::of(INTERNAL_ERROR, Vec::new())
    }

    pub fn not_found(errors: Vec<String>) -> Self {
        Self::of(NOT_FOUND, errors)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(&self)).into_response()
    }
}

/// 200 for a queued message: the ids, and the id of the record it will make (the
/// `Idempotency-Key`, or the message id without one), for `GET /messages/{recordId}`.
pub fn sent(request_id: &str, message_id: &str, record_id: &str) -> Response {
    Json(json!({
        "message": SENT.message,
        "requestId": request_id,
        "messageId": message_id,
        "recordId": record_id,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use private_ingest_core::contract::responses;

    #[test]
    fn every_answer_has_the_contract_status() {
        for (error, answer) in [
            (ApiError::invalid(vec![]), responses::INVALID_BODY),
            (ApiError::too_large(vec![]), responses::TOO_LARGE),
            (
                ApiError::unsupported_media_type(),
                responses::UNSUPPORTED_MEDIA_TYPE,
            ),
            (ApiError::not_queued("r"), responses::NOT_QUEUED),
            (ApiError::not_found(vec![]), responses::NOT_FOUND),
        ] {
            assert_eq!(error.status.as_u16(), answer.status, "{}", answer.message);
            assert_eq!(error.message, answer.message);
        }
    }
}
