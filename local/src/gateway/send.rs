//! `POST /send-message`: the API's request validator and its SQS integration in one.
//! Checks run in the order the cloud API applies them (content type, size, body), plus
//! the `Idempotency-Key` header, which the cloud API cannot check (its Lambda rejects a
//! bad key instead; see README, "Cloud and local differences"). A 200 goes out only once
//! the message is committed to disk, and names the record it will make (`recordId`).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use private_ingest_core::contract::{
    IDEMPOTENCY_KEY_ATTRIBUTE, IDEMPOTENCY_KEY_HEADER, MAX_BODY_BYTES, REQUEST_ID_ATTRIBUTE,
    SOURCE_VPCE_ATTRIBUTE,
};
use private_ingest_core::{parse_idempotency_key, parse_message, ErrorCode, FieldError};

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
    let key = idempotency_key(&headers);
    match (parse_message(&bytes), &key) {
        (Ok(_), Ok(_)) => {}
        (Err(errors), _) if errors.is_too_large() => {
            return ApiError::too_large(errors.messages()).into_response();
        }
        (Err(errors), key) => {
            let errors = errors.after(key.as_ref().err().cloned());
            return ApiError::invalid(errors.messages()).into_response();
        }
        (Ok(_), Err(key_error)) => {
            return ApiError::invalid(vec![key_error.to_string()]).into_response();
        }
    }
    let key = key.ok().flatten();
    // parse_message accepted it, so it is UTF-8.
    let Ok(body) = String::from_utf8(bytes.to_vec()) else {
        return ApiError::internal().into_response();
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut attributes = Attributes::from([
        (REQUEST_ID_ATTRIBUTE.to_owned(), request_id.clone()),
        (
            SOURCE_VPCE_ATTRIBUTE.to_owned(),
            LOCAL_SOURCE_VPCE.to_owned(),
        ),
    ]);
    if let Some(key) = &key {
        attributes.insert(IDEMPOTENCY_KEY_ATTRIBUTE.to_owned(), key.clone());
    }
    match app.queue.send(body, &attributes, (app.clock)()).await {
        Ok(sent) => {
            let record_id = key.as_deref().unwrap_or(&sent.message_id);
            response::sent(&request_id, &sent.message_id, record_id)
        }
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

/// The request's `Idempotency-Key`, checked by the core: none, one valid key, or why not.
/// The header must come once: two values could be joined or picked differently by
/// proxies, which would make the retry a different key.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, FieldError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let count = 1 + values.count();
    if count > 1 {
        return Err(FieldError::new(
            IDEMPOTENCY_KEY_HEADER,
            ErrorCode::InvalidIdempotencyKey,
            format!("was sent {count} times; send it once"),
        ));
    }
    let text = String::from_utf8_lossy(value.as_bytes());
    parse_idempotency_key(&text).map(|key| Some(key.as_str().to_owned()))
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
    fn the_key_header_is_optional_checked_and_sent_once() {
        let with = |values: &[&[u8]]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append(IDEMPOTENCY_KEY_HEADER, HeaderValue::from_bytes(v).unwrap());
            }
            idempotency_key(&h).map_err(|e| e.to_string())
        };
        assert_eq!(with(&[]), Ok(None));
        assert_eq!(with(&[b"order-1"]), Ok(Some("order-1".into())));
        assert_eq!(
            with(&[b"a", b"b"]),
            Err("Idempotency-Key: was sent 2 times; send it once".into())
        );
        assert!(with(&[b"a b"])
            .unwrap_err()
            .contains("at position 2 is not allowed"));
        assert!(with(&[b"caf\xc3\xa9"])
            .unwrap_err()
            .contains("\"é\" at position 4"));
        assert!(with(&[b"\xff"])
            .unwrap_err()
            .contains("at position 1 is not allowed"));
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
