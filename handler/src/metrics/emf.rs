//! The batch's metrics as CloudWatch embedded metric format (EMF): a JSON log line that
//! CloudWatch Logs turns into metrics, so the Lambda makes no metrics call at all.
//!
//! Written with `serde_json`, not an EMF crate. Of the crates on crates.io:
//! `metrics_cloudwatch_embedded` installs a global `metrics` recorder (counts become side
//! effects of macro calls, not a function of the batch's outcomes); awslabs' `metrique`
//! (with `metrique-writer-format-emf`) is well kept but a framework of its own (entry
//! derive macros, writers, sinks, eight more dependencies) and, by its own tests, does
//! not split at EMF's limits either; `cloudwatch_emf_helper` had one release. The line is
//! one small JSON object, and the limits below are ours to keep either way.
//!
//! EMF's limits (the specification's): at most 100 metrics per directive (a batch has 9,
//! see [`BATCH_METRICS`]) and at most 100 values in one metric's array. A batch of more
//! than 100 messages (Lambda's SQS batches go up to 10,000 with a batching window; this
//! stack's `batchSize` is at most 10) writes its first 100 ages on the batch's line and
//! the rest on further lines of 100 that carry `MessageAgeMs` alone.

use private_ingest_core::contract::metrics::{
    MetricSpec, ALREADY_NOTIFIED, ALREADY_STORED, BATCH_DURATION_MS, BATCH_METRICS, BATCH_SIZE,
    DEFAULT_METRICS_NAMESPACE, FUNCTION_NAME_DIMENSION, ITEM_FAILURES, MESSAGE_AGE_MS, NOTIFIED,
    REJECTED, STORED,
};
use serde_json::{json, Map, Value};

use super::BatchMetrics;

/// EMF: at most 100 values in one metric's array.
pub const MAX_VALUES_PER_METRIC: usize = 100;
/// EMF: at most 100 metrics in one directive.
pub const MAX_METRICS_PER_DIRECTIVE: usize = 100;

const _: () = assert!(BATCH_METRICS.len() <= MAX_METRICS_PER_DIRECTIVE);

/// Where the metrics go: the CloudWatch namespace and the function's name (the dimension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmfTarget {
    pub namespace: String,
    pub function_name: String,
}

impl EmfTarget {
    /// In the default namespace.
    pub fn new(function_name: impl Into<String>) -> Self {
        Self {
            namespace: DEFAULT_METRICS_NAMESPACE.to_owned(),
            function_name: function_name.into(),
        }
    }
}

/// The EMF lines of one batch, without line breaks: one, or one per 100 message ages
/// beyond the first 100. `timestamp_ms` is when the batch ended (epoch milliseconds).
pub fn emf_lines(metrics: &BatchMetrics, target: &EmfTarget, timestamp_ms: i64) -> Vec<String> {
    let mut ages = metrics.message_ages_ms.chunks(MAX_VALUES_PER_METRIC);
    let counts = [
        (STORED, metrics.stored),
        (ALREADY_STORED, metrics.already_stored),
        (NOTIFIED, metrics.notified),
        (ALREADY_NOTIFIED, metrics.already_notified),
        (REJECTED, metrics.rejected),
        (ITEM_FAILURES, metrics.item_failures),
        (BATCH_SIZE, metrics.batch_size),
        (BATCH_DURATION_MS, metrics.batch_duration_ms),
    ];
    let mut first: Vec<(MetricSpec, Value)> =
        counts.into_iter().map(|(m, n)| (m, json!(n))).collect();
    // A batch whose messages had no SentTimestamp has no age to report, and EMF has no
    // empty array: the metric is left out rather than written as [].
    if let Some(chunk) = ages.next() {
        first.push((MESSAGE_AGE_MS, json!(chunk)));
    }
    let mut lines = vec![line(target, timestamp_ms, &first)];
    lines.extend(ages.map(|chunk| line(target, timestamp_ms, &[(MESSAGE_AGE_MS, json!(chunk))])));
    lines
}

/// One EMF object: the `_aws` metadata naming every metric, the dimension's value, and
/// each metric's value as a top-level member (as the specification requires).
fn line(target: &EmfTarget, timestamp_ms: i64, metrics: &[(MetricSpec, Value)]) -> String {
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|(m, _)| json!({"Name": m.name, "Unit": m.unit.cloudwatch()}))
        .collect();
    let mut object = Map::new();
    object.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": target.namespace,
                "Dimensions": [[FUNCTION_NAME_DIMENSION]],
                "Metrics": definitions,
            }],
        }),
    );
    object.insert(
        FUNCTION_NAME_DIMENSION.into(),
        Value::from(target.function_name.as_str()),
    );
    for (m, value) in metrics {
        object.insert(m.name.into(), value.clone());
    }
    Value::Object(object).to_string()
}

#[cfg(test)]
mod tests;
