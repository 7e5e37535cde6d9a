//! `private-ingest send`: the `Idempotency-Key` and the body are checked by the core before
//! anything leaves the host (a refused one gets the answer the API would give, exit 2),
//! then sent; the 200 is printed with the route the core's plan gives it under the routing
//! in force ([`crate::routing`]), and `--follow` waits for what that route calls for.
//!
//! The key is checked here because in the cloud the API cannot check a header's shape: a
//! bad key would be queued and come back as a "rejected" notification, not an error.

use std::io::Read as _;
use std::time::Duration;

use private_ingest_core::contract::responses::{INVALID_BODY, TOO_LARGE};
use private_ingest_core::contract::MAX_BODY_BYTES;
use private_ingest_core::{parse_idempotency_key, parse_message, Envelope, ValidationErrors};
use serde_json::{json, Value};

use super::follow::{follow, Followed};
use crate::api::Api;
use crate::args::SendArgs;
use crate::failure::{Exit, Failure};
use crate::report::Report;
use crate::routing::verdict::{predict, Verdict};
use crate::routing::Routing;

/// Most bytes read from stdin: past the contract's limit, enough for the core to say by
/// how much a body is too large; beyond it, the size alone is reported.
const READ_CAP: usize = 4 * MAX_BODY_BYTES;

pub async fn run(api: &Api, args: &SendArgs, show_progress: bool) -> Result<Report, Failure> {
    if let Some(key) = &args.idempotency_key {
        parse_idempotency_key(key).map_err(|error| {
            let line = error.to_string();
            Failure::invalid(format!("{line}; nothing was sent"))
                .with_details(json!({ "sent": false, "errors": [line] }))
        })?;
    }
    let body = read_body(&args.body)?;
    if let Err(errors) = parse_message(&body) {
        return Err(refused_body(&errors));
    }
    // After the body's check, so that a refused body is refused as without rules.
    let routing = if api.endpoint().is_local() {
        Routing::of_local_stack(api, args.rules.as_deref()).await?
    } else {
        Routing::of_file(args.rules.as_deref())?
    };
    let route = route_of(&body, args.idempotency_key.as_deref(), &routing)?;
    let answer = api.send(body, args.idempotency_key.as_deref()).await?;
    if answer.status != 200 {
        let retry = if answer.status == 503 {
            " (not accepted: send it again)"
        } else {
            ""
        };
        return Err(Failure::new(
            Exit::Refused,
            format!("{} answered {}{retry}", api.endpoint(), answer.summary()),
        )
        .with_human(format!(
            "HTTP {} {}\n",
            answer.status,
            serde_json::to_string_pretty(&answer.json).unwrap_or_default()
        ))
        .with_details(json!({ "sent": false, "status": answer.status, "answer": answer.json })));
    }
    let message_id = text_field(&answer.json, "messageId")?;
    // `recordId` arrives with idempotency keys; without it the record's id is the message id.
    let record_id = answer
        .json
        .get("recordId")
        .and_then(Value::as_str)
        .unwrap_or(&message_id)
        .to_owned();
    let mut human = format!(
        "{} messageId {message_id}, requestId {}, recordId {record_id}, route {}\n{}\n",
        answer.message().unwrap_or("Message sent."),
        answer
            .json
            .get("requestId")
            .and_then(Value::as_str)
            .unwrap_or("-"),
        route.word(),
        routing.describe()
    );
    let mut fields = json!({
        "sent": true,
        "status": 200,
        "answer": answer.json,
        "route": route.word(),
        "routing": routing.document(),
        "record_id": record_id,
    });
    if !args.follow {
        return Ok(Report::done("send", human, fields));
    }
    let followed = follow(
        api,
        &message_id,
        &record_id,
        &route,
        Duration::from_secs(args.timeout),
        show_progress,
    )
    .await?;
    human.push_str(&followed.human());
    fields["follow"] = followed.document();
    Ok(match followed {
        Followed::TimedOut { waited_ms } => Report::finished_with(
            "send",
            Exit::TimedOut,
            format!(
                "no outcome within {} s; the message is queued: `private-ingest get {record_id}` later",
                waited_ms / 1000
            ),
            human,
            fields,
        ),
        Followed::DeadLettered { .. } => Report::finished_with(
            "send",
            Exit::DeadLettered,
            format!("message {message_id} was dead-lettered: `private-ingest dlq inspect` shows what a replay would do"),
            human,
            fields,
        ),
        _ => Report::done("send", human, fields),
    })
}

/// The answer the API would give a body the core refuses (nothing is sent).
fn refused_body(errors: &ValidationErrors) -> Failure {
    let answer = if errors.is_too_large() {
        TOO_LARGE
    } else {
        INVALID_BODY
    };
    let lines = errors.messages();
    let api_answer = json!({ "message": answer.message, "errors": lines });
    let human = format!(
        "{} {} (checked here with the contract; nothing was sent):\n{}",
        answer.status,
        answer.message,
        lines.iter().map(|l| format!("  {l}\n")).collect::<String>()
    );
    Failure::invalid(format!(
        "{} (checked here, nothing was sent): {}",
        answer.message,
        lines.join("; ")
    ))
    .with_human(human)
    .with_details(json!({ "sent": false, "status": answer.status, "answer": api_answer }))
}

/// The route the core's plan gives the body under `routing`, as the handler will. The body
/// and key passed the core's checks already; should the plan still reject them, nothing is
/// sent.
fn route_of(body: &[u8], key: Option<&str>, routing: &Routing) -> Result<Verdict, Failure> {
    let envelope = Envelope {
        // The message id (not known before the 200) never changes the route.
        message_id: "-".into(),
        received_at_ms: None,
        request_id: None,
        source_vpce: None,
        idempotency_key: key.map(str::to_owned),
    };
    match predict(body, &envelope, routing.rules.as_ref()) {
        Verdict::Reject(errors) => Err(Failure::invalid(format!(
            "{} (checked here, nothing was sent): {}",
            INVALID_BODY.message,
            errors.join("; ")
        ))
        .with_details(json!({
            "sent": false,
            "status": INVALID_BODY.status,
            "answer": {"message": INVALID_BODY.message, "errors": errors},
        }))),
        verdict => Ok(verdict),
    }
}

/// The body from the argument, or stdin for `-`.
fn read_body(arg: &str) -> Result<Vec<u8>, Failure> {
    if arg != "-" {
        return Ok(arg.as_bytes().to_vec());
    }
    let mut body = Vec::new();
    std::io::stdin()
        .take(READ_CAP as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| Failure::invalid(format!("could not read the body from stdin: {e}")))?;
    if body.len() > READ_CAP {
        return Err(Failure::invalid(format!(
            "{}: /: body is more than {READ_CAP} bytes; the limit is {MAX_BODY_BYTES} bytes (256 KiB, the SQS message size limit); nothing was sent",
            TOO_LARGE.message
        ))
        .with_details(json!({
            "sent": false,
            "status": TOO_LARGE.status,
            "answer": {"message": TOO_LARGE.message, "errors": [format!("/: body is more than {READ_CAP} bytes; the limit is {MAX_BODY_BYTES} bytes")]},
        })));
    }
    Ok(body)
}

fn text_field(json: &Value, name: &str) -> Result<String, Failure> {
    json.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::failed(format!(
                "the 200 has no {name}: {json}; is --endpoint the private-ingest API?"
            ))
        })
}
