//! The local API gateway: the cloud API's routes and responses on 127.0.0.1.
//!
//! - `POST /send-message` ([`send`]): validate with core, queue durably, answer.
//! - `GET /messages/{id}` ([`read`]): the stored record, as the cloud API's DynamoDB
//!   integration answers.
//! - `GET /` and the page's assets ([`page`]), from `--web-dir`.
//! - Local only ([`read`]): `GET /notifications`, `GET /dead-letters`, `GET /healthz`.

pub mod page;
pub mod read;
pub mod response;
pub mod send;

use std::path::PathBuf;

use axum::routing::{get, post};
use axum::Router;
use private_ingest_lambda::Clock;

use crate::db::Writer;
use crate::notifier::SqliteNotifier;
use crate::queue::Queue;
use crate::record_store::SqliteRecordStore;

/// What the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub queue: Queue,
    pub records: SqliteRecordStore,
    pub notifications: SqliteNotifier,
    /// For the group-commit figures on `/healthz`.
    pub writer: Writer,
    pub clock: Clock,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

pub fn router(state: AppState, web_dir: PathBuf) -> Router {
    Router::new()
        .route("/send-message", post(send::send_message))
        .route("/messages/{id}", get(read::message))
        .route("/notifications", get(read::notifications))
        .route("/dead-letters", get(read::dead_letters))
        .route("/healthz", get(read::healthz))
        .with_state(state)
        .fallback_service(page::service(web_dir))
}
