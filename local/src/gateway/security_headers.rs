//! Security headers on every response. The page's Content-Security-Policy was only a
//! `<meta>` tag, which cannot say `frame-ancestors` (browsers ignore it there), so any
//! site could frame the page; and without `nosniff` a browser may guess a type.
//!
//! - HTML (the page): [`PAGE_CSP`], the policy of `web/index.html`'s meta tag plus
//!   `frame-ancestors 'none'`.
//! - Everything else (JSON, assets): [`RESOURCE_CSP`], nothing may load or frame it.
//! - Always: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (the
//!   page's meta says the same).
//!
//! The cloud's page responses must set the same three headers (API Gateway integration
//! response headers); the values are these constants.

use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The page's policy: web/index.html's meta tag (a test keeps the two equal) plus
/// `frame-ancestors 'none'`, which only a header can carry.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors 'none'";

/// Any other response: loads nothing, framed by nothing.
pub const RESOURCE_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub const REFERRER: &str = "no-referrer";

/// Middleware: adds the headers to every response (keeping any a route set itself).
pub async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let headers = response.headers_mut();
    let csp = if is_html { PAGE_CSP } else { RESOURCE_CSP };
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(csp));
    headers
        .entry(X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(REFERRER_POLICY)
        .or_insert(HeaderValue::from_static(REFERRER));
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
            PAGE_CSP,
            format!("{}; frame-ancestors 'none'", meta_policy(&html)),
            "web/index.html's policy changed: change PAGE_CSP with it (and the cloud's page responses)"
        );
    }
}
