//! `handle_batch`: one SQS batch in, the failed message ids out. `process_batch` is the
//! same with every message's outcome returned, for the batch's metrics.
//!
//! Every record is decoded on its own (one poison body cannot fail the batch), the core's
//! [`plan`] decides its one side effect, and the records of a batch run concurrently up to
//! [`Deps::concurrency`], each inside a tracing span keyed by its message id. Records that
//! carry the same `Idempotency-Key` run one after the other, so a client's retry in the
//! same batch finds the first one done instead of in progress. Only the failed ids are
//! returned, so with `ReportBatchItemFailures` SQS deletes the rest and redelivers those
//! (then moves them to the DLQ after `maxReceiveCount`).

mod notify_once;
mod side_effects;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::stream::{self, StreamExt};
use private_ingest_core::{plan_routed, NotificationContent, RecordError, Rules};
use tracing::Instrument;

use crate::clock::Clock;
use crate::dedupe::{DedupeError, DedupeStore};
use crate::envelope::{envelope_of, idempotency_key_of, sent_at_ms};
use crate::notify::{Notifier, NotifyError};
use crate::random::RandomSource;
use crate::store::{RecordStore, StoreError};

/// What the handler needs: the three ports, a clock and a random source (injected so
/// tests are deterministic), how many records of a batch run at once, how much of the
/// caller's content a notification may carry, and how long a dedupe claim holds its key.
pub struct Deps<S, N, D> {
    pub store: S,
    pub notifier: N,
    pub dedupe: D,
    pub clock: Clock,
    pub random: RandomSource,
    pub concurrency: usize,
    pub notification_content: NotificationContent,
    /// How long an in-progress dedupe marker holds its key: at least as long as one
    /// delivery can take (the Lambda's timeout; the local queue's visibility timeout), so
    /// a marker is only taken over once the delivery that wrote it has ended.
    pub in_progress_expiry: Duration,
    /// The routing rules (`ROUTING_RULES`; the local stack's `--rules`); none: the
    /// original routing on `Insert`.
    pub rules: Option<Rules>,
}

impl<S: fmt::Debug, N: fmt::Debug, D: fmt::Debug> fmt::Debug for Deps<S, N, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deps")
            .field("store", &self.store)
            .field("notifier", &self.notifier)
            .field("dedupe", &self.dedupe)
            .field("concurrency", &self.concurrency)
            .field("notification_content", &self.notification_content)
            .field("in_progress_expiry", &self.in_progress_expiry)
            .field("rules", &self.rules.as_ref().map(Rules::to_json))
            .finish_non_exhaustive()
    }
}

/// The invocation as a whole failed: the queue redelivers the whole batch.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("record {index} of the batch has no messageId; failing the whole batch so SQS redelivers it")]
    MissingMessageId { index: usize },
}

/// Why one message failed; the queue redelivers it. A rejected body is not here: it is
/// done once its alert is published.
#[derive(Debug, thiserror::Error)]
pub enum ItemError {
    /// The clock gave a time out of its domain (a bug, not the message's fault).
    #[error("could not plan the message: {0}")]
    Plan(#[from] RecordError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Notify(#[from] NotifyError),
    #[error(transparent)]
    Dedupe(#[from] DedupeError),
    /// Another delivery of this `Idempotency-Key` is publishing its notification; this
    /// one waits for the queue's next delivery (and then finds it completed).
    #[error("Idempotency-Key {key:?} is in progress in another delivery (message {holder})")]
    KeyInProgress { key: String, holder: String },
}

/// What became of a message: the `outcome` of its log line, and the metric it counts
/// toward (`Stored`, `AlreadyStored`, `Notified`, `AlreadyNotified`, `Rejected`,
/// `ItemFailures`; see [`crate::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The store route's record was written.
    Stored,
    /// A redelivery of a stored message, or a client's retry with the same
    /// `Idempotency-Key` and body: nothing written, and that is a success.
    AlreadyStored,
    /// The notify route's notification was published.
    Notified,
    /// A client's retry with the same `Idempotency-Key` and body whose notification was
    /// already published: nothing sent, and that is a success.
    AlreadyNotified,
    /// The body was invalid and the alert about it was published.
    Rejected,
    /// The side effect failed; the queue redelivers the message.
    Failed,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Stored => "stored",
            Outcome::AlreadyStored => "already_stored",
            Outcome::Notified => "notified",
            Outcome::AlreadyNotified => "already_notified",
            Outcome::Rejected => "rejected",
            Outcome::Failed => "failed",
        }
    }
}

/// What became of one message of a batch: what metrics count, and what the queue is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageOutcome {
    pub message_id: String,
    /// What became of its one side effect; of its record when routing rules called for a
    /// record and a notification.
    pub outcome: Outcome,
    /// When routing rules called for a record and a notification: what became of the
    /// notification (none when the record's failure or rejection stopped it first).
    pub notification_outcome: Option<Outcome>,
    /// When the queue received it (SQS `SentTimestamp`), epoch milliseconds, if it said.
    pub sent_at_ms: Option<i64>,
}

impl MessageOutcome {
    /// Whether the queue must redeliver it: one of its side effects failed. The one that
    /// succeeded is not done twice then: the record's put is conditional, and a keyed
    /// notification is deduplicated.
    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Failed || self.notification_outcome == Some(Outcome::Failed)
    }

    /// Every outcome of the message: its record's and its notification's.
    pub fn outcomes(&self) -> impl Iterator<Item = Outcome> + '_ {
        std::iter::once(self.outcome).chain(self.notification_outcome)
    }
}

/// Every message of a batch with its outcome, in batch order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcomes {
    pub messages: Vec<MessageOutcome>,
}

impl BatchOutcomes {
    /// What Lambda is answered: only the failed message ids, in batch order.
    pub fn response(&self) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        response.set_failures(
            self.messages
                .iter()
                .filter(|m| m.failed())
                .map(|m| m.message_id.clone())
                .collect::<Vec<_>>(),
        );
        response
    }
}

/// Processes every record of `event`; returns only the failed message ids, in batch order.
pub async fn handle_batch<S: RecordStore, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    event: SqsEvent,
) -> Result<SqsBatchResponse, BatchError> {
    Ok(process_batch(deps, event).await?.response())
}

/// [`handle_batch`], returning every message's outcome (for the metrics of the batch).
pub async fn process_batch<S: RecordStore, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    event: SqsEvent,
) -> Result<BatchOutcomes, BatchError> {
    // Checked before any side effect: Lambda cannot report a failure for a record without
    // an id (an empty itemIdentifier fails the whole batch anyway), so nothing is done.
    let records = event
        .records
        .into_iter()
        .enumerate()
        .map(|(index, message)| match message.message_id.clone() {
            Some(id) if !id.is_empty() => Ok((id, message)),
            _ => Err(BatchError::MissingMessageId { index }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total = records.len();
    let mut messages: Vec<(usize, MessageOutcome)> = stream::iter(same_key_groups(records))
        .map(|group| async move {
            let mut outcomes = Vec::with_capacity(group.len());
            for (index, message_id, message) in group {
                let (outcome, notification_outcome) =
                    process_logged(deps, &message_id, &message).await;
                let done = MessageOutcome {
                    sent_at_ms: sent_at_ms(&message),
                    message_id,
                    outcome,
                    notification_outcome,
                };
                outcomes.push((index, done));
            }
            outcomes
        })
        .buffered(deps.concurrency.max(1))
        .flat_map(stream::iter)
        .collect()
        .await;
    messages.sort_by_key(|(index, _)| *index);
    let messages: Vec<MessageOutcome> = messages.into_iter().map(|(_, m)| m).collect();
    tracing::debug!(
        records = total,
        failed = messages.iter().filter(|m| m.failed()).count(),
        "batch processed"
    );
    Ok(BatchOutcomes { messages })
}

/// The records of a batch in groups that share an `Idempotency-Key` (each record without
/// one is a group of its own), in batch order, each record with its index.
fn same_key_groups(records: Vec<(String, SqsMessage)>) -> Vec<Vec<(usize, String, SqsMessage)>> {
    let mut groups: Vec<Vec<(usize, String, SqsMessage)>> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (index, (id, message)) in records.into_iter().enumerate() {
        let key = idempotency_key_of(&message);
        let entry = (index, id, message);
        match key {
            Some(key) => match by_key.get(&key) {
                Some(&group) => groups[group].push(entry),
                None => {
                    by_key.insert(key, groups.len());
                    groups.push(vec![entry]);
                }
            },
            None => groups.push(vec![entry]),
        }
    }
    groups
}

/// One message, in its span, with its one log line: its outcome, and its notification's
/// when routing rules called for a record and a notification.
async fn process_logged<S: RecordStore, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    id: &str,
    message: &SqsMessage,
) -> (Outcome, Option<Outcome>) {
    let span = tracing::info_span!("message", message_id = %id);
    async {
        let started = Instant::now();
        let done = process(deps, id, message).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        // No `route` field for a rejected body: it never got one; no `rules` without rules.
        let route = done.route;
        let rules = (!done.rules.is_empty()).then(|| done.rules.join(","));
        let outcome = |r: &Result<Outcome, ItemError>| r.as_ref().map_or(Outcome::Failed, |o| *o);
        let first = outcome(&done.first);
        let notification = done.notification.as_ref().map(outcome);
        let error = [Some(&done.first), done.notification.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|r| r.as_ref().err());
        let notification_outcome = notification.map(Outcome::as_str);
        match error {
            None => tracing::info!(
                message_id = %id, route, rules, outcome = first.as_str(), notification_outcome,
                duration_ms, "message processed"
            ),
            Some(error) => tracing::error!(
                message_id = %id, route, rules, outcome = first.as_str(), notification_outcome,
                duration_ms, %error, "message failed; the queue will redeliver it"
            ),
        }
        (first, notification)
    }
    .instrument(span)
    .await
}

/// What one message's side effects came to.
struct Processed {
    /// `store`, `notify` or `store+notify`; none for a rejected body, or when planning
    /// itself failed.
    route: Option<&'static str>,
    /// The routing rules that fired.
    rules: Vec<String>,
    /// The record's put, or the only side effect.
    first: Result<Outcome, ItemError>,
    /// The notification, when the message also had a record (and the put let it go on).
    notification: Option<Result<Outcome, ItemError>>,
}

/// Plan, then the side effects: the record first, then the notification, which is not
/// sent when the put failed (the redelivery does both) or found the key used for another
/// body (the message is rejected).
async fn process<S: RecordStore, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    id: &str,
    message: &SqsMessage,
) -> Processed {
    let envelope = envelope_of(id, message);
    // A record without a body is a body that fails validation: it gets a "rejected" alert.
    let body = message.body.as_deref().unwrap_or_default().as_bytes();
    let now_ms = (deps.clock)();
    let planned = plan_routed(
        body,
        &envelope,
        (deps.random)(),
        now_ms,
        deps.notification_content,
        deps.rules.as_ref(),
    );
    let plan = match planned {
        Ok(plan) => plan,
        Err(error) => {
            return Processed {
                route: None,
                rules: Vec::new(),
                first: Err(error.into()),
                notification: None,
            }
        }
    };
    let route = plan.route_label();
    let rules = plan.fired.into_iter().map(|f| f.name).collect();
    let (first, notification) = match (plan.record, plan.notification) {
        (Some(record), notification) => {
            let stored = side_effects::store(deps, &record, body, &envelope, now_ms).await;
            let goes_on = matches!(stored, Ok(Outcome::Stored | Outcome::AlreadyStored));
            let notified = match notification {
                Some(n) if goes_on => {
                    Some(side_effects::notify(deps, &n, body, &envelope, now_ms).await)
                }
                _ => None,
            };
            (stored, notified)
        }
        (None, Some(n)) => (
            side_effects::notify(deps, &n, body, &envelope, now_ms).await,
            None,
        ),
        (None, None) => unreachable!("a plan has a record, a notification or both"),
    };
    Processed {
        route,
        rules,
        first,
        notification,
    }
}

#[cfg(test)]
mod tests;
