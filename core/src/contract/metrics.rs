//! The metrics, each named once: the Lambda emits the batch metrics as CloudWatch embedded
//! metric format (EMF), the local stack exposes the same ones (and what only one process
//! can know) in the Prometheus text format, and the Pulumi program's dashboard and alarms
//! name them through the Wasm module's `contract()`.
//!
//! A batch metric's EMF name is its CloudWatch name (`Stored`); its Prometheus name is
//! derived from it the way Prometheus names things: `private_ingest_` + snake case + the
//! unit's suffix (`private_ingest_stored_total`, `private_ingest_batch_duration_seconds`,
//! in seconds as Prometheus' base unit while EMF keeps milliseconds).

use crate::error::quote;

/// CloudWatch namespace of the Lambda's metrics unless its environment names another.
pub const DEFAULT_METRICS_NAMESPACE: &str = "PrivateIngest";

/// Why `namespace` is not a CloudWatch metric namespace, or `None` when it is one:
/// 1-255 ASCII characters of letters, digits, space and `.-_/#:`, not only spaces, and
/// not starting with `AWS/` (kept for AWS's own metrics).
pub fn namespace_problem(namespace: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " .-_/#:".contains(c);
    if namespace.trim().is_empty() || namespace.len() > 255 || !namespace.chars().all(allowed) {
        return Some(format!(
            "{} is not a CloudWatch namespace (1 to 255 of letters, digits, spaces and . - _ / # :)",
            quote(namespace)
        ));
    }
    namespace.starts_with("AWS/").then(|| {
        format!(
            "{} starts with AWS/, which CloudWatch keeps for AWS's own metrics",
            quote(namespace)
        )
    })
}

/// The one EMF dimension: the function's name, so two stacks in one account and region
/// keep apart in one namespace.
pub const FUNCTION_NAME_DIMENSION: &str = "FunctionName";

/// Prefix of every Prometheus metric the local stack exposes.
pub const PROMETHEUS_PREFIX: &str = "private_ingest";

/// What one metric measures, in CloudWatch's unit names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricUnit {
    /// How many messages (or, for `BatchSize`, how many in a batch).
    Count,
    Milliseconds,
}

impl MetricUnit {
    /// The unit as EMF and CloudWatch spell it.
    pub const fn cloudwatch(self) -> &'static str {
        match self {
            MetricUnit::Count => "Count",
            MetricUnit::Milliseconds => "Milliseconds",
        }
    }
}

/// How a metric adds up: per message (a counter) or one observation each (a distribution).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Messages with one outcome: EMF writes the batch's count; Prometheus a `_total` counter.
    Counter,
    /// Observations: EMF writes one value or an array of them; Prometheus a histogram.
    Distribution,
}

/// One metric of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSpec {
    /// The CloudWatch metric name (UpperCamelCase), the EMF member name.
    pub name: &'static str,
    /// `name` in snake case, without the unit: the Prometheus name's middle.
    pub snake_name: &'static str,
    pub unit: MetricUnit,
    pub kind: MetricKind,
    /// One line saying what it counts (Prometheus `# HELP`, the dashboard's labels).
    pub help: &'static str,
}

impl MetricSpec {
    /// The Prometheus family name, as a scrape shows it: `private_ingest_stored_total`,
    /// `private_ingest_batch_size`, `private_ingest_message_age_seconds`.
    pub fn prometheus_name(&self) -> String {
        let suffix = match (self.kind, self.unit) {
            (MetricKind::Counter, _) => "_total",
            (MetricKind::Distribution, MetricUnit::Milliseconds) => "_seconds",
            (MetricKind::Distribution, MetricUnit::Count) => "",
        };
        format!("{PROMETHEUS_PREFIX}_{}{suffix}", self.snake_name)
    }
}

const fn counter(name: &'static str, snake_name: &'static str, help: &'static str) -> MetricSpec {
    MetricSpec {
        name,
        snake_name,
        unit: MetricUnit::Count,
        kind: MetricKind::Counter,
        help,
    }
}

pub const STORED: MetricSpec = counter(
    "Stored",
    "stored",
    "Messages whose record the store route wrote.",
);
pub const ALREADY_STORED: MetricSpec = counter(
    "AlreadyStored",
    "already_stored",
    "Redeliveries, and retries with the same Idempotency-Key and body, whose record was already there (nothing written).",
);
pub const NOTIFIED: MetricSpec = counter(
    "Notified",
    "notified",
    "Messages whose notification was published.",
);
pub const ALREADY_NOTIFIED: MetricSpec = counter(
    "AlreadyNotified",
    "already_notified",
    "Retries with the same Idempotency-Key and body whose notification was already published (nothing sent).",
);
pub const REJECTED: MetricSpec = counter(
    "Rejected",
    "rejected",
    "Invalid bodies that got past the API (their alert was published).",
);
pub const ITEM_FAILURES: MetricSpec = counter(
    "ItemFailures",
    "item_failures",
    "Messages that failed and were left for the queue to redeliver.",
);
pub const BATCH_SIZE: MetricSpec = MetricSpec {
    name: "BatchSize",
    snake_name: "batch_size",
    unit: MetricUnit::Count,
    kind: MetricKind::Distribution,
    help: "Messages in one batch (one invocation).",
};
pub const BATCH_DURATION_MS: MetricSpec = MetricSpec {
    name: "BatchDurationMs",
    snake_name: "batch_duration",
    unit: MetricUnit::Milliseconds,
    kind: MetricKind::Distribution,
    help: "Time to handle one batch, from its first message to its last outcome.",
};
pub const MESSAGE_AGE_MS: MetricSpec = MetricSpec {
    name: "MessageAgeMs",
    snake_name: "message_age",
    unit: MetricUnit::Milliseconds,
    kind: MetricKind::Distribution,
    help: "Time from the queue's SentTimestamp to the handler seeing the message, each message.",
};

/// Every metric of one batch, in the order the EMF line lists them.
pub const BATCH_METRICS: [MetricSpec; 9] = [
    STORED,
    ALREADY_STORED,
    NOTIFIED,
    ALREADY_NOTIFIED,
    REJECTED,
    ITEM_FAILURES,
    BATCH_SIZE,
    BATCH_DURATION_MS,
    MESSAGE_AGE_MS,
];

/// The metrics only the local stack, one process, can know. Their Prometheus names are
/// given whole: they have no CloudWatch twin (the cloud has API Gateway's and SQS's own).
pub mod local {
    /// `POST /send-message` answered 200: the message is on disk.
    pub const ACCEPTED: &str = "private_ingest_accepted_total";
    /// Time from a request's arrival to its answer, `POST /send-message`, every status.
    pub const ACCEPT_LATENCY: &str = "private_ingest_accept_latency_seconds";
    /// Time from a message's acceptance (its sent time) to its outcome.
    pub const END_TO_END_LATENCY: &str = "private_ingest_end_to_end_latency_seconds";
    /// Messages waiting to be received (SQS ApproximateNumberOfMessagesVisible).
    pub const QUEUE_VISIBLE: &str = "private_ingest_queue_visible_messages";
    /// Messages received and not yet deleted (SQS ApproximateNumberOfMessagesNotVisible).
    pub const QUEUE_IN_FLIGHT: &str = "private_ingest_queue_in_flight_messages";
    /// Messages in the dead-letter table.
    pub const DEAD_LETTERS: &str = "private_ingest_dead_letter_messages";
    /// Age of the oldest message on the queue (SQS ApproximateAgeOfOldestMessage).
    pub const OLDEST_MESSAGE_AGE: &str = "private_ingest_oldest_message_age_seconds";
    /// Writes per SQLite transaction (group commit).
    pub const COMMIT_GROUP_SIZE: &str = "private_ingest_commit_group_size";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_names_follow_the_cloudwatch_names() {
        let names: Vec<String> = BATCH_METRICS.iter().map(|m| m.prometheus_name()).collect();
        assert_eq!(
            names,
            [
                "private_ingest_stored_total",
                "private_ingest_already_stored_total",
                "private_ingest_notified_total",
                "private_ingest_already_notified_total",
                "private_ingest_rejected_total",
                "private_ingest_item_failures_total",
                "private_ingest_batch_size",
                "private_ingest_batch_duration_seconds",
                "private_ingest_message_age_seconds",
            ]
        );
    }

    #[test]
    fn every_snake_name_is_its_cloudwatch_name_in_snake_case() {
        for m in BATCH_METRICS {
            let mut snake = String::new();
            for (i, c) in m.name.trim_end_matches("Ms").chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            assert_eq!(snake, m.snake_name, "{}", m.name);
        }
    }
}
