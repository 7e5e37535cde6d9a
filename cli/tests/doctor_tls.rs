//! doctor's TLS step against local HTTPS servers with certificates made here (rcgen): a
//! private CA's certificate for the name (ok with `--ca-cert`, untrusted without), one
//! for another name, an expired one, a TLS 1.2-only server, and (Debian's openssl) a
//! server that offers only TLS 1.1. Behind the TLS, a stand-in for the cloud API answers
//! the contract's 404 and 400, so a whole walk can be ok.

mod support;

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;
use support::{run, Run};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A private CA, and leaf certificates it signs.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

impl Ca {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "private-ingest test CA");
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Self { params, key, pem }
    }

    /// A certificate for `names`, valid from `not_before` to `not_after` (years).
    fn leaf(
        &self,
        names: &[&str],
        years: Option<(i32, i32)>,
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        if let Some((from, to)) = years {
            params.not_before = rcgen::date_time_ymd(from, 1, 1);
            params.not_after = rcgen::date_time_ymd(to, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (vec![cert.der().clone()], key)
    }

    /// A certificate for `names` and its key, as PEM files hold them.
    fn leaf_pem(&self, names: &[&str]) -> (String, String) {
        let params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn write_pem(&self) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &self.pem).unwrap();
        file
    }
}

/// An HTTPS stand-in for the cloud API on 127.0.0.1: the contract's 404 for a missing
/// record, its 400 for an invalid body. Serves until the test's runtime ends.
async fn https_api(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    tls12_only: bool,
) -> u16 {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // One request per connection; its head (and the small body) is enough.
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65_536 {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request);
                let (status, body) = if head.starts_with("GET /messages/") {
                    ("404 Not Found", r#"{"message":"Not found"}"#)
                } else if head.starts_with("POST /send-message") {
                    (
                        "400 Bad Request",
                        r#"{"message":"Invalid request body","errors":["/: object has missing required properties ([\"Insert\"])"]}"#,
                    )
                } else {
                    ("404 Not Found", r#"{"message":"Not found"}"#)
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn doctor(port: u16, extra: &[&str]) -> Run {
    let endpoint = format!("https://localhost:{port}");
    let mut args = vec!["doctor", "--json"];
    args.extend_from_slice(extra);
    run(&endpoint, &args)
}

fn tls_step(document: &Value) -> &Value {
    &document["steps"].as_array().unwrap()[2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_a_trusted_ca_for_the_name_passes_and_the_walk_is_ok() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["localhost"], None);
    let port = https_api(chain, key, false).await;
    let ca_pem = ca.write_pem();

    let document = doctor(port, &["--ca-cert", ca_pem.path().to_str().unwrap()])
        .expect(0)
        .json();

    let statuses: Vec<&str> = document["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["ok", "ok", "ok", "not_applicable", "ok", "ok"],
        "{document}"
    );
    let detail = tls_step(&document)["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("TLS 1.3, certificate for localhost, valid until 4096-01-01"),
        "{detail}"
    );
    assert!(detail.contains("private-ingest test CA"), "{detail}");
    assert!(
        document["steps"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("this host"),
        "{document}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_certificate_without_its_ca_is_named_untrusted() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["localhost"], None);
    let port = https_api(chain, key, false).await;

    let failed = doctor(port, &[]).expect(6);

    let document = failed.json();
    assert_eq!(document["broken"], "tls");
    let step = tls_step(&document);
    assert!(
        step["detail"]
            .as_str()
            .unwrap()
            .starts_with("the certificate is not trusted"),
        "{step}"
    );
    assert!(
        step["fix"].as_str().unwrap().contains("--ca-cert"),
        "{step}"
    );
    assert!(
        failed
            .stderr
            .starts_with("private-ingest: TLS is broken: the certificate is not trusted"),
        "{}",
        failed.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_is_named_first() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["api.other.example", "*.other.example"], None);
    let port = https_api(chain, key, false).await;
    let ca_pem = ca.write_pem();

    let document = doctor(port, &["--ca-cert", ca_pem.path().to_str().unwrap()])
        .expect(6)
        .json();

    let step = tls_step(&document);
    assert_eq!(
        step["detail"],
        "the certificate covers api.other.example, *.other.example, not localhost"
    );
    assert!(
        step["fix"].as_str().unwrap().contains("customDomainName"),
        "{step}"
    );
    assert_eq!(document["steps"][4]["status"], "skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_is_named_with_its_date() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["localhost"], Some((2020, 2021)));
    let port = https_api(chain, key, false).await;
    let ca_pem = ca.write_pem();

    let document = doctor(port, &["--ca-cert", ca_pem.path().to_str().unwrap()])
        .expect(6)
        .json();

    assert_eq!(
        tls_step(&document)["detail"],
        "the certificate expired on 2021-01-01 00:00 UTC"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_is_enough() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["localhost"], None);
    let port = https_api(chain, key, true).await;
    let ca_pem = ca.write_pem();

    let document = doctor(port, &["--ca-cert", ca_pem.path().to_str().unwrap()])
        .expect(0)
        .json();

    assert!(
        tls_step(&document)["detail"]
            .as_str()
            .unwrap()
            .starts_with("TLS 1.2, "),
        "{document}"
    );
}

/// `openssl s_server` offering TLS 1.1 only; killed on drop.
struct OldTlsServer(Child);

impl Drop for OldTlsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_server_below_tls_1_2_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new();
    let (cert, key) = ca.leaf_pem(&["localhost"]);
    let cert_pem = dir.path().join("cert.pem");
    let key_pem = dir.path().join("key.pem");
    std::fs::write(&cert_pem, cert).unwrap();
    std::fs::write(&key_pem, key).unwrap();
    let port = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // OpenSSL 3 allows TLS 1.1 only at security level 0.
    let server = OldTlsServer(
        Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-tls1_1",
                "-cipher",
                "DEFAULT:@SECLEVEL=0",
                "-www",
            ])
            .arg("-cert")
            .arg(&cert_pem)
            .arg("-key")
            .arg(&key_pem)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server (make tools-openssl installs it)"),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "openssl s_server did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let document = doctor(port, &[]).expect(6).json();
    drop(server);

    let step = tls_step(&document);
    assert!(
        step["detail"]
            .as_str()
            .unwrap()
            .contains("no TLS 1.2 or 1.3"),
        "{step}"
    );
    assert_eq!(
        step["fix"],
        "set the custom domain's security policy to TLS_1_2"
    );
}
