//! The GET routes: a record by id (the contract), and the local-only views of what the
//! cloud stack would have done elsewhere: notifications (SNS emails), dead letters (the
//! DLQ) and `/healthz` with the queue's depth.

use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use private_ingest_core::time::format_millis;
use serde::Deserialize;
use serde_json::{json, Value};

use super::response::ApiError;
use super::AppState;
use crate::db::ReadError;

/// Entries a list returns unless `?limit=` says otherwise, and the most it may ask for.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 1_000;
/// Longest id echoed back in a 404 (ids are 36-character UUIDs).
const MAX_ECHOED_ID: usize = 100;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<u32>,
}

impl ListQuery {
    fn limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

/// `GET /messages/{id}`: the record as stored (the core `Record`'s serde form).
pub async fn message(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.records.get(id.clone()).await {
        Ok(Some(item)) => ([(CONTENT_TYPE, "application/json")], item).into_response(),
        Ok(None) => {
            let shown: String = id.chars().take(MAX_ECHOED_ID).collect();
            ApiError::not_found(vec![format!("/id: no record with id {shown:?}")]).into_response()
        }
        Err(error) => read_failed(&error),
    }
}

/// `GET /notifications`: newest first, each with when it was published.
pub async fn notifications(State(app): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    match app.notifications.newest(q.limit()).await {
        Ok(list) => {
            let items: Vec<Value> = list
                .into_iter()
                .map(|p| {
                    let mut n = p.notification;
                    if let Value::Object(fields) = &mut n {
                        fields.insert(
                            "published_at".into(),
                            json!(format_millis(p.published_at_ms)),
                        );
                    }
                    n
                })
                .collect();
            Json(json!({ "notifications": items })).into_response()
        }
        Err(error) => read_failed(&error),
    }
}

/// `GET /dead-letters`: newest first, with the body and attributes as queued.
pub async fn dead_letters(State(app): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    match app.queue.dead_letters(q.limit()).await {
        Ok(list) => {
            let items: Vec<Value> = list
                .into_iter()
                .map(|d| {
                    json!({
                        "message_id": d.message_id,
                        "body": d.body,
                        "attributes": d.attributes,
                        "sent_at": format_millis(d.sent_at_ms),
                        "receive_count": d.receive_count,
                        "dead_lettered_at": format_millis(d.dead_lettered_at_ms),
                    })
                })
                .collect();
            Json(json!({ "dead_letters": items })).into_response()
        }
        Err(error) => read_failed(&error),
    }
}

/// `GET /healthz`: 200 when the database answers, with the queue's depth, the counts of
/// records, notifications and dedupe markers, and how much the writer grouped
/// (operations per commit).
pub async fn healthz(State(app): State<AppState>) -> Response {
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

fn read_failed(error: &ReadError) -> Response {
    tracing::error!(%error, cause = ?std::error::Error::source(error), "database read failed; answered 500");
    ApiError::internal().into_response()
}
