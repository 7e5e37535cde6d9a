//! Security headers on every response, the contract's (`contract::security_headers`,
//! which the cloud's integration and gateway responses set too). The page's
//! Content-Security-Policy was only a `<meta>` tag, which cannot say `frame-ancestors`
//! (browsers ignore it there), so any site could frame the page; and without `nosniff` a
//! browser may guess a type.
//!
//! - HTML (the page): the contract's [`PAGE`] headers.
//! - Everything else (JSON, assets): [`RESOURCE`], nothing may load or frame it.

use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use private_ingest_core::contract::security_headers::{PAGE, RESOURCE};

/// Middleware: adds the headers to every response (keeping any a route set itself).
pub async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let headers = response.headers_mut();
    let kind = if is_html { PAGE } else { RESOURCE };
    for (name, value) in [
        (CONTENT_SECURITY_POLICY, kind.content_security_policy),
        (X_CONTENT_TYPE_OPTIONS, kind.content_type_options),
        (REFERRER_POLICY, kind.referrer_policy),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `content` of index.html's Content-Security-Policy meta tag.
    fn meta_policy(html: &str) -> String {
        let at = html
            .find("http-equiv=\"Content-Security-Policy\"")
            .expect("index.html has a CSP meta tag");
        let rest = &html[at..];
        let start = rest.find("content=\"").unwrap() + "content=\"".len();
        let end = rest[start..].find('"').unwrap();
        rest[start..start + end].to_owned()
    }

    #[test]
    fn the_page_header_is_the_meta_policy_plus_frame_ancestors() {
        let index = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/index.html");
        let html = std::fs::read_to_string(index).unwrap();
        assert_eq!(
            PAGE.content_security_policy,
            format!("{}; frame-ancestors 'none'", meta_policy(&html)),
            "web/index.html's policy changed: change the contract's page policy with it"
        );
    }
}
