//! `GET /livez`: the process is up and its HTTP server answers. No database read, no
//! state: what a supervisor's liveness probe needs, and the local stack's no-I/O ceiling
//! in `make bench` (every other route does I/O). `/healthz` is the readiness check that
//! reads the database.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

pub async fn livez() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/json")],
        r#"{"status":"alive"}"#,
    )
}
