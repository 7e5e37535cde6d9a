//! The API's base URL (`--endpoint`): the local stack's `http://127.0.0.1:8080`, or
//! `https://<customDomainName>` in the cloud, with a base path if the domain maps one.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

use crate::failure::Failure;

/// The default `--endpoint`: the local stack as `make dev` serves it.
pub const LOCAL_DEFAULT: &str = "http://127.0.0.1:8080";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Without a trailing slash, no query, no fragment.
    base: Url,
}

impl Endpoint {
    pub fn parse(text: &str) -> Result<Self, Failure> {
        let url = Url::parse(text.trim()).map_err(|e| {
            Failure::invalid(format!(
                "--endpoint {text:?} is not a URL ({e}); expected http://127.0.0.1:8080 or https://<customDomainName>"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Failure::invalid(format!(
                "--endpoint {text:?}: the scheme must be http (the local stack) or https (the cloud API)"
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Failure::invalid(format!(
                "--endpoint {text:?} names no host"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(Failure::invalid(format!(
                "--endpoint {text:?}: give the base URL only (no query, fragment or user)"
            )));
        }
        let mut base = url;
        let path = base.path().trim_end_matches('/').to_owned();
        base.set_path(&path);
        Ok(Self { base })
    }

    /// `http://`: the local stack (the cloud API is HTTPS only, behind its private
    /// custom domain's certificate).
    pub fn is_local(&self) -> bool {
        self.base.scheme() == "http"
    }

    /// The host as written (a name, or an address without brackets).
    pub fn host(&self) -> String {
        match self.base.host() {
            Some(Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => String::new(),
        }
    }

    /// The host as an address, when it is one (no DNS step then).
    pub fn ip(&self) -> Option<IpAddr> {
        match self.base.host()? {
            Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            Host::Domain(_) => None,
        }
    }

    /// The port, the scheme's default when none is written (443 for https).
    pub fn port(&self) -> u16 {
        self.base.port_or_known_default().unwrap_or(80)
    }

    /// The base path, `""` or `/prod`.
    pub fn base_path(&self) -> &str {
        self.base.path().trim_end_matches('/')
    }

    /// The URL of `path` (which starts with `/`) under the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base.as_str().trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_cloud_endpoints() {
        let local = Endpoint::parse("http://127.0.0.1:8080/").unwrap();
        assert!(local.is_local());
        assert_eq!(
            local.url("/send-message"),
            "http://127.0.0.1:8080/send-message"
        );
        assert_eq!(local.ip(), Some("127.0.0.1".parse().unwrap()));
        let cloud = Endpoint::parse("https://api.example.internal/prod/").unwrap();
        assert!(!cloud.is_local());
        assert_eq!(
            (cloud.host().as_str(), cloud.port()),
            ("api.example.internal", 443)
        );
        assert_eq!(cloud.base_path(), "/prod");
        assert_eq!(
            cloud.url("/messages/x"),
            "https://api.example.internal/prod/messages/x"
        );
        assert_eq!(cloud.ip(), None);
        assert_eq!(Endpoint::parse("http://[::1]:9/").unwrap().host(), "::1");
    }

    #[test]
    fn what_is_not_a_base_url_is_refused_with_the_reason() {
        for (text, reason) in [
            ("127.0.0.1:8080", "not a URL"),
            ("ftp://x", "scheme"),
            ("https://x/?a=1", "base URL only"),
            ("not a url", "not a URL"),
        ] {
            let failure = Endpoint::parse(text).unwrap_err();
            assert!(
                failure.reason.contains(reason),
                "{text}: {}",
                failure.reason
            );
        }
    }
}
