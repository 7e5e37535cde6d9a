//! The local API gateway: the cloud API's routes and responses on 127.0.0.1.
//!
//! - `POST /send-message` ([`send`]): validate with core, queue durably, answer.
//! - `GET /messages/{id}` ([`read`]): the stored record, as the cloud API's DynamoDB
//!   integration answers.
//! - `GET /` and the page's assets ([`page`]), from `--web-dir`.
//! - Local only ([`read`]): `GET /notifications`, `GET /dead-letters` (pages streamed
//!   by [`list_page`]), `GET /healthz`, `GET /metrics` (Prometheus), `GET /rules` (the
//!   routing rules in force, [`rules`]); [`redrive`]: `POST /dead-letters/redrive`; and
//!   [`livez`]: `GET /livez`, which does no I/O.
//!
//! Around every route: the `Host` check ([`host_check`]), the contract's JSON for every
//! error ([`error_shape`]), security headers ([`security_headers`]); the page's paths
//! pass [`page_paths`] first.

pub mod body_limits;
pub mod error_shape;
pub mod host_check;
pub mod list_page;
pub mod list_query;
pub mod livez;
pub mod page;
pub mod page_paths;
pub mod read;
pub mod redrive;
pub mod refusals;
pub mod response;
pub mod rules;
pub mod security_headers;
pub mod send;

use std::path::PathBuf;
use std::sync::Arc;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use private_ingest_handler::Clock;

use self::body_limits::BodyLimits;
use self::host_check::AllowedHosts;
use crate::adapters::{SqliteDedupe, SqliteNotifier, SqliteRecordStore};
use crate::db::{Reads, Writer};
use crate::health::WriteHealth;
use crate::metrics::Metrics;
use crate::queue::Queue;

/// What the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub queue: Queue,
    pub records: SqliteRecordStore,
    pub notifications: SqliteNotifier,
    /// For the count of dedupe markers on `/healthz`.
    pub dedupe: SqliteDedupe,
    /// For the group-commit figures on `/healthz`.
    pub writer: Writer,
    pub clock: Clock,
    /// For the list pages, read a chunk at a time.
    pub reads: Reads,
    /// Whether writes work, for `/healthz`.
    pub health: WriteHealth,
    pub limits: ClientLimits,
    /// The stack's metrics: `POST /send-message` counts into them, `/metrics` shows them.
    pub metrics: Arc<Metrics>,
    /// `GET /rules`'s answer, made once at start (`core::rules::in_force`).
    pub rules_in_force: Arc<str>,
}

/// Bounds on what clients can make the gateway hold.
#[derive(Debug, Clone)]
pub struct ClientLimits {
    pub body: BodyLimits,
    /// Byte budget of one list page (`--max-list-bytes`).
    pub list_bytes: usize,
    pub hosts: AllowedHosts,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

pub fn router(state: AppState, web_dir: PathBuf) -> Router {
    let hosts = state.limits.hosts.clone();
    let routes = Router::new()
        .route("/send-message", post(send::send_message))
        .route("/messages/{id}", get(read::message))
        .route("/notifications", get(read::notifications))
        .route("/dead-letters", get(read::dead_letters))
        .route("/dead-letters/redrive", post(redrive::redrive))
        .route("/healthz", get(read::healthz))
        .route("/metrics", get(read::metrics))
        .route("/livez", get(livez::livez))
        .route("/rules", get(rules::rules_in_force))
        .with_state(state)
        .fallback_service(page_paths::guarded(web_dir));
    // `Router::layer` wraps each route on its own, inside the routing (a 405's `Allow`
    // is added outside it); wrapping the whole router as one service puts the layers
    // around the finished answers. The last layer added runs first: headers on every
    // answer, the 421 before any route, the JSON shape around what routes and files say.
    Router::new()
        .fallback_service(routes)
        .layer(middleware::from_fn(error_shape::shape))
        .layer(middleware::from_fn_with_state(hosts, host_check::check))
        .layer(middleware::from_fn(security_headers::add))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::db::{self, test_database::TestDatabase};
    use crate::faults::Faults;
    use crate::queue::QueueOptions;
    use private_ingest_handler::fixed_clock;

    struct Fixture {
        router: Router,
        db: TestDatabase,
    }

    fn fixture() -> Fixture {
        let db = TestDatabase::new();
        let (writer, reads) = (db.writer.clone(), db.reads.clone());
        let clock = fixed_clock(1_700_000_000_000);
        let faults = Arc::new(Faults::none());
        let options = QueueOptions {
            visibility_timeout: Duration::from_secs(30),
            max_receive_count: 5,
        };
        let state = AppState {
            queue: Queue::new(writer.clone(), reads.clone(), options),
            records: SqliteRecordStore::new(
                writer.clone(),
                reads.clone(),
                faults.clone(),
                clock.clone(),
            ),
            notifications: SqliteNotifier::new(
                writer.clone(),
                reads.clone(),
                faults,
                clock.clone(),
            ),
            dedupe: SqliteDedupe::new(writer.clone(), reads.clone()),
            writer: writer.clone(),
            clock,
            reads,
            health: WriteHealth::default(),
            limits: ClientLimits {
                body: BodyLimits::new(4 << 20, Duration::from_secs(5)),
                list_bytes: 1 << 20,
                hosts: AllowedHosts::new("127.0.0.1:0", &[]),
            },
            metrics: Arc::new(Metrics::new()),
            rules_in_force: r#"{"rules":null,"notificationIncludesData":false}"#.into(),
        };
        Fixture {
            router: router(state, db.missing_folder()),
            db,
        }
    }

    async fn post(router: &Router, body: Body) -> (StatusCode, serde_json::Value) {
        post_with(router, body, &[]).await
    }

    async fn post_with(
        router: &Router,
        body: Body,
        headers: &[(&str, &str)],
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::post("/send-message").header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(body).unwrap();
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
        f.db.writer
            .execute(|c| c.execute_batch("DROP TABLE messages"))
            .await
            .unwrap();

        // WHEN a valid message is sent
        let (status, answer) = post(&f.router, Body::from(r#"{"Insert":"DynamoDB"}"#)).await;

        // THEN it is refused with a fixed text, never a 200, and SQLite's words stay inside;
        // the request id finds the cause in the log
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let request_id = answer["requestId"].as_str().unwrap().to_owned();
        assert_eq!(request_id.len(), 36, "a UUID: {answer}");
        assert_eq!(
            answer,
            serde_json::json!({
                "message": "The message could not be queued; it was not accepted, send it again.",
                "errors": [],
                "requestId": request_id
            })
        );
    }

    #[tokio::test]
    async fn a_keyed_message_carries_its_key_and_the_200_names_the_record() {
        let f = fixture();
        let (status, answer) = post_with(
            &f.router,
            Body::from(r#"{"Insert":"DynamoDB"}"#),
            &[("Idempotency-Key", "order-7")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["recordId"], "order-7");
        let id = answer["messageId"].as_str().unwrap().to_owned();
        let conn = db::open_for_reading(&f.db.path).unwrap();
        let attributes: String = conn
            .query_row(
                "SELECT attributes FROM messages WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        let attributes: serde_json::Value = serde_json::from_str(&attributes).unwrap();
        assert_eq!(attributes["idempotencyKey"], "order-7");
    }

    #[tokio::test]
    async fn without_a_key_the_record_id_is_the_message_id() {
        let f = fixture();
        let (_, answer) = post(&f.router, Body::from(r#"{"Insert":"DynamoDB"}"#)).await;
        assert_eq!(answer["recordId"], answer["messageId"]);
    }

    #[tokio::test]
    async fn a_bad_key_is_a_400_naming_the_header_before_the_body_s_errors() {
        let f = fixture();
        let (status, answer) = post_with(
            &f.router,
            Body::from(r#"{"Insert":5}"#),
            &[("Idempotency-Key", "order 7")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer["errors"],
            serde_json::json!([
                "Idempotency-Key: character \" \" at position 6 is not allowed (1 to 128 of A-Z a-z 0-9 - _ . :)",
                "/Insert: expected a string, found number"
            ])
        );
        let (status, answer) = post_with(
            &f.router,
            Body::from(r#"{"Insert":"x"}"#),
            &[("Idempotency-Key", "")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["errors"].as_array().unwrap().len(), 1);
        let conn = db::open_for_reading(&f.db.path).unwrap();
        let queued: i64 = conn
            .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, 0, "nothing was queued");
    }

    #[tokio::test]
    async fn a_queued_message_is_on_disk_when_the_200_comes_back() {
        let f = fixture();
        let (status, answer) = post(&f.router, Body::from(r#"{"Insert":"DynamoDB"}"#)).await;
        assert_eq!(status, StatusCode::OK);
        let id = answer["messageId"].as_str().unwrap().to_owned();
        // A fresh connection, as another process would open after a crash, sees it.
        let conn = db::open_for_reading(&f.db.path).unwrap();
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
