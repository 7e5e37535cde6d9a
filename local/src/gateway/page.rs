//! `GET /` and the test page's assets, from `--web-dir` (built into `web/dist` by
//! `make web`). Looked up at every request, so building the page while the stack runs
//! is enough. When the page is not built, `/` says how to build it; other unknown paths
//! get the API's 404.

use std::convert::Infallible;
use std::path::PathBuf;

use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tower_http::services::ServeDir;

use super::response::ApiError;

pub fn service(web_dir: PathBuf) -> ServeDir<MethodRouter<(), Infallible>> {
    let shown = web_dir.display().to_string();
    let missing = axum::routing::any(move |request: Request| {
        let shown = shown.clone();
        async move { not_built_or_not_found(&request, &shown) }
    });
    ServeDir::new(web_dir).fallback(missing)
}

fn not_built_or_not_found(request: &Request, web_dir: &str) -> Response {
    let path = request.uri().path();
    if path == "/" || path == "/index.html" {
        let host = request
            .headers()
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1:8080");
        let page = NOT_BUILT
            .replace("HOST", &html_escape(host))
            .replace("{web_dir}", &html_escape(web_dir));
        return (
            StatusCode::OK,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response();
    }
    no_such_file(path)
}

/// The API's 404 for a path that names no route and no servable file.
pub fn no_such_file(path: &str) -> Response {
    ApiError::not_found(vec![format!(
        "{}: no such route or file",
        path.chars().take(100).collect::<String>()
    )])
    .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>private-ingest (local): test page not built</title></head>
<body>
<h1>private-ingest is running; the test page is not built</h1>
<p>No <code>index.html</code> in <code>{web_dir}</code>. Build the page (WebAssembly included) with
<code>make web</code>, then reload; or run <code>make dev</code>, which builds everything and starts this stack.
Another folder can be served with <code>--web-dir</code>.</p>
<p>The API works without the page:</p>
<pre>curl -s -H 'Content-Type: application/json' -d '{"Insert":"DynamoDB"}' http://HOST/send-message
curl -s http://HOST/messages/MESSAGE_ID
curl -s http://HOST/notifications
curl -s http://HOST/dead-letters
curl -s http://HOST/healthz</pre>
</body>
</html>
"#;
