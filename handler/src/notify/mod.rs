//! The notify route's port: [`Notifier`], which publishes a notification (the notify
//! route's, or the alert about a rejected body), with its adapters: [`sns`] (feature
//! `aws`) and [`memory`] (tests). An adapter maps its own errors onto [`NotifyError`];
//! every such error is retryable (the message is reported as failed and redelivered).

pub mod memory;
#[cfg(feature = "aws")]
pub mod sns;

use std::future::Future;
use std::sync::Arc;

use private_ingest_core::Notification;

/// Where notifications go (SNS in AWS, SQLite locally).
pub trait Notifier: Send + Sync {
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send;
}

impl<T: Notifier> Notifier for Arc<T> {
    fn publish(
        &self,
        notification: &Notification,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send {
        T::publish(self, notification)
    }
}

crate::port_error::port_error!(
    /// The notifier could not publish (after the SDK's own retries).
    NotifyError,
    "notifier failed"
);
