//! The store route's port: [`RecordStore`], a conditional put keyed by the record's `id`
//! (the message id, or the caller's `Idempotency-Key`), with its adapters: [`dynamodb`]
//! (feature `aws`) and [`memory`] (tests). A put that finds a record there reports who
//! wrote it, so the handler can tell a retry from a reused key. An adapter maps its own
//! errors onto [`StoreError`]; every such error is retryable (the handler reports the
//! message as failed, so the queue redelivers it).

#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod memory;

use std::future::Future;
use std::sync::Arc;

use private_ingest_core::Record;

/// What a conditional put did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutIfAbsent {
    /// The record was written.
    Stored,
    /// A record with this `id` was already there: nothing was written. Who wrote it
    /// decides whether this is a retry (see `private_ingest_core::idempotency::is_retry`).
    Exists(ExistingRecord),
}

/// Who wrote the record a put found (its `message_id` and `body_sha256`, which only a
/// keyed record has). Read in the same call as the put.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExistingRecord {
    pub message_id: Option<String>,
    pub body_sha256: Option<String>,
}

impl ExistingRecord {
    pub fn of(record: &Record) -> Self {
        Self {
            message_id: record.message_id.clone(),
            body_sha256: record.body_sha256.clone(),
        }
    }
}

/// Where store-route records go (DynamoDB in AWS, SQLite locally).
pub trait RecordStore: Send + Sync {
    /// Writes `record` unless a record with the same `id` exists.
    fn put_if_absent(
        &self,
        record: &Record,
    ) -> impl Future<Output = Result<PutIfAbsent, StoreError>> + Send;
}

/// A shared store is a store (the local stack shares one between its poller and its
/// gateway).
impl<T: RecordStore> RecordStore for Arc<T> {
    fn put_if_absent(
        &self,
        record: &Record,
    ) -> impl Future<Output = Result<PutIfAbsent, StoreError>> + Send {
        T::put_if_absent(self, record)
    }
}

crate::port_error::port_error!(
    /// The store could not take the record (after the SDK's own retries).
    StoreError,
    "record store failed"
);
