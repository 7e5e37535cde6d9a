//! The two side effects a message can have, as small traits. Adapters map their own
//! errors onto [`StoreError`] / [`NotifyError`]; every such error is retryable (the
//! handler reports the item as failed so the queue redelivers it).

use std::future::Future;
use std::sync::Arc;

use private_ingest_core::{Notification, Record};

/// Outcome of a conditional put keyed by `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The record was written.
    Inserted,
    /// A record with this `id` was already there (a redelivery): nothing was written.
    AlreadyExists,
}

/// Where store-route records go (DynamoDB in AWS, SQLite locally).
pub trait RecordStore: Send + Sync {
    /// Writes `record` unless a record with the same `id` exists.
    fn put_if_absent(
        &self,
        record: &Record,
    ) -> impl Future<Output = Result<PutOutcome, StoreError>> + Send;
}

/// Where notifications go (SNS in AWS, SQLite locally).
pub trait Notifier: Send + Sync {
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send;
}

/// A shared store is a store (the local stack shares one between its poller and its
/// gateway).
impl<T: RecordStore> RecordStore for Arc<T> {
    fn put_if_absent(
        &self,
        record: &Record,
    ) -> impl Future<Output = Result<PutOutcome, StoreError>> + Send {
        T::put_if_absent(self, record)
    }
}

impl<T: Notifier> Notifier for Arc<T> {
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send {
        T::publish(self, notification)
    }
}

/// The store could not take the record (after the SDK's own retries).
#[derive(Debug, thiserror::Error)]
#[error("record store failed: {message}")]
pub struct StoreError {
    pub message: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The notifier could not publish (after the SDK's own retries).
#[derive(Debug, thiserror::Error)]
#[error("notifier failed: {message}")]
pub struct NotifyError {
    pub message: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Both port errors are built the same way: a message, and the cause when there is one.
macro_rules! port_error_constructors {
    ($($error:ident),*) => {$(
        impl $error {
            pub fn new(message: impl Into<String>) -> Self {
                Self {
                    message: message.into(),
                    source: None,
                }
            }

            pub fn with_source(
                message: impl Into<String>,
                source: impl std::error::Error + Send + Sync + 'static,
            ) -> Self {
                Self {
                    message: message.into(),
                    source: Some(Box::new(source)),
                }
            }
        }
    )*};
}

port_error_constructors!(StoreError, NotifyError);
