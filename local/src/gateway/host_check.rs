//! The `Host` check (DNS rebinding). A web page on `evil.example` can point its own
//! name at 127.0.0.1; the browser then treats this stack as `evil.example`'s origin and
//! lets the page read `/notifications`, `/dead-letters` and `/messages` and post
//! messages. The request still says `Host: evil.example`, so answering only the names
//! this server is known by stops it (421, as Vite's and Jupyter's dev servers do after
//! the same class of bug).
//!
//! Allowed, as Vite allows them by default: `localhost` and `*.localhost` (RFC 6761: they
//! always resolve to loopback), every IP address (a page reached by address is its own
//! origin; nothing is rebound), the host of `--listen`, and each `--allowed-host` (a
//! leading dot allows the name and its subdomains; `*` allows everything). A request
//! without `Host` (HTTP/1.0) is not from a browser and is let through.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::uri::Authority;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::response::ApiError;

/// Longest `Host` echoed back in a 421.
const MAX_ECHOED: usize = 100;

/// The names this server answers to; cheap to clone.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    any: bool,
    /// Lowercase names allowed exactly.
    names: Arc<Vec<String>>,
    /// Lowercase `.suffix`es: the name itself and every subdomain.
    suffixes: Arc<Vec<String>>,
}

impl AllowedHosts {
    /// From `--listen` and the `--allowed-host` values.
    pub fn new(listen: &str, extra: &[String]) -> Self {
        let mut names = vec!["localhost".to_owned()];
        let mut suffixes = vec![".localhost".to_owned()];
        let mut any = false;
        let listen_host = listen
            .parse::<Authority>()
            .ok()
            .map(|a| a.host().to_owned());
        for entry in extra
            .iter()
            .map(String::as_str)
            .chain(listen_host.as_deref())
        {
            let entry = normalise(entry);
            if entry == "*" {
                any = true;
            } else if entry.starts_with('.') {
                suffixes.push(entry);
            } else if !entry.is_empty() {
                names.push(entry);
            }
        }
        Self {
            any,
            names: Arc::new(names),
            suffixes: Arc::new(suffixes),
        }
    }

    /// Whether a `Host` value (`name`, `name:port`, `[v6]:port`) is allowed.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let Ok(authority) = host.parse::<Authority>() else {
            return false;
        };
        if authority.as_str().contains('@') {
            return false; // userinfo has no place in Host
        }
        let name = normalise(authority.host());
        is_ip_address(&name)
            || self.names.contains(&name)
            || self
                .suffixes
                .iter()
                .any(|s| name.ends_with(s.as_str()) || name == s[1..])
    }
}

fn normalise(name: &str) -> String {
    // "localhost." is the same DNS name as "localhost".
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn is_ip_address(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok()
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(|h| h.parse::<Ipv6Addr>().is_ok())
}

/// Middleware: 421 for a request whose `Host` (or absolute-form target) is not allowed.
pub async fn check(State(allowed): State<AllowedHosts>, request: Request, next: Next) -> Response {
    let named = request
        .headers()
        .get_all(HOST)
        .iter()
        .map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned())
        .chain(request.uri().authority().map(|a| a.as_str().to_owned()));
    for host in named {
        if !allowed.allows(&host) {
            let shown: String = host.chars().take(MAX_ECHOED).collect();
            return ApiError::misdirected(vec![format!(
                "/Host: {shown:?} is not a name this server answers to (it answers to localhost, \
                 IP addresses, its --listen host and each --allowed-host)"
            )])
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_allowed_by_default() {
        let hosts = AllowedHosts::new("127.0.0.1:8080", &[]);
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST.",
            "app.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]:8080",
            "[::1]",
            "10.1.2.3:80",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
    }

    #[test]
    fn other_names_are_not() {
        let hosts = AllowedHosts::new("127.0.0.1:8080", &[]);
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "evillocalhost",
            "127.0.0.1.nip.io",
            "user@localhost",
            "",
            "local host",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn the_listen_host_and_allowed_hosts_are_added() {
        let hosts = AllowedHosts::new(
            "devbox.internal:8080",
            &["Ingest.Example".into(), ".corp.example".into()],
        );
        for ok in [
            "devbox.internal:8080",
            "ingest.example",
            "corp.example",
            "a.b.corp.example:1",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        assert!(!hosts.allows("xcorp.example"));
        assert!(AllowedHosts::new("127.0.0.1:0", &["*".into()]).allows("anything.example"));
    }
}
