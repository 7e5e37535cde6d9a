//! A Lambda Runtime API on 127.0.0.1: the HTTP API Lambda serves to a custom runtime
//! (`/2018-06-01/runtime/...`). It hands queued events out on `invocation/next`, with the
//! headers Lambda sends, and records what the runtime posts back.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

/// What the runtime posted back.
#[derive(Debug, Clone, PartialEq)]
pub enum Posted {
    Response { request_id: String, body: Value },
    Error { request_id: String, body: Value },
    InitError { body: Value },
}

struct Shared {
    events: Mutex<mpsc::UnboundedReceiver<(String, String)>>,
    posted: mpsc::UnboundedSender<Posted>,
    first_next: OnceLock<Instant>,
}

#[derive(Debug)]
pub struct RuntimeApi {
    addr: SocketAddr,
    events: mpsc::UnboundedSender<(String, String)>,
    posted: mpsc::UnboundedReceiver<Posted>,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("first_next", &self.first_next)
            .finish_non_exhaustive()
    }
}

impl RuntimeApi {
    pub async fn start() -> Self {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (posted_tx, posted_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            posted: posted_tx,
            first_next: OnceLock::new(),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            addr,
            events: events_tx,
            posted: posted_rx,
            shared,
            server,
        }
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Queues an invocation with this request id and JSON payload.
    pub fn invoke(&self, request_id: &str, payload: &str) {
        self.events
            .send((request_id.to_owned(), payload.to_owned()))
            .unwrap();
    }

    /// The next thing the runtime posted, or None after `timeout`.
    pub async fn posted(&mut self, timeout: Duration) -> Option<Posted> {
        tokio::time::timeout(timeout, self.posted.recv())
            .await
            .ok()
            .flatten()
    }

    /// When the runtime first asked for an event (the end of its init).
    pub fn first_next_at(&self) -> Option<Instant> {
        self.shared.first_next.get().copied()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    shared.first_next.get_or_init(Instant::now);
    let Some((request_id, payload)) = shared.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let headers = [
        ("Lambda-Runtime-Aws-Request-Id", request_id),
        // Lambda's own maximum timeout is 15 minutes; a minute is plenty here.
        ("Lambda-Runtime-Deadline-Ms", (now_ms + 60_000).to_string()),
        (
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:us-east-1:123456789012:function:private-ingest-handler".into(),
        ),
        (
            "Lambda-Runtime-Trace-Id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0".into(),
        ),
        ("Content-Type", "application/json".into()),
    ];
    (headers, payload).into_response()
}

fn json(body: &Bytes) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into()))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let body = json(&body);
    let _ = shared.posted.send(Posted::Response { request_id, body });
    StatusCode::ACCEPTED
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let body = json(&body);
    let _ = shared.posted.send(Posted::Error { request_id, body });
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    let _ = shared.posted.send(Posted::InitError { body: json(&body) });
    StatusCode::ACCEPTED
}
