//! `POST /send-message`: the API's request validator and its SQS integration in one.
//! Checks run in the order the cloud API applies them (content type, size, body), and a
//! 200 goes out only once the message is committed to disk.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use private_ingest_core::contract::{MAX_BODY_BYTES, REQUEST_ID_ATTRIBUTE, SOURCE_VPCE_ATTRIBUTE};
use private_ingest_core::parse_message;

use super::body_limits::Reservation;
use super::response::{self, ApiError};
use super::{refusals, AppState};
use crate::log_throttle::{Throttle, DEFAULT_INTERVAL};
use crate::queue::Attributes;

/// What `sourceVpce` says on the local stack: there is no VPC endpoint here.
pub const LOCAL_SOURCE_VPCE: &str = "local";

/// Most bytes read from a body. Up to this, core measures the body and its 413 names the
/// exact size; a larger body is refused unread (the cloud API's own cap is 10 MB).
const READ_CAP: usize = 4 * MAX_BODY_BYTES;

pub async fn send_message(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let started = std::time::Instant::now();
    let metrics = std::sync::Arc::clone(&app.metrics);
    let response = answer(app, headers, body).await;
    metrics.record_send(started.elapsed(), response.status() == StatusCode::OK);
    response
}

async fn answer(app: AppState, headers: HeaderMap, body: Body) -> Response {
    if !declares_json(&headers) {
        return closing(ApiError::unsupported_media_type());
    }
    // Holds the body's bytes in the shared budget until the answer is out.
    let mut reservation = app.limits.body.reservation();
    let timeout = app.limits.body.timeout;
    let bytes =
        match tokio::time::timeout(timeout, read_capped(&headers, body, &mut reservation)).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(refusal)) => return refusal,
            Err(_) => return refusals::body_timeout(timeout.as_millis()),
        };
    if let Err(errors) = parse_message(&bytes) {
        let lines = errors.messages();
        let error = if errors.is_too_large() {
            ApiError::too_large(lines)
        } else {
            ApiError::invalid(lines)
        };
        return error.into_response();
    }
    // parse_message accepted it, so it is UTF-8.
    let Ok(body) = String::from_utf8(bytes.to_vec()) else {
        return ApiError::internal().into_response();
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let attributes = Attributes::from([
        (REQUEST_ID_ATTRIBUTE.to_owned(), request_id.clone()),
        (
            SOURCE_VPCE_ATTRIBUTE.to_owned(),
            LOCAL_SOURCE_VPCE.to_owned(),
        ),
    ]);
    match app.queue.send(body, &attributes, (app.clock)()).await {
        Ok(sent) => response::sent(&request_id, &sent.message_id),
        Err(error) => {
            static NOT_QUEUED: Throttle = Throttle::new(DEFAULT_INTERVAL);
            if let Some(suppressed) = NOT_QUEUED.admit() {
                tracing::error!(%request_id, %error, cause = ?std::error::Error::source(&error),
                    suppressed, "could not queue a message; answered 503");
            }
            ApiError::not_queued(&request_id).into_response()
        }
    }
}

/// An answer sent before the body was read to its end. The rest of the body is still on
/// the connection, so it cannot carry another request: say so, or a client that reuses
/// it sees its next request fail.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
pub fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

/// The body, up to [`READ_CAP`], with its bytes reserved in the shared budget before
/// they are read. `Err` is the answer to send (it closes the connection).
async fn read_capped(
    headers: &HeaderMap,
    body: Body,
    reservation: &mut Reservation,
) -> Result<Bytes, Response> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > READ_CAP as u64) {
        return Err(closing(over_cap()));
    }
    let declared = declared.map_or(0, |n| n as usize);
    reservation.grow_to(declared).map_err(|_| over_budget())?;
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::with_capacity(declared);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            tracing::debug!(%error, "request body could not be read");
            closing(ApiError::invalid(vec![
                "/: the request body could not be read to its end".into(),
            ]))
        })?;
        if buffer.len() + chunk.len() > READ_CAP {
            return Err(closing(over_cap()));
        }
        reservation
            .grow_to(buffer.len() + chunk.len())
            .map_err(|_| over_budget())?;
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.into())
}

fn over_budget() -> Response {
    static OVER_BUDGET: Throttle = Throttle::new(DEFAULT_INTERVAL);
    if let Some(suppressed) = OVER_BUDGET.admit() {
        tracing::warn!(
            suppressed,
            "request bodies in memory are at --max-body-bytes-in-flight; answering 503"
        );
    }
    refusals::busy("request bodies in memory are at their limit (--max-body-bytes-in-flight)")
}

fn over_cap() -> ApiError {
    ApiError::too_large(vec![format!(
        "/: body is more than {READ_CAP} bytes; the limit is {MAX_BODY_BYTES} bytes (256 KiB, the SQS message size limit)"
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_type(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn json_with_parameters_or_any_case_is_json() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            " application/json ",
        ] {
            assert!(declares_json(&with_type(ok)), "{ok}");
        }
    }

    #[test]
    fn other_or_missing_types_are_not_json() {
        for bad in [
            "text/plain",
            "application/jsonx",
            "application/x-www-form-urlencoded",
            "json",
            "",
        ] {
            assert!(!declares_json(&with_type(bad)), "{bad}");
        }
        assert!(!declares_json(&HeaderMap::new()));
    }
}
