//! The HTTP steps: the local stack's health, the custom domain's mapping and the API's
//! resource policy (`GET /messages/<probe>`: the contract's 404 JSON when the request
//! reached the API; API Gateway's own 403 when the domain or a policy stopped it), and
//! the request model (an invalid body: the contract's 400, never queued).

use private_ingest_core::contract::responses::{INVALID_BODY, NOT_FOUND};
use serde_json::Value;

use super::Finding;
use crate::api::{Answer, Api};

/// The probe's record id: no record has it (records are keyed by UUIDs or caller keys).
const PROBE_PREFIX: &str = "private-ingest-doctor-";

/// A body the contract refuses twice over (no `Insert`, an unknown field), so a validator
/// that checks anything refuses it; it never reaches the queue.
const INVALID_PROBE_BODY: &str = r#"{"private-ingest-doctor":"an invalid body, sent on purpose"}"#;

pub async fn health(api: &Api) -> Finding {
    if !api.endpoint().is_local() {
        return Finding::NotApplicable("not applicable: /healthz is the local stack's".into());
    }
    let answer = match api.get("/healthz").await {
        Ok(answer) => answer,
        Err(failure) => return Finding::fail(failure.reason, "see the TCP step"),
    };
    let status = answer.json.get("status").and_then(Value::as_str);
    match (answer.status, status) {
        (200, Some("ok")) => {
            let queue = &answer.json["queue"];
            Finding::Ok(format!(
                "ok: {} waiting, {} in flight, {} dead letters",
                queue["visible"], queue["in_flight"], queue["dead_letters"]
            ))
        }
        (503, Some(state)) => Finding::fail(
            format!("the stack says {state}: {}", answer.json),
            "read the stack's log; a \"failed\" database needs a restart (see local/README.md, Durability)",
        ),
        (404, _) => wrong_path(api, "GET /healthz", &answer),
        _ => Finding::fail(
            format!("GET /healthz answered {}", answer.summary()),
            "is --endpoint the local stack?",
        ),
    }
}

pub async fn mapping(api: &Api) -> Finding {
    let probe = format!("{PROBE_PREFIX}{}", uuid::Uuid::new_v4());
    let answer = match api.record(&probe).await {
        Ok(answer) => answer,
        Err(failure) => return Finding::fail(failure.reason, "see the TCP and TLS steps"),
    };
    match answer.status {
        404 if answer.message() == Some(NOT_FOUND.message) => Finding::Ok(format!(
            "GET /messages/{{probe}} is the contract's 404: the request reached the API{}",
            if api.endpoint().is_local() {
                ""
            } else {
                " through the domain's mapping and both policies"
            }
        )),
        403 => Finding::fail(
            format!(
                "GET /messages/{{probe}} answered API Gateway's {}",
                answer.summary()
            ),
            forbidden_fix(&answer),
        ),
        _ => Finding::fail(
            format!(
                "GET /messages/{{probe}} answered {}, not the contract's 404",
                answer.summary()
            ),
            "is --endpoint the private-ingest API (with the base path the domain maps)?",
        ),
    }
}

pub async fn model(api: &Api) -> Finding {
    let body = INVALID_PROBE_BODY.as_bytes().to_vec();
    let answer = match api.send(body, None).await {
        Ok(answer) => answer,
        Err(failure) => return Finding::fail(failure.reason, "see the earlier steps"),
    };
    let errors = answer
        .json
        .get("errors")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    match answer.status {
        400 if answer.message() == Some(INVALID_BODY.message) && errors > 0 => Finding::Ok(format!(
            "an invalid body gets the contract's 400 ({errors} error{})",
            if errors == 1 { "" } else { "s" }
        )),
        200 => Finding::fail(
            "the API queued a body the contract refuses (it will come back as a \"rejected\" notification)",
            "attach the request validator and the contract's model to POST /send-message, and redeploy the stage",
        ),
        403 => Finding::fail(
            format!("POST /send-message answered API Gateway's {}", answer.summary()),
            forbidden_fix(&answer),
        ),
        404 | 405 => wrong_path(api, "POST /send-message", &answer),
        _ => Finding::fail(
            format!("POST /send-message with an invalid body answered {}, not the contract's 400", answer.summary()),
            "the POST /send-message method needs the request validator and the contract's model",
        ),
    }
}

/// API Gateway's 403s, told apart by their text.
fn forbidden_fix(answer: &Answer) -> String {
    let text = answer
        .json
        .get("Message")
        .or_else(|| answer.json.get("message"))
        .and_then(Value::as_str)
        .unwrap_or(&answer.text);
    if text.contains("not authorized") || text.contains("explicit deny") {
        "a resource policy refused this caller: the API's and the domain's policies allow only the \
         stack's execute-api VPC endpoint; call through it (the private DNS name), from the VPC"
            .into()
    } else if text.contains("Missing Authentication Token") {
        "no such route: --endpoint's base path is wrong, or the stage is not deployed".into()
    } else {
        "the custom domain has no base path mapping to the API's stage, or no access association \
         with the VPC endpoint (DomainNameAccessAssociation); check the domain in API Gateway"
            .into()
    }
}

fn wrong_path(api: &Api, what: &str, answer: &Answer) -> Finding {
    let endpoint = api.endpoint();
    let fix = if endpoint.is_local() {
        format!(
            "the local stack serves at /: use --endpoint {}",
            endpoint.to_string().trim_end_matches(endpoint.base_path())
        )
    } else {
        "--endpoint must be https://<customDomainName> plus the base path the domain maps \
         (none by default), and the stage must be deployed"
            .to_owned()
    };
    Finding::fail(
        format!("{what} answered {}: the path is wrong", answer.summary()),
        fix,
    )
}
