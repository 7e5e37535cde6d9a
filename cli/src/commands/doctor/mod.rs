//! `private-ingest doctor`: walks the chain a request takes and names the first broken
//! link, with the fix. Each step prints ok / FAIL / not applicable with its time; after
//! a FAIL the later steps are skipped (they would only fail for the same reason).
//!
//! | step | checks | |
//! | --- | --- | --- |
//! | `dns` | the name resolves, to private addresses | [`network`] |
//! | `tcp` | a connection to the port (443) | [`network`] |
//! | `tls` | TLS 1.2+, the certificate covers the name, is in date, is trusted | [`tls`] |
//! | `health` | local stack only: `GET /healthz` says ok | [`probes`] |
//! | `mapping` | the custom domain's mapping and the API's policy: `GET /messages/<probe>` is the contract's 404, not API Gateway's 403 | [`probes`] |
//! | `model` | the request validator: an invalid body gets the contract's 400 | [`probes`] |
//!
//! Against the local stack (an `http://` endpoint) DNS and TLS are not applicable.

pub mod network;
pub mod probes;
pub mod tls;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;

use crate::api::Api;
use crate::failure::{Exit, Failure};
use crate::report::Report;

/// What one step found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(String),
    Fail { detail: String, fix: String },
    NotApplicable(String),
}

impl Finding {
    pub fn fail(detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding::Fail {
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Fail,
    NotApplicable,
    Skipped,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub detail: String,
    pub fix: Option<String>,
    pub elapsed_ms: u64,
}

/// What the steps hand on: the addresses DNS found (TCP and TLS connect to them).
#[derive(Debug, Default)]
pub struct Walk {
    pub addresses: Vec<SocketAddr>,
    /// The address TCP reached.
    pub reached: Option<SocketAddr>,
}

const STEPS: [(&str, &str); 6] = [
    ("dns", "DNS"),
    ("tcp", "TCP"),
    ("tls", "TLS"),
    ("health", "local stack health"),
    ("mapping", "domain mapping and API policy"),
    ("model", "request model"),
];

pub async fn run(api: &Api, ca_cert: Option<&PathBuf>) -> Result<Report, Failure> {
    let endpoint = api.endpoint().clone();
    let mut walk = Walk::default();
    let mut steps: Vec<StepReport> = Vec::new();
    let mut broken: Option<usize> = None;
    for (index, (step, title)) in STEPS.into_iter().enumerate() {
        if broken.is_some() {
            steps.push(StepReport {
                step,
                title,
                status: Status::Skipped,
                detail: "not run: an earlier link is broken".into(),
                fix: None,
                elapsed_ms: 0,
            });
            continue;
        }
        let started = Instant::now();
        let finding = match step {
            "dns" => network::dns(&endpoint, &mut walk).await,
            "tcp" => network::tcp(&endpoint, &mut walk).await,
            "tls" => tls::step(&endpoint, &walk, ca_cert).await,
            "health" => probes::health(api).await,
            "mapping" => probes::mapping(api).await,
            _ => probes::model(api).await,
        };
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status, detail, fix) = match finding {
            Finding::Ok(detail) => (Status::Ok, detail, None),
            Finding::NotApplicable(detail) => (Status::NotApplicable, detail, None),
            Finding::Fail { detail, fix } => {
                broken = Some(index);
                (Status::Fail, detail, Some(fix))
            }
        };
        steps.push(StepReport {
            step,
            title,
            status,
            detail,
            fix,
            elapsed_ms,
        });
    }
    let human = human(&endpoint.to_string(), &steps);
    let fields = json!({
        "endpoint": endpoint.to_string(),
        "local": endpoint.is_local(),
        "broken": broken.map(|i| steps[i].step),
        "steps": steps,
    });
    Ok(match broken {
        None => Report::done("doctor", human, fields),
        Some(i) => Report::finished_with(
            "doctor",
            Exit::Broken,
            format!(
                "{} is broken: {} (fix: {})",
                steps[i].title,
                steps[i].detail,
                steps[i].fix.as_deref().unwrap_or("")
            ),
            human,
            fields,
        ),
    })
}

fn human(endpoint: &str, steps: &[StepReport]) -> String {
    let mut out = format!("private-ingest doctor: {endpoint}\n");
    for s in steps {
        let status = match s.status {
            Status::Ok => "ok",
            Status::Fail => "FAIL",
            Status::NotApplicable => "n/a",
            Status::Skipped => "skip",
        };
        let time = match s.status {
            Status::Skipped => String::new(),
            _ => format!(" ({} ms)", s.elapsed_ms),
        };
        let _ = writeln!(out, "  {status:<5} {:<30} {}{time}", s.title, s.detail);
        if let Some(fix) = &s.fix {
            let _ = writeln!(out, "        fix: {fix}");
        }
    }
    out
}
