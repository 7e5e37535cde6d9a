//! The store route's port: [`RecordStore`], a conditional put keyed by the record's `id`,
//! with its adapters: [`dynamodb`] (feature `aws`) and [`memory`] (tests). An adapter maps
//! its own errors onto [`StoreError`]; every such error is retryable (the handler reports
//! the message as failed, so the queue redelivers it).

#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod memory;

use std::future::Future;
use std::sync::Arc;

use private_ingest_core::Record;

/// What a conditional put did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutIfAbsent {
    /// The record was written.
    Stored,
    /// A record with this `id` was already there (a redelivery): nothing was written.
    AlreadyStored,
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
