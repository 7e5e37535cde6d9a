//! The local API gateway: the cloud API's routes and responses on 127.0.0.1.
//!
//! - `POST /send-message` ([`send`]): validate with core, queue durably, answer.
//! - `GET /messages/{id}` ([`read`]): the stored record, as the cloud API's DynamoDB
//!   integration answers.
//! - `GET /` and the page's assets ([`page`]), from `--web-dir`.
//! - Local only ([`read`]): `GET /notifications`, `GET /dead-letters`, `GET /healthz`;
//!   and [`livez`]: `GET /livez`, which does no I/O.

pub mod accept;
pub mod livez;
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
        .route("/livez", get(livez::livez))
        .with_state(state)
        .fallback_service(page::service(web_dir))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::db::{self, Reads, WriterThread};
    use crate::faults::Faults;
    use crate::queue::QueueSettings;

    struct Fixture {
        router: Router,
        writer: Writer,
        _thread: WriterThread,
        dir: tempfile::TempDir,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(db::FILE_NAME);
        let (writer, thread) = db::writer::start(db::open_for_writing(&path).unwrap()).unwrap();
        let reads = Reads::new(path);
        let clock: Clock = Arc::new(|| 1_700_000_000_000);
        let faults = Arc::new(Faults::none());
        let settings = QueueSettings {
            visibility_timeout: Duration::from_secs(30),
            max_receive_count: 5,
        };
        let state = AppState {
            queue: Queue::new(writer.clone(), reads.clone(), settings),
            records: SqliteRecordStore::new(
                writer.clone(),
                reads.clone(),
                faults.clone(),
                clock.clone(),
            ),
            notifications: SqliteNotifier::new(writer.clone(), reads, faults, clock.clone()),
            writer: writer.clone(),
            clock,
        };
        Fixture {
            router: router(state, dir.path().join("no-page")),
            writer,
            _thread: thread,
            dir,
        }
    }

    async fn post(router: &Router, body: Body) -> (StatusCode, serde_json::Value) {
        let request = Request::post("/send-message")
            .header("content-type", "application/json")
            .body(body)
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_streamed_body_over_the_read_cap_is_413_without_reading_it_all() {
        let f = fixture();
        // No Content-Length: 64 KiB chunks until far past the 1 MiB read cap.
        let chunks =
            futures::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])));
        let (status, answer) = post(&f.router, Body::from_stream(chunks)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(answer["message"], "Request body too large");
        assert!(answer["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("/: body is more than 1048576 bytes"));
    }

    #[tokio::test]
    async fn a_message_that_could_not_be_made_durable_is_503_with_no_internal_detail() {
        let f = fixture();
        // GIVEN a database that refuses the queue's insert
        f.writer
            .execute(|c| c.execute_batch("DROP TABLE messages"))
            .await
            .unwrap();

        // WHEN a valid message is sent
        let (status, answer) = post(&f.router, Body::from(r#"{"Insert":"DynamoDB"}"#)).await;

        // THEN it is refused with a fixed text, never a 200, and SQLite's words stay inside
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            answer,
            serde_json::json!({
                "message": "The message could not be queued; it was not accepted, send it again",
                "errors": []
            })
        );
    }

    #[tokio::test]
    async fn a_queued_message_is_on_disk_when_the_200_comes_back() {
        let f = fixture();
        let (status, answer) = post(&f.router, Body::from(r#"{"Insert":"DynamoDB"}"#)).await;
        assert_eq!(status, StatusCode::OK);
        let id = answer["messageId"].as_str().unwrap().to_owned();
        // A fresh connection, as another process would open after a crash, sees it.
        let conn = db::open_for_reading(&f.dir.path().join(db::FILE_NAME)).unwrap();
        let (body, attributes): (String, String) = conn
            .query_row(
                "SELECT body, attributes FROM messages WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(body, r#"{"Insert":"DynamoDB"}"#);
        let attributes: serde_json::Value = serde_json::from_str(&attributes).unwrap();
        assert_eq!(attributes["requestId"], answer["requestId"]);
        assert_eq!(attributes["sourceVpce"], "local");
    }
}
