//! The security headers every answer carries, the same from the local gateway and the
//! cloud API (its integration and gateway responses): the page gets a policy that lets
//! it run, everything else (JSON, assets, errors) one that loads and frames nothing.
//!
//! The page's policy is `web/index.html`'s `<meta>` policy plus `frame-ancestors 'none'`,
//! which browsers ignore in a meta tag, so only a header stops other sites framing the
//! page. `nosniff` stops a browser guessing a type the server did not send.

use serde::Serialize;

/// The three headers of one kind of answer (serialised by their HTTP names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SecurityHeaders {
    #[serde(rename = "Content-Security-Policy")]
    pub content_security_policy: &'static str,
    #[serde(rename = "X-Content-Type-Options")]
    pub content_type_options: &'static str,
    #[serde(rename = "Referrer-Policy")]
    pub referrer_policy: &'static str,
}

impl SecurityHeaders {
    /// `(name, value)` of each header, names as HTTP spells them.
    pub const fn entries(&self) -> [(&'static str, &'static str); 3] {
        [
            ("Content-Security-Policy", self.content_security_policy),
            ("X-Content-Type-Options", self.content_type_options),
            ("Referrer-Policy", self.referrer_policy),
        ]
    }
}

/// The test page (HTML): its own scripts, styles and Wasm; nothing else, no framing.
pub const PAGE: SecurityHeaders = SecurityHeaders {
    content_security_policy: "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
        style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; \
        form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'; \
        frame-ancestors 'none'",
    content_type_options: "nosniff",
    referrer_policy: "no-referrer",
};

/// Every other answer (JSON, assets, errors): loads nothing, framed by nothing.
pub const RESOURCE: SecurityHeaders = SecurityHeaders {
    content_security_policy: "default-src 'none'; frame-ancestors 'none'",
    content_type_options: "nosniff",
    referrer_policy: "no-referrer",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_reads_as_written_in_the_issue() {
        // Hand-written, not derived: a line break in the constant must not eat a space.
        assert_eq!(
            PAGE.content_security_policy,
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
             require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors 'none'"
        );
    }

    #[test]
    fn every_header_value_is_a_valid_http_field_value() {
        for headers in [PAGE, RESOURCE] {
            for (name, value) in headers.entries() {
                assert!(
                    value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()),
                    "{name}: {value:?}"
                );
                assert!(
                    !value.contains("  "),
                    "{name}: a doubled space in {value:?}"
                );
            }
        }
    }
}
