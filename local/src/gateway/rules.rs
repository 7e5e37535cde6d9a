//! `GET /rules` (local only): the routing rules in force and whether notifications carry
//! the caller's content, as the test page reads them (the cloud publishes the same JSON
//! beside the page as `routing-rules.json`).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::AppState;

pub async fn rules_in_force(State(app): State<AppState>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
        ],
        app.rules_in_force.to_string(),
    )
        .into_response()
}
