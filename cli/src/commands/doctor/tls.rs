//! The TLS step: a handshake with the name as SNI (what API Gateway's private custom
//! domain selects its certificate by), then each property on its own, so the first
//! problem is named even when several hold: TLS 1.2 or newer (the domain's security
//! policy TLS_1_2), the certificate covers the name, is in date, and chains to a
//! trusted root (the system's, plus `--ca-cert` for a private CA).
//!
//! The handshake accepts any certificate (still checking the handshake's signatures)
//! so that it can finish and show what the server presents; nothing is sent over it.
//! The HTTP steps after it verify certificates as usual.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, ProtocolVersion, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::{Finding, Walk};
use crate::endpoint::Endpoint;

/// Time for the connection and the handshake together.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);
/// A certificate closer than this to its end is reported (ACM starts renewing 60 days
/// before; an imported certificate is the owner's to renew).
const RENEW_SOON_DAYS: i64 = 30;

pub async fn step(endpoint: &Endpoint, walk: &Walk, ca_cert: Option<&PathBuf>) -> Finding {
    if endpoint.is_local() {
        return Finding::NotApplicable("not applicable: the local stack speaks plain HTTP".into());
    }
    let Some(address) = walk.reached.or_else(|| walk.addresses.first().copied()) else {
        return Finding::fail("no address to connect to", "see the DNS and TCP steps");
    };
    let host = endpoint.host();
    let facts = match handshake(address, &host, ca_cert).await {
        Ok(facts) => facts,
        Err(finding) => return finding,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    judge(&facts, &host, now)
}

/// What the handshake showed.
#[derive(Debug, Clone)]
pub struct TlsFacts {
    pub version: Option<ProtocolVersion>,
    /// The server's certificate (DER) and what the system's verifier said of its chain.
    pub leaf: CertificateDer<'static>,
    pub trust: Result<(), String>,
}

/// Judges the facts in the order a person fixes them; `now` in Unix seconds.
pub fn judge(facts: &TlsFacts, host: &str, now: i64) -> Finding {
    let version = match facts.version {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3",
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2",
        other => {
            return Finding::fail(
                format!("the server negotiated {other:?}, older than TLS 1.2"),
                "set the custom domain's security policy to TLS_1_2",
            )
        }
    };
    let certificate = match Certificate::read(&facts.leaf) {
        Ok(certificate) => certificate,
        Err(error) => {
            return Finding::fail(
                format!("the server's certificate cannot be read: {error}"),
                "check the certificate imported into ACM",
            )
        }
    };
    let names = certificate.names.join(", ");
    if !covers(&facts.leaf, host) {
        return Finding::fail(
            format!("the certificate covers {names}, not {host}"),
            "the custom domain's ACM certificate must cover its name (customDomainName), \
             exactly or by a wildcard one level up",
        );
    }
    if now < certificate.not_before {
        return Finding::fail(
            format!(
                "the certificate is valid only from {}",
                date(certificate.not_before)
            ),
            "check this host's clock, or wait for the certificate's start",
        );
    }
    if now > certificate.not_after {
        return Finding::fail(
            format!("the certificate expired on {}", date(certificate.not_after)),
            "renew the certificate (ACM renews its own when DNS validation still holds; an \
             imported one must be re-imported) and redeploy the custom domain",
        );
    }
    if let Err(reason) = &facts.trust {
        return Finding::fail(
            format!(
                "the certificate is not trusted: {reason} (issuer: {})",
                certificate.issuer
            ),
            "a private CA's certificate: pass it with --ca-cert FILE (PRIVATE_INGEST_CA_CERT); \
             otherwise the server sends an incomplete chain",
        );
    }
    let days_left = (certificate.not_after - now) / 86_400;
    let soon = if days_left < RENEW_SOON_DAYS {
        " (renew soon)"
    } else {
        ""
    };
    Finding::Ok(format!(
        "{version}, certificate for {names}, valid until {} ({days_left} days{soon}), issued by {}",
        date(certificate.not_after),
        certificate.issuer
    ))
}

/// Whether the certificate is valid for `host`, by webpki's own name rules (wildcards
/// included), as rustls checks it when a client connects.
fn covers(leaf: &CertificateDer<'_>, host: &str) -> bool {
    let (Ok(cert), Ok(name)) = (
        webpki::EndEntityCert::try_from(leaf),
        ServerName::try_from(host.to_owned()),
    ) else {
        return false;
    };
    cert.verify_is_valid_for_subject_name(&name).is_ok()
}

/// What a report needs from a certificate.
#[derive(Debug)]
struct Certificate {
    names: Vec<String>,
    issuer: String,
    not_before: i64,
    not_after: i64,
}

impl Certificate {
    fn read(der: &CertificateDer<'_>) -> Result<Self, String> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
        let mut names = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    x509_parser::extensions::GeneralName::DNSName(dns) => {
                        names.push((*dns).to_owned())
                    }
                    x509_parser::extensions::GeneralName::IPAddress(ip) => names.push(ip_text(ip)),
                    _ => {}
                }
            }
        }
        if names.is_empty() {
            names.push(format!("(no DNS name; subject {})", cert.subject()));
        }
        Ok(Self {
            names,
            issuer: cert.issuer().to_string(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }
}

/// An IP address SAN as text (4 or 16 bytes).
fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap_or_default()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap_or_default()).to_string(),
        _ => format!("{bytes:?}"),
    }
}

fn date(unix_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(unix_seconds, 0).map_or_else(
        || unix_seconds.to_string(),
        |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// Connects and shakes hands; a failure is already the step's finding.
async fn handshake(
    address: SocketAddr,
    host: &str,
    ca_cert: Option<&PathBuf>,
) -> Result<TlsFacts, Finding> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = roots(ca_cert)?;
    let recorder = Arc::new(Recorder::new(roots, Arc::clone(&provider)));
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Finding::fail(format!("TLS set-up: {e}"), "report this as a bug"))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let server_name = ServerName::try_from(host.to_owned()).map_err(|e| {
        Finding::fail(
            format!("{host:?} is not a name TLS can ask for: {e}"),
            "fix --endpoint",
        )
    })?;
    let connect = async {
        let tcp = TcpStream::connect(address).await?;
        TlsConnector::from(Arc::new(config))
            .connect(server_name, tcp)
            .await
    };
    let stream = match tokio::time::timeout(HANDSHAKE_LIMIT, connect).await {
        Err(_) => {
            return Err(Finding::fail(
                format!(
                    "no TLS handshake with {address} within {} s",
                    HANDSHAKE_LIMIT.as_secs()
                ),
                "is something other than the execute-api VPC endpoint listening there?",
            ))
        }
        Ok(Err(error)) => return Err(handshake_failed(address, &error)),
        Ok(Ok(stream)) => stream,
    };
    let version = stream.get_ref().1.protocol_version();
    let (leaf, trust) = recorder.seen().ok_or_else(|| {
        Finding::fail(
            "the server sent no certificate",
            "check the custom domain's certificate",
        )
    })?;
    Ok(TlsFacts {
        version,
        leaf,
        trust,
    })
}

fn handshake_failed(address: SocketAddr, error: &std::io::Error) -> Finding {
    let tls_error = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match tls_error {
        Some(rustls::Error::AlertReceived(alert)) => Finding::fail(
            format!("the server refused the handshake ({alert:?}): it offers no TLS 1.2 or 1.3 with a cipher suite in common"),
            "set the custom domain's security policy to TLS_1_2",
        ),
        Some(rustls::Error::PeerIncompatible(why)) => Finding::fail(
            format!("the server's TLS is incompatible ({why:?}): it offers no TLS 1.2 or newer"),
            "set the custom domain's security policy to TLS_1_2",
        ),
        Some(other) => Finding::fail(
            format!("TLS handshake with {address} failed: {other}"),
            "is the execute-api VPC endpoint what listens there?",
        ),
        None => Finding::fail(
            format!("TLS handshake with {address} failed: {error}"),
            "is the execute-api VPC endpoint what listens there (and not plain HTTP)?",
        ),
    }
}

/// The system's roots and `--ca-cert`'s.
fn roots(ca_cert: Option<&PathBuf>) -> Result<RootCertStore, Finding> {
    let mut roots = RootCertStore::empty();
    // Certificates the system has that rustls cannot use are skipped, as rustls does.
    let native = rustls_native_certs::load_native_certs();
    let _ = roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_cert {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect())
            .map_err(|e| {
                Finding::fail(
                    format!("--ca-cert {}: {e}", path.display()),
                    "pass a PEM file of CA certificates",
                )
            })?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(Finding::fail(
                format!(
                    "--ca-cert {}: no usable CA certificate in it",
                    path.display()
                ),
                "pass a PEM file of CA certificates",
            ));
        }
    }
    Ok(roots)
}

/// Records the server's certificate and what the usual verifier says of it, and lets
/// the handshake go on.
#[derive(Debug)]
struct Recorder {
    verifier: Result<Arc<WebPkiServerVerifier>, String>,
    provider: Arc<CryptoProvider>,
    seen: Mutex<Option<(CertificateDer<'static>, Result<(), String>)>>,
}

impl Recorder {
    fn new(roots: RootCertStore, provider: Arc<CryptoProvider>) -> Self {
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| format!("no trusted root certificates on this host ({e})"));
        Self {
            verifier,
            provider,
            seen: Mutex::new(None),
        }
    }

    fn seen(&self) -> Option<(CertificateDer<'static>, Result<(), String>)> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let trust = match &self.verifier {
            Ok(verifier) => verifier
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(reason) => Err(reason.clone()),
        };
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((end_entity.clone().into_owned(), trust));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
