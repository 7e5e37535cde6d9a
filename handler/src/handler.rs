//! `handle_batch`: one SQS batch in, the failed message ids out. `process_batch` is the
//! same with every message's outcome returned, for the batch's metrics.
//!
//! Every record is decoded on its own (one poison body cannot fail the batch), the core's
//! [`plan`] decides its one side effect, and the records of a batch run concurrently up to
//! [`Deps::concurrency`], each inside a tracing span keyed by its message id. Only the
//! failed ids are returned, so with `ReportBatchItemFailures` SQS deletes the rest and
//! redelivers those (then moves them to the DLQ after `maxReceiveCount`).

use std::fmt;
use std::time::Instant;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::stream::{self, StreamExt};
use private_ingest_core::{
    plan, Action, NotificationContent, NotificationKind, RecordError, Route,
};
use tracing::Instrument;

use crate::clock::Clock;
use crate::envelope::{envelope_of, sent_at_ms};
use crate::notify::{Notifier, NotifyError};
use crate::random::RandomSource;
use crate::store::{PutIfAbsent, RecordStore, StoreError};

/// What the handler needs: the two ports, a clock and a random source (injected so
/// tests are deterministic), how many records of a batch run at once, and how much of
/// the caller's content a notification may carry.
pub struct Deps<S, N> {
    pub store: S,
    pub notifier: N,
    pub clock: Clock,
    pub random: RandomSource,
    pub concurrency: usize,
    pub notification_content: NotificationContent,
}

impl<S: fmt::Debug, N: fmt::Debug> fmt::Debug for Deps<S, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deps")
            .field("store", &self.store)
            .field("notifier", &self.notifier)
            .field("concurrency", &self.concurrency)
            .field("notification_content", &self.notification_content)
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
}

/// What became of a message: the `outcome` of its log line, and the metric it counts
/// toward (`Stored`, `AlreadyStored`, `Notified`, `Rejected`, `ItemFailures`; see
/// [`crate::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The store route's record was written.
    Stored,
    /// A redelivery of a stored message: nothing written, and that is a success.
    AlreadyStored,
    /// The notify route's notification was published.
    Notified,
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
            Outcome::Rejected => "rejected",
            Outcome::Failed => "failed",
        }
    }
}

/// What became of one message of a batch: what metrics count, and what the queue is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageOutcome {
    pub message_id: String,
    pub outcome: Outcome,
    /// When the queue received it (SQS `SentTimestamp`), epoch milliseconds, if it said.
    pub sent_at_ms: Option<i64>,
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
                .filter(|m| m.outcome == Outcome::Failed)
                .map(|m| m.message_id.clone())
                .collect::<Vec<_>>(),
        );
        response
    }
}

/// Processes every record of `event`; returns only the failed message ids, in batch order.
pub async fn handle_batch<S: RecordStore, N: Notifier>(
    deps: &Deps<S, N>,
    event: SqsEvent,
) -> Result<SqsBatchResponse, BatchError> {
    Ok(process_batch(deps, event).await?.response())
}

/// [`handle_batch`], returning every message's outcome (for the metrics of the batch).
pub async fn process_batch<S: RecordStore, N: Notifier>(
    deps: &Deps<S, N>,
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
    let messages: Vec<MessageOutcome> = stream::iter(records)
        .map(|(message_id, message)| async move {
            let outcome = process_logged(deps, &message_id, &message).await;
            MessageOutcome {
                sent_at_ms: sent_at_ms(&message),
                message_id,
                outcome,
            }
        })
        .buffered(deps.concurrency.max(1))
        .collect()
        .await;
    tracing::debug!(
        records = total,
        failed = messages
            .iter()
            .filter(|m| m.outcome == Outcome::Failed)
            .count(),
        "batch processed"
    );
    Ok(BatchOutcomes { messages })
}

/// One message, in its span, with its one log line.
async fn process_logged<S: RecordStore, N: Notifier>(
    deps: &Deps<S, N>,
    id: &str,
    message: &SqsMessage,
) -> Outcome {
    let span = tracing::info_span!("message", message_id = %id);
    async {
        let started = Instant::now();
        let (route, result) = process(deps, id, message).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        // No `route` field for a rejected body: it never got one.
        let route = route.map(Route::as_str);
        match &result {
            Ok(outcome) => tracing::info!(
                message_id = %id, route, outcome = outcome.as_str(), duration_ms,
                "message processed"
            ),
            Err(error) => tracing::error!(
                message_id = %id, route, outcome = Outcome::Failed.as_str(), duration_ms, %error,
                "message failed; the queue will redeliver it"
            ),
        }
        result.unwrap_or(Outcome::Failed)
    }
    .instrument(span)
    .await
}

/// Plan, then the one side effect. Returns the message's route (none for a rejected body,
/// or when planning itself failed) with the result.
async fn process<S: RecordStore, N: Notifier>(
    deps: &Deps<S, N>,
    id: &str,
    message: &SqsMessage,
) -> (Option<Route>, Result<Outcome, ItemError>) {
    let envelope = envelope_of(id, message);
    // A record without a body is a body that fails validation: it gets a "rejected" alert.
    let body = message.body.as_deref().unwrap_or_default().as_bytes();
    let planned = plan(
        body,
        &envelope,
        (deps.random)(),
        (deps.clock)(),
        deps.notification_content,
    );
    let action = match planned {
        Ok(action) => action,
        Err(error) => return (None, Err(error.into())),
    };
    let route = action.route();
    let result = match action {
        Action::Store(record) => match deps.store.put_if_absent(&record).await {
            Ok(PutIfAbsent::Stored) => Ok(Outcome::Stored),
            Ok(PutIfAbsent::AlreadyStored) => Ok(Outcome::AlreadyStored),
            Err(error) => Err(error.into()),
        },
        Action::Notify(notification) => {
            let done = match notification.kind {
                NotificationKind::Notify => Outcome::Notified,
                NotificationKind::Rejected => Outcome::Rejected,
            };
            deps.notifier
                .publish(&notification)
                .await
                .map(|()| done)
                .map_err(ItemError::from)
        }
    };
    (route, result)
}

#[cfg(test)]
mod tests;
