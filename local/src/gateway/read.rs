//! The GET routes: a record by id (the contract), and the local-only views of what the
//! cloud stack would have done elsewhere: notifications (SNS emails), dead letters (the
//! DLQ), `/healthz` with the queue's depth, and `/metrics` for Prometheus.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::list_page::{self, ListKind};
use super::list_query::ListQuery;
use super::response::ApiError;
use super::AppState;
use crate::db::ReadError;
use crate::health::WriteState;
use crate::log_throttle::{Throttle, DEFAULT_INTERVAL};

/// Longest id echoed back in a 404 (ids are 36-character UUIDs).
const MAX_ECHOED_ID: usize = 100;

/// `GET /messages/{id}`: the record as stored (the core `Record`'s serde form).
pub async fn message(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        // The only way a single `{id}` segment fails: its percent-decoding is not UTF-8.
        return ApiError::bad_parameters(vec![
            "/id: is not valid UTF-8 once percent-decoded; message ids are UUIDs".into(),
        ])
        .into_response();
    };
    match app.records.get(id.clone()).await {
        Ok(Some(item)) => ([(CONTENT_TYPE, "application/json")], item).into_response(),
        Ok(None) => {
            let shown: String = id.chars().take(MAX_ECHOED_ID).collect();
            ApiError::not_found(vec![format!("/id: no record with id {shown:?}")]).into_response()
        }
        Err(error) => read_failed(&error),
    }
}

/// `GET /notifications`: a page, newest first, each with when it was published.
pub async fn notifications(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    list(app, ListKind::Notifications, raw.as_deref()).await
}

/// `GET /dead-letters`: a page, newest first, with the body and attributes as queued.
pub async fn dead_letters(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    list(app, ListKind::DeadLetters, raw.as_deref()).await
}

async fn list(app: AppState, kind: ListKind, raw_query: Option<&str>) -> Response {
    let query = match ListQuery::parse(raw_query) {
        Ok(query) => query,
        Err(error) => return error.into_response(),
    };
    match list_page::page(app.reads, kind, query, app.limits.list_bytes).await {
        Ok(page) => page,
        Err(error) => read_failed(&error),
    }
}

/// `GET /healthz`: 200 when writes work and the database answers, with the queue's
/// depth, the counts of records, notifications and dedupe markers, and how much the
/// writer grouped
/// (operations per commit). 503 while writes fail (`"status":"degraded"`, with the
/// failure) or after the database was lost (`"status":"failed"`; nothing is read then,
/// since the path no longer names the database).
pub async fn healthz(State(app): State<AppState>) -> Response {
    let writes = app.health.current();
    if writes.is_failed() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "failed", "database": writes })),
        )
            .into_response();
    }
    if !writes.is_ok() {
        return degraded(&app, writes).await;
    }
    let now_ms = (app.clock)();
    let counts = async {
        Ok::<_, ReadError>((
            app.queue.depth(now_ms).await?,
            app.records.count().await?,
            app.notifications.count().await?,
            app.dedupe.count().await?,
        ))
    };
    match counts.await {
        Ok((queue, records, notifications, dedupe_markers)) => Json(json!({
            "status": "ok",
            "queue": queue,
            "records": records,
            "notifications": notifications,
            "dedupe_markers": dedupe_markers,
            "writer": app.writer.stats(),
        }))
        .into_response(),
        Err(error) => read_failed(&error),
    }
}

/// `GET /metrics`: every metric in the OpenMetrics text format (what Prometheus scrapes),
/// with the queue's depth and oldest age read now.
pub async fn metrics(State(app): State<AppState>) -> Response {
    let now_ms = (app.clock)();
    let queue = async {
        Ok::<_, ReadError>((
            app.queue.depth(now_ms).await?,
            app.queue.oldest_sent_at_ms().await?,
        ))
    };
    match queue.await {
        Ok((depth, oldest)) => (
            [(CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
            app.metrics.render(depth, oldest, now_ms),
        )
            .into_response(),
        Err(error) => read_failed(&error),
    }
}
/// 503 with the write failure, and the queue's depth when the database still reads.
async fn degraded(app: &AppState, writes: WriteState) -> Response {
    let queue = app.queue.depth((app.clock)()).await.ok();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "degraded",
            "writes": writes,
            "queue": queue,
            "writer": app.writer.stats(),
        })),
    )
        .into_response()
}

fn read_failed(error: &ReadError) -> Response {
    static READ_FAILED: Throttle = Throttle::new(DEFAULT_INTERVAL);
    if let Some(suppressed) = READ_FAILED.admit() {
        tracing::error!(%error, cause = ?std::error::Error::source(error), suppressed,
            "database read failed; answered 500");
    }
    ApiError::internal().into_response()
}
