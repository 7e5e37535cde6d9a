//! The API over HTTP, as a client in the VPC (or on the local stack's host) calls it:
//! the contract's routes, and the local stack's own (`/healthz`, `/notifications`,
//! `/dead-letters`, `POST /dead-letters/redrive`).

use std::path::Path;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use private_ingest_core::contract::IDEMPOTENCY_KEY_HEADER;
use serde_json::Value;

use crate::endpoint::Endpoint;
use crate::failure::{chain, Failure};

/// Largest answer read: a list page is at most `--max-list-bytes` (1 MiB by default)
/// plus one entry, and a record at most one 256 KiB body with its fields.
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Characters escaped in one path segment (RFC 3986 `pchar` keeps the rest).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// How to reach the endpoint: the extra CA and the time a request may take.
#[derive(Debug, Clone)]
pub struct Connection {
    /// PEM file of CA certificates trusted besides the system's (`--ca-cert`).
    pub ca_cert: Option<std::path::PathBuf>,
    pub request_timeout: Duration,
}

/// An HTTP answer: its status, its JSON (`Null` when it is not JSON) and the start of its
/// text (for the answers that are not the contract's).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub text: String,
}

impl Answer {
    /// The contract's `message`, if the answer has one.
    pub fn message(&self) -> Option<&str> {
        self.json.get("message").and_then(Value::as_str)
    }

    /// The status and what the body says, for a one-line reason.
    pub fn summary(&self) -> String {
        let said = if self.json.is_null() {
            let text: String = self.text.chars().take(200).collect();
            crate::failure::one_line(&text)
        } else {
            crate::failure::one_line(&self.json.to_string().chars().take(400).collect::<String>())
        };
        format!("HTTP {} {said}", self.status)
    }
}

#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    endpoint: Endpoint,
}

impl Api {
    pub fn new(endpoint: Endpoint, connection: &Connection) -> Result<Self, Failure> {
        let mut builder = reqwest::Client::builder()
            .timeout(connection.request_timeout)
            .connect_timeout(connection.request_timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("private-ingest/", env!("CARGO_PKG_VERSION")))
            // The contract never redirects; following one would hide a wrong endpoint.
            .redirect(reqwest::redirect::Policy::none())
            .tls_version_min(reqwest::tls::Version::TLS_1_2);
        if let Some(path) = &connection.ca_cert {
            builder = builder.tls_certs_merge(read_ca_certs(path)?);
        }
        let http = builder
            .build()
            .map_err(|e| Failure::failed(format!("could not set up HTTPS: {}", chain(&e))))?;
        Ok(Self { http, endpoint })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `POST /send-message` with the body as given, and the `Idempotency-Key` if any.
    pub async fn send(
        &self,
        body: Vec<u8>,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, Failure> {
        let mut request = self
            .http
            .post(self.endpoint.url("/send-message"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        self.answer("POST /send-message", request).await
    }

    /// `GET /messages/{id}`.
    pub async fn record(&self, id: &str) -> Result<Answer, Failure> {
        self.get(&format!("/messages/{}", utf8_percent_encode(id, SEGMENT)))
            .await
    }

    /// `GET <path>` (with its query).
    pub async fn get(&self, path: &str) -> Result<Answer, Failure> {
        let request = self.http.get(self.endpoint.url(path));
        self.answer(&format!("GET {path}"), request).await
    }

    /// `POST <path>` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Answer, Failure> {
        let request = self
            .http
            .post(self.endpoint.url(path))
            .header("content-type", "application/json")
            .body(body.to_string());
        self.answer(&format!("POST {path}"), request).await
    }

    async fn answer(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, Failure> {
        let mut response = request
            .send()
            .await
            .map_err(|e| self.unreachable(what, &e))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.unreachable(what, &e))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Failure::failed(format!(
                    "{what} on {}: the answer is over {MAX_ANSWER_BYTES} bytes; is this the private-ingest API?",
                    self.endpoint
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned(),
        })
    }

    fn unreachable(&self, what: &str, error: &reqwest::Error) -> Failure {
        let hint = if error.is_timeout() {
            " (timed out; --request-timeout sets the limit)"
        } else if error.is_connect() {
            "; `private-ingest doctor` finds the broken link"
        } else {
            ""
        };
        Failure::failed(format!(
            "{what} on {}: {}{hint}",
            self.endpoint,
            chain(error)
        ))
    }
}

/// The certificates of a PEM file.
pub fn read_ca_certs(path: &Path) -> Result<Vec<reqwest::Certificate>, Failure> {
    let pem = std::fs::read(path)
        .map_err(|e| Failure::invalid(format!("--ca-cert {}: {e}", path.display())))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| Failure::invalid(format!("--ca-cert {}: {}", path.display(), chain(&e))))?;
    if certs.is_empty() {
        return Err(Failure::invalid(format!(
            "--ca-cert {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_one_path_segment() {
        let encoded = utf8_percent_encode("a/b?c#d e%", SEGMENT).to_string();
        assert_eq!(encoded, "a%2Fb%3Fc%23d%20e%25");
        let uuid = "0f5c2b1e-6a0e-4d1b-9b8e-2f1d6f0c9a77";
        assert_eq!(utf8_percent_encode(uuid, SEGMENT).to_string(), uuid);
    }
}
