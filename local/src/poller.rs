//! The event source mapping: receives batches from the queue, invokes the handler's
//! `handle_batch` (the Lambda's own) with them as an `SqsEvent`, deletes what succeeded and leaves the
//! reported failures to reappear after the visibility timeout (`ReportBatchItemFailures`).

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use private_ingest_handler::metrics::BatchMetrics;
use private_ingest_handler::{process_batch, Clock, DedupeStore, Deps, Notifier, RecordStore};
use tokio::sync::watch;

use crate::log_throttle::{Throttle, DEFAULT_INTERVAL};
use crate::metrics::Metrics;
use crate::queue::{Queue, ReceivedMessage};
use crate::sqs_event::sqs_event;

/// Longest idle sleep: bounds how late a message whose visibility timeout ended is seen
/// when nothing else wakes the poller.
const MAX_IDLE_WAIT: Duration = Duration::from_secs(1);
/// Pause after the database failed a receive, so a broken disk does not spin a core.
const ERROR_BACKOFF: Duration = Duration::from_secs(1);

/// How the poller batches (from the flags; the event source mapping's BatchSize and
/// MaximumBatchingWindowInSeconds).
#[derive(Debug, Clone, Copy)]
pub struct PollerOptions {
    pub batch_size: usize,
    pub batch_window: Duration,
}

pub struct Poller<S, N, D> {
    queue: Queue,
    deps: Deps<S, N, D>,
    options: PollerOptions,
    clock: Clock,
    metrics: Arc<Metrics>,
}

impl<S, N, D> std::fmt::Debug for Poller<S, N, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// What the poller did with one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessedBatch {
    pub deleted: Vec<String>,
    pub failed: Vec<String>,
}

impl<S: RecordStore, N: Notifier, D: DedupeStore> Poller<S, N, D> {
    pub fn new(queue: Queue, deps: Deps<S, N, D>, options: PollerOptions, clock: Clock) -> Self {
        Self {
            queue,
            deps,
            options,
            clock,
            metrics: Arc::new(Metrics::new()),
        }
    }

    /// Counts each batch's outcomes into `metrics` (the stack's, which `/metrics` shows).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Polls until `stop` turns true; a batch in flight is finished first. Several
    /// `run`s may share one poller (the event source mapping's concurrent invocations):
    /// each receive hides what it takes, so no two runs get the same message.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let (batch, next_visible_at_ms) = match self.collect(&mut stop).await {
                Ok(received) => received,
                Err(error) => {
                    // Every poller, every second, for as long as the disk is full.
                    static RECEIVE_FAILED: Throttle = Throttle::new(DEFAULT_INTERVAL);
                    if let Some(suppressed) = RECEIVE_FAILED.admit() {
                        tracing::error!(%error, suppressed, "could not receive from the local queue; retrying");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(ERROR_BACKOFF) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
            };
            if batch.is_empty() {
                let wait = next_visible_at_ms
                    .map(
                        |at| Duration::from_millis(at.saturating_sub((self.clock)()).max(0) as u64),
                    )
                    .map_or(MAX_IDLE_WAIT, |d| d.min(MAX_IDLE_WAIT));
                tokio::select! {
                    _ = self.queue.arrivals().notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            self.process(batch).await;
        }
        tracing::debug!("poller stopped");
    }

    /// Receives up to a batch: what is there now, then, within the batch window, what
    /// arrives until the batch is full (Lambda's MaximumBatchingWindowInSeconds).
    async fn collect(
        &self,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(Vec<ReceivedMessage>, Option<i64>), crate::db::WriteError> {
        let size = self.options.batch_size;
        let first = self.queue.receive(size, (self.clock)()).await?;
        log_dead_letters(&first.dead_lettered);
        let mut batch = first.messages;
        if batch.is_empty() || self.options.batch_window.is_zero() {
            return Ok((batch, first.next_visible_at_ms));
        }
        let deadline = tokio::time::Instant::now() + self.options.batch_window;
        while batch.len() < size && !*stop.borrow() {
            tokio::select! {
                _ = self.queue.arrivals().notified() => {}
                _ = tokio::time::sleep_until(deadline) => break,
                _ = stop.changed() => break,
            }
            let more = self
                .queue
                .receive(size - batch.len(), (self.clock)())
                .await?;
            log_dead_letters(&more.dead_lettered);
            batch.extend(more.messages);
        }
        Ok((batch, None))
    }

    /// Invokes the handler on one batch and deletes what succeeded.
    pub async fn process(&self, batch: Vec<ReceivedMessage>) -> ProcessedBatch {
        let ids: Vec<String> = batch.iter().map(|m| m.message_id.clone()).collect();
        let event = sqs_event(&batch);
        let started = std::time::Instant::now();
        let started_ms = (self.clock)();
        // A panic in the handler is a crashed invocation: Lambda retries the whole batch.
        let result = AssertUnwindSafe(process_batch(&self.deps, event))
            .catch_unwind()
            .await;
        let failed: HashSet<String> = match result {
            Ok(Ok(outcomes)) => {
                // What the Lambda's EMF line would say, counted by the same function.
                let counted = BatchMetrics::of(&outcomes, started_ms, started.elapsed());
                self.metrics
                    .record_batch(&outcomes, &counted, (self.clock)());
                let failed: HashSet<String> = outcomes
                    .response()
                    .batch_item_failures
                    .into_iter()
                    .map(|f| f.item_identifier)
                    .collect();
                // As Lambda does: an id that is not in the batch makes the response invalid,
                // and an invalid response fails the whole batch.
                if failed.iter().all(|id| ids.contains(id)) {
                    failed
                } else {
                    tracing::error!("handler reported a failure for an id not in the batch; retrying the whole batch");
                    ids.iter().cloned().collect()
                }
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "batch failed as a whole; every message will be redelivered");
                ids.iter().cloned().collect()
            }
            Err(_) => {
                tracing::error!("handler panicked; every message of the batch will be redelivered");
                ids.iter().cloned().collect()
            }
        };
        let (failed, deleted): (Vec<String>, Vec<String>) =
            ids.into_iter().partition(|id| failed.contains(id));
        for m in batch.iter().filter(|m| failed.contains(&m.message_id)) {
            tracing::warn!(
                message_id = %m.message_id,
                receive_count = m.receive_count,
                "message failed; it reappears after the visibility timeout"
            );
        }
        if let Err(error) = self.queue.delete(deleted.clone()).await {
            // Not lost: they reappear, and the handler finds them already done.
            static DELETE_FAILED: Throttle = Throttle::new(DEFAULT_INTERVAL);
            if let Some(suppressed) = DELETE_FAILED.admit() {
                tracing::error!(%error, suppressed, "could not delete processed messages; they will be redelivered");
            }
        }
        ProcessedBatch { deleted, failed }
    }
}

fn log_dead_letters(ids: &[String]) {
    for id in ids {
        tracing::warn!(message_id = %id, "message moved to the dead-letter table after max receive count");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::{SqliteDedupe, SqliteNotifier, SqliteRecordStore};
    use crate::db::test_database::TestDatabase;
    use crate::faults::Faults;
    use crate::queue::{Attributes, QueueOptions};
    use private_ingest_core::{NotificationContent, RandomValue};
    use private_ingest_handler::{fixed_clock, fixed_random};

    struct Fixture {
        poller: Poller<SqliteRecordStore, SqliteNotifier, SqliteDedupe>,
        queue: Queue,
        store: SqliteRecordStore,
        notifier: SqliteNotifier,
        _db: TestDatabase,
    }

    fn fixture(faults: Faults) -> Fixture {
        let db = TestDatabase::new();
        let (writer, reads) = (db.writer.clone(), db.reads.clone());
        let clock = fixed_clock(1_700_000_000_000);
        let faults = Arc::new(faults);
        let queue = Queue::new(
            writer.clone(),
            reads.clone(),
            QueueOptions {
                visibility_timeout: Duration::from_secs(30),
                max_receive_count: 3,
            },
        );
        let store =
            SqliteRecordStore::new(writer.clone(), reads.clone(), faults.clone(), clock.clone());
        let notifier = SqliteNotifier::new(writer.clone(), reads.clone(), faults, clock.clone());
        let deps = Deps {
            store: store.clone(),
            notifier: notifier.clone(),
            dedupe: SqliteDedupe::new(writer, reads),
            clock: clock.clone(),
            random: fixed_random(RandomValue::new(7).unwrap()),
            concurrency: 10,
            notification_content: NotificationContent::IdsOnly,
            in_progress_expiry: Duration::from_secs(30),
            rules: None,
        };
        let options = PollerOptions {
            batch_size: 10,
            batch_window: Duration::ZERO,
        };
        Fixture {
            poller: Poller::new(queue.clone(), deps, options, clock),
            queue,
            store,
            notifier,
            _db: db,
        }
    }

    async fn send(f: &Fixture, body: &str) -> String {
        let attrs = Attributes::from([("requestId".to_owned(), "r-1".to_owned())]);
        f.queue
            .send(body.into(), &attrs, 1_700_000_000_000)
            .await
            .unwrap()
            .message_id
    }

    #[tokio::test]
    async fn a_batch_of_both_routes_is_processed_and_deleted() {
        let f = fixture(Faults::none());
        let stored = send(&f, r#"{"Insert":"DynamoDB"}"#).await;
        let notified = send(&f, r#"{"Insert":"Dynamoooo"}"#).await;
        let batch = f
            .queue
            .receive(10, 1_700_000_000_000)
            .await
            .unwrap()
            .messages;
        let outcome = f.poller.process(batch).await;
        assert_eq!(outcome.deleted, [stored.clone(), notified]);
        assert!(outcome.failed.is_empty());
        let record: serde_json::Value =
            serde_json::from_str(&f.store.get(stored.clone()).await.unwrap().unwrap()).unwrap();
        assert_eq!(record["id"], stored.as_str());
        assert_eq!(record["request_id"], "r-1");
        assert_eq!(record["message"], "Random value is 7");
        assert_eq!(f.notifier.count().await.unwrap(), 1);
        let depth = f.queue.depth(i64::MAX).await.unwrap();
        assert_eq!((depth.visible, depth.in_flight), (0, 0));
    }

    #[tokio::test]
    async fn failures_stay_on_the_queue_and_reappear_after_the_visibility_timeout() {
        let f = fixture(Faults::new(0.0, 1, 7));
        let id = send(&f, r#"{"Insert":"DynamoDB"}"#).await;
        let now = 1_700_000_000_000;
        let batch = f.queue.receive(10, now).await.unwrap().messages;
        let outcome = f.poller.process(batch).await;
        assert_eq!(outcome.failed, std::slice::from_ref(&id));
        assert_eq!(f.store.get(id.clone()).await.unwrap(), None);
        assert!(f
            .queue
            .receive(10, now + 29_999)
            .await
            .unwrap()
            .messages
            .is_empty());
        let again = f.queue.receive(10, now + 30_000).await.unwrap().messages;
        assert_eq!(again[0].receive_count, 2);
        let outcome = f.poller.process(again).await;
        assert_eq!(outcome.deleted, std::slice::from_ref(&id));
        assert!(f.store.get(id).await.unwrap().is_some());
    }
}
