//! The local stack's metrics, for `GET /metrics` in the Prometheus (OpenMetrics) text
//! format: the batch metrics the Lambda writes as EMF, under the same names
//! (`contract::metrics`, counted by the handler's own `BatchMetrics`), and what only one
//! process can know: accept and end-to-end latency, the queue's depth and oldest age,
//! and how many writes share a commit.
//!
//! Built on `prometheus-client`, the Prometheus project's Rust client: its registry is a
//! value, not a global recorder (`metrics` + `metrics-exporter-prometheus` install one
//! per process), so a stack, and each test's stack, has its own; it encodes the text
//! format itself, with help, units and `# EOF`.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use private_ingest_core::contract::metrics::{
    local, MetricSpec, ALREADY_NOTIFIED, ALREADY_STORED, BATCH_DURATION_MS, BATCH_SIZE,
    ITEM_FAILURES, MESSAGE_AGE_MS, NOTIFIED, PROMETHEUS_PREFIX, REJECTED, STORED,
};
use private_ingest_handler::metrics::BatchMetrics;
use private_ingest_handler::BatchOutcomes;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::db::writer::CommitObserver;
use crate::db::WriteError;
use crate::queue::QueueDepth;

/// The media type of what [`Metrics::render`] writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Latency buckets, in seconds: 0.25 ms to 10 s, about 1.5x apart, so a quantile read off
/// them (as `make bench` does) is within a bucket's width of the truth.
const LATENCY_BUCKETS: [f64; 24] = [
    0.000_25, 0.000_5, 0.000_75, 0.001, 0.001_5, 0.002, 0.003, 0.004, 0.005, 0.007_5, 0.01, 0.015,
    0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// A message's wait on the queue can be far longer than a request: up to an hour here.
const AGE_BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 3600.0,
];
/// Messages per batch, up to Lambda's largest SQS batch (10,000).
const BATCH_SIZE_BUCKETS: [f64; 10] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1_000.0, 5_000.0, 10_000.0,
];
/// Writes per commit, up to the writer's `MAX_GROUP` (256).
const GROUP_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Every metric of one local stack; shared by the gateway, the pollers and the writer.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    stored: Counter,
    already_stored: Counter,
    notified: Counter,
    already_notified: Counter,
    rejected: Counter,
    item_failures: Counter,
    batch_size: Histogram,
    batch_duration: Histogram,
    message_age: Histogram,
    accepted: Counter,
    accept_latency: Histogram,
    end_to_end_latency: Histogram,
    queue_visible: Gauge,
    queue_in_flight: Gauge,
    dead_letters: Gauge,
    oldest_message_age: Gauge<f64, AtomicU64>,
    commit_group_size: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut root = Registry::default();
        let registry = root.sub_registry_with_prefix(PROMETHEUS_PREFIX);
        // The client adds the `_total` and unit suffixes and a final period to the help.
        let counter = |registry: &mut Registry, spec: MetricSpec| {
            let c = Counter::default();
            registry.register(spec.snake_name, help(spec.help), c.clone());
            c
        };
        let stored = counter(registry, STORED);
        let already_stored = counter(registry, ALREADY_STORED);
        let notified = counter(registry, NOTIFIED);
        let already_notified = counter(registry, ALREADY_NOTIFIED);
        let rejected = counter(registry, REJECTED);
        let item_failures = counter(registry, ITEM_FAILURES);
        let batch_size = Histogram::new(BATCH_SIZE_BUCKETS);
        registry.register(
            BATCH_SIZE.snake_name,
            help(BATCH_SIZE.help),
            batch_size.clone(),
        );
        let seconds = |registry: &mut Registry, spec: MetricSpec, buckets: &[f64]| {
            let h = Histogram::new(buckets.iter().copied());
            registry.register_with_unit(spec.snake_name, help(spec.help), Unit::Seconds, h.clone());
            h
        };
        let batch_duration = seconds(registry, BATCH_DURATION_MS, &LATENCY_BUCKETS);
        let message_age = seconds(registry, MESSAGE_AGE_MS, &AGE_BUCKETS);

        let accepted = Counter::default();
        let accept_latency = Histogram::new(LATENCY_BUCKETS);
        let end_to_end_latency = Histogram::new(
            LATENCY_BUCKETS
                .into_iter()
                .chain(AGE_BUCKETS.into_iter().filter(|b| *b > 10.0)),
        );
        let queue_visible = Gauge::default();
        let queue_in_flight = Gauge::default();
        let dead_letters = Gauge::default();
        let oldest_message_age = Gauge::<f64, AtomicU64>::default();
        let commit_group_size = Histogram::new(GROUP_BUCKETS);
        // The local-only names are given whole in the contract; registered at the root so
        // the name a scrape shows is exactly that one.
        let family =
            |name: &str, suffix: &str| name.strip_suffix(suffix).unwrap_or(name).to_owned();
        root.register(
            family(local::ACCEPTED, "_total"),
            "POST /send-message answered 200: the message is on disk",
            accepted.clone(),
        );
        root.register_with_unit(
            family(local::ACCEPT_LATENCY, "_seconds"),
            "Time from a POST /send-message request to its answer, every status",
            Unit::Seconds,
            accept_latency.clone(),
        );
        root.register_with_unit(family(local::END_TO_END_LATENCY, "_seconds"), "Time from a message's acceptance to its outcome (stored, already stored, notified or rejected)", Unit::Seconds, end_to_end_latency.clone());
        root.register(
            local::QUEUE_VISIBLE,
            "Messages waiting to be received",
            queue_visible.clone(),
        );
        root.register(
            local::QUEUE_IN_FLIGHT,
            "Messages received and not yet deleted",
            queue_in_flight.clone(),
        );
        root.register(
            local::DEAD_LETTERS,
            "Messages in the dead-letter table",
            dead_letters.clone(),
        );
        root.register_with_unit(
            family(local::OLDEST_MESSAGE_AGE, "_seconds"),
            "Age of the oldest message on the queue (0 when empty)",
            Unit::Seconds,
            oldest_message_age.clone(),
        );
        root.register(
            local::COMMIT_GROUP_SIZE,
            "Writes per SQLite transaction (group commit)",
            commit_group_size.clone(),
        );
        Self {
            registry: root,
            stored,
            already_stored,
            notified,
            already_notified,
            rejected,
            item_failures,
            batch_size,
            batch_duration,
            message_age,
            accepted,
            accept_latency,
            end_to_end_latency,
            queue_visible,
            queue_in_flight,
            dead_letters,
            oldest_message_age,
            commit_group_size,
        }
    }

    /// One batch the poller handed to `handle_batch`: what the Lambda's EMF line would
    /// say, plus each message's time from acceptance to its outcome at `now_ms`.
    pub fn record_batch(&self, outcomes: &BatchOutcomes, batch: &BatchMetrics, now_ms: i64) {
        self.stored.inc_by(batch.stored);
        self.already_stored.inc_by(batch.already_stored);
        self.notified.inc_by(batch.notified);
        self.already_notified.inc_by(batch.already_notified);
        self.rejected.inc_by(batch.rejected);
        self.item_failures.inc_by(batch.item_failures);
        self.batch_size.observe(batch.batch_size as f64);
        self.batch_duration
            .observe(batch.batch_duration_ms as f64 / 1_000.0);
        for age in &batch.message_ages_ms {
            self.message_age.observe(*age as f64 / 1_000.0);
        }
        for m in outcomes.messages.iter().filter(|m| !m.failed()) {
            if let Some(sent_at_ms) = m.sent_at_ms {
                let waited = now_ms.saturating_sub(sent_at_ms).max(0);
                self.end_to_end_latency.observe(waited as f64 / 1_000.0);
            }
        }
    }

    /// One `POST /send-message` answered after `latency`; `accepted` when it was a 200.
    pub fn record_send(&self, latency: Duration, accepted: bool) {
        self.accept_latency.observe(latency.as_secs_f64());
        if accepted {
            self.accepted.inc();
        }
    }

    /// One group commit of `operations` writes.
    pub fn record_commit(&self, operations: usize) {
        self.commit_group_size.observe(operations as f64);
    }

    /// The text of a scrape, with the queue as it is at `now_ms`.
    pub fn render(&self, depth: QueueDepth, oldest_sent_at_ms: Option<i64>, now_ms: i64) -> String {
        self.queue_visible.set(depth.visible);
        self.queue_in_flight.set(depth.in_flight);
        self.dead_letters.set(depth.dead_letters);
        let oldest = oldest_sent_at_ms.map_or(0, |sent| now_ms.saturating_sub(sent).max(0));
        self.oldest_message_age.set(oldest as f64 / 1_000.0);
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// A commit observer that also counts each committed group's size into the metrics.
#[derive(Debug)]
pub struct CountingCommits<O> {
    inner: O,
    metrics: Arc<Metrics>,
}

impl<O> CountingCommits<O> {
    pub fn new(inner: O, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }
}

impl<O: CommitObserver> CommitObserver for CountingCommits<O> {
    fn before_commit(&mut self, conn: &rusqlite::Connection) -> Result<(), WriteError> {
        self.inner.before_commit(conn)
    }

    fn after_commit(
        &mut self,
        conn: &rusqlite::Connection,
        outcome: &Result<(), WriteError>,
        wrote: bool,
    ) {
        self.inner.after_commit(conn, outcome, wrote);
    }

    fn committed(&mut self, operations: usize) {
        self.inner.committed(operations);
        self.metrics.record_commit(operations);
    }
}

/// The client adds the period itself.
fn help(text: &str) -> &str {
    text.trim_end_matches('.')
}
