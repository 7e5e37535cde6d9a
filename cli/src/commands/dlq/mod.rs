//! `private-ingest dlq list | inspect | redrive`: the dead letters of the local stack
//! (through its routes) or of the cloud's DLQ (through the SDK).
//!
//! - [`local`]: `GET /dead-letters` pages, `POST /dead-letters/redrive`;
//! - [`aws`]: SQS, the queues from `--dlq-url`/`--queue-url` or `--stack-outputs`
//!   ([`stack_outputs`]);
//! - [`verdict`]: what the core's plan would do with each one now, under the routing
//!   ([`crate::routing`]) a replay would meet.

pub mod aws;
pub mod local;
pub mod stack_outputs;
pub mod verdict;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use crate::api::Api;
use crate::args::{AwsQueues, DlqCommand, DlqRedriveArgs, MoveMethod};
use crate::failure::{Exit, Failure};
use crate::report::Report;
use crate::routing::Routing;

/// Most moved messages named one by one in a redrive's report (the count is whole).
const MOVED_LISTED: usize = 10_000;
/// Moved messages named in the text for people.
const HUMAN_MOVED_LINES: usize = 20;
/// Characters of a body shown by `dlq list`.
const BODY_PREVIEW: usize = 60;

/// A dead letter, from either stack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    pub message_id: String,
    pub body: String,
    /// Message attributes as strings (`requestId`, `sourceVpce`, `idempotencyKey`).
    pub attributes: BTreeMap<String, String>,
    pub receive_count: Option<u64>,
    pub sent_at: Option<String>,
    /// Local stack only (SQS does not say when a message moved).
    pub dead_lettered_at: Option<String>,
}

/// One moved message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub message_id: String,
    /// Its new message id on the queue, where the backend says it.
    pub redriven_as: Option<String>,
}

/// What a redrive did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Redriven {
    /// `local`, `move_task` (SQS's StartMessageMoveTask) or `copy` (receive -> send -> delete).
    pub method: &'static str,
    pub moved: u64,
    pub messages: Vec<Moved>,
    /// Dead letters left, where known.
    pub remaining: Option<u64>,
    /// Why `copy` was used instead of `move_task`, or other remarks.
    pub notes: Vec<String>,
    /// Messages that could not be moved, or were sent but not deleted: each with why.
    pub problems: Vec<String>,
    pub interrupted: bool,
}

enum Source {
    Local(Api),
    Aws(aws::Queues),
}

impl Source {
    async fn pick(api: &Api, queues: &AwsQueues) -> Result<Self, Failure> {
        if queues.given() {
            return Ok(Source::Aws(aws::Queues::from_args(queues).await?));
        }
        if !api.endpoint().is_local() {
            return Err(Failure::invalid(
                "in the cloud, dlq works on the DLQ itself: give --dlq-url (and --queue-url), or --stack-outputs FILE from `pulumi stack output --json`",
            ));
        }
        Ok(Source::Local(api.clone()))
    }

    fn name(&self) -> String {
        match self {
            Source::Local(api) => format!("the local stack at {}", api.endpoint()),
            Source::Aws(queues) => queues.dlq_url.clone(),
        }
    }

    /// `{"kind": "local", "endpoint"}` or `{"kind": "aws", "dlq_url", "queue_url"}`.
    fn document(&self) -> serde_json::Value {
        match self {
            Source::Local(api) => {
                json!({ "kind": "local", "endpoint": api.endpoint().to_string() })
            }
            Source::Aws(queues) => {
                json!({ "kind": "aws", "dlq_url": queues.dlq_url, "queue_url": queues.queue_url })
            }
        }
    }

    /// The source and the routing a replay there would meet, read once per command: in
    /// AWS the `--rules` file (none: the routing on `Insert`, said so), checked before
    /// AWS is called, so a bad file costs no request; locally the stack's rules in force.
    async fn pick_with_routing(api: &Api, queues: &AwsQueues) -> Result<(Self, Routing), Failure> {
        if queues.given() {
            let routing = Routing::of_file(queues.rules.as_deref())?;
            return Ok((Self::pick(api, queues).await?, routing));
        }
        let source = Self::pick(api, queues).await?;
        let Source::Local(local) = &source else {
            return Err(Failure::failed(
                "the local stack was picked without its endpoint",
            ));
        };
        let routing = Routing::of_local_stack(local, queues.rules.as_deref()).await?;
        Ok((source, routing))
    }

    async fn list(&self, max: u32) -> Result<Vec<DeadLetter>, Failure> {
        match self {
            Source::Local(api) => local::list(api, max).await,
            Source::Aws(queues) => queues.peek(max).await,
        }
    }
}

pub async fn run(api: &Api, command: &DlqCommand, show_progress: bool) -> Result<Report, Failure> {
    match command {
        DlqCommand::List(args) => {
            let (source, routing) = Source::pick_with_routing(api, &args.aws).await?;
            let letters = source.list(args.max).await?;
            Ok(list_report(&source, &routing, &letters))
        }
        DlqCommand::Inspect(args) => {
            let (source, routing) = Source::pick_with_routing(api, &args.aws).await?;
            let letters = source.list(args.max).await?;
            let groups = verdict::groups(&letters, routing.rules.as_ref());
            let human = inspect_text(&source, &routing, letters.len(), &groups);
            Ok(Report::done(
                "dlq inspect",
                human,
                json!({ "source": source.document(), "routing": routing.document(), "dead_letters": letters.len(), "groups": groups }),
            ))
        }
        DlqCommand::Redrive(args) => redrive(api, args, show_progress).await,
    }
}

async fn redrive(api: &Api, args: &DlqRedriveArgs, show_progress: bool) -> Result<Report, Failure> {
    if args.method == MoveMethod::MoveTask && args.max.is_some() {
        return Err(Failure::invalid(
            "--method move-task moves every dead letter; --max needs --method copy (or auto)",
        ));
    }
    if args.dry_run {
        let (source, routing) = Source::pick_with_routing(api, &args.aws).await?;
        let letters = source
            .list(args.max.unwrap_or(u32::MAX).min(100_000))
            .await?;
        let groups = verdict::groups(&letters, routing.rules.as_ref());
        let mut human = inspect_text(&source, &routing, letters.len(), &groups);
        let _ = writeln!(
            human,
            "--dry-run: nothing was moved; a redrive would move {}.",
            dead_letters(letters.len() as u64)
        );
        return Ok(Report::done(
            "dlq redrive",
            human,
            json!({ "source": source.document(), "routing": routing.document(), "dry_run": true, "would_move": letters.len(), "groups": groups }),
        ));
    }
    let source = Source::pick(api, &args.aws).await?;
    let stop = stop_on_ctrl_c();
    let redriven = match &source {
        Source::Local(api) => local::redrive(api, args.max, show_progress, &stop).await?,
        Source::Aws(queues) => queues.redrive(args, show_progress, &stop).await?,
    };
    let mut human = format!(
        "moved {} from {} ({})\n",
        dead_letters(redriven.moved),
        source.name(),
        redriven.method
    );
    if let Some(remaining) = redriven.remaining {
        let _ = writeln!(human, "{} remain", dead_letters(remaining));
    }
    for moved in redriven.messages.iter().take(HUMAN_MOVED_LINES) {
        let _ = writeln!(
            human,
            "  {} -> {}",
            moved.message_id,
            moved
                .redriven_as
                .as_deref()
                .unwrap_or("(new id not reported)")
        );
    }
    if redriven.messages.len() > HUMAN_MOVED_LINES {
        let _ = writeln!(human, "  ... (--json lists up to {MOVED_LISTED})");
    }
    for note in &redriven.notes {
        let _ = writeln!(human, "note: {note}");
    }
    for problem in &redriven.problems {
        let _ = writeln!(human, "problem: {problem}");
    }
    let mut fields = json!({ "source": source.document(), "dry_run": false });
    if let (Some(map), Ok(serde_json::Value::Object(more))) =
        (fields.as_object_mut(), serde_json::to_value(&redriven))
    {
        map.extend(more);
    }
    Ok(if redriven.interrupted {
        Report::finished_with(
            "dlq redrive",
            Exit::Failed,
            format!(
                "interrupted after moving {}; run it again to move the rest",
                redriven.moved
            ),
            human,
            fields,
        )
    } else if let Some(first) = redriven.problems.first() {
        Report::finished_with(
            "dlq redrive",
            Exit::Failed,
            format!(
                "{} problem(s) while moving; the first: {first}",
                redriven.problems.len()
            ),
            human,
            fields,
        )
    } else {
        Report::done("dlq redrive", human, fields)
    })
}

fn list_report(source: &Source, routing: &Routing, letters: &[DeadLetter]) -> Report {
    let mut human = format!(
        "{} in {}\n{}\n",
        dead_letters(letters.len() as u64),
        source.name(),
        routing.describe()
    );
    let mut listed = Vec::with_capacity(letters.len());
    for dead in letters {
        let verdict = verdict::verdict(dead, routing.rules.as_ref());
        let preview: String = dead.body.chars().take(BODY_PREVIEW).collect();
        let _ = writeln!(
            human,
            "  {}  received {}  {}  would {}  {}",
            dead.message_id,
            dead.receive_count
                .map_or_else(|| "?".into(), |n| n.to_string()),
            dead.dead_lettered_at
                .as_deref()
                .or(dead.sent_at.as_deref())
                .unwrap_or("-"),
            verdict.word(),
            crate::failure::one_line(&preview)
        );
        let mut entry = serde_json::to_value(dead).unwrap_or_default();
        entry["would"] = json!(verdict.word());
        if let verdict::Verdict::Reject(errors) = &verdict {
            entry["errors"] = json!(errors);
        }
        listed.push(entry);
    }
    Report::done(
        "dlq list",
        human,
        json!({ "source": source.document(), "routing": routing.document(), "count": letters.len(), "dead_letters": listed }),
    )
}

fn inspect_text(
    source: &Source,
    routing: &Routing,
    total: usize,
    groups: &[verdict::Group],
) -> String {
    let mut out = format!(
        "{} in {}, by what a replay would do now:\n{}\n",
        dead_letters(total as u64),
        source.name(),
        routing.describe()
    );
    for group in groups {
        let what = match (group.would, &group.error) {
            ("store", _) => "would store a record".to_owned(),
            ("notify", _) => "would publish a notification".to_owned(),
            ("store+notify", _) => "would store a record and publish a notification".to_owned(),
            (_, Some(error)) => format!("rejected: {error}"),
            (other, None) => other.to_owned(),
        };
        let _ = writeln!(
            out,
            "  {:>6}  {what}  (e.g. {})",
            group.count,
            group.message_ids.join(", ")
        );
    }
    out
}

/// "1 dead letter", "2 dead letters".
fn dead_letters(n: u64) -> String {
    if n == 1 {
        "1 dead letter".into()
    } else {
        format!("{n} dead letters")
    }
}

/// A flag set by the first Ctrl-C (the work stops after the batch in hand); a second
/// Ctrl-C exits at once, with 130 as a shell would.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
            eprintln!(
                "private-ingest: stopping after the batch in hand (Ctrl-C again to quit now)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    stop
}

/// Keeps the first [`MOVED_LISTED`] moved messages.
pub fn keep_listed(listed: &mut Vec<Moved>, more: impl IntoIterator<Item = Moved>) {
    let room = MOVED_LISTED.saturating_sub(listed.len());
    listed.extend(more.into_iter().take(room));
}
