//! `handle_batch`: one SQS batch in, the failed message ids out.
//! SKELETON: signatures are fixed (the local stack builds against them); the body is
//! being written in the Lambda issue.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::ports::{Notifier, RecordStore};

/// Clock in epoch milliseconds.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;
/// Source of random values in 1..=100.
pub type RandomSource = Arc<dyn Fn() -> u8 + Send + Sync>;

/// What the handler needs: the two ports, a clock and a random source (injected so
/// tests are deterministic), and how many records of a batch run at once.
pub struct Deps<S, N> {
    pub store: S,
    pub notifier: N,
    pub clock: Clock,
    pub random: RandomSource,
    pub concurrency: usize,
}

/// The invocation as a whole failed: the queue redelivers the whole batch.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("record {index} of the batch has no messageId; failing the whole batch so SQS redelivers it")]
    MissingMessageId { index: usize },
}

/// Processes every record of `event`; returns only the failed message ids.
pub async fn handle_batch<S: RecordStore, N: Notifier>(
    deps: &Deps<S, N>,
    event: SqsEvent,
) -> Result<SqsBatchResponse, BatchError> {
    let _ = (deps, event);
    unimplemented!("written in the Lambda issue")
}
