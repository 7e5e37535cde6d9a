//! In-memory [`Notifier`] for handler tests: keeps what it published, in order, and can
//! play an outage (see [`crate::memory_faults`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use private_ingest_core::Notification;

use super::{Notifier, NotifyError};
use crate::memory_faults::MemoryFaults;

/// A notifier that keeps what it published, in order.
#[derive(Debug, Default)]
pub struct MemoryNotifier {
    published: Mutex<Vec<Notification>>,
    faults: Mutex<MemoryFaults>,
    attempts: AtomicUsize,
}

impl MemoryNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every publish of a notification about this message id fails.
    pub fn failing_for(self, message_id: impl Into<String>) -> Self {
        self.faults.lock().unwrap().ids.insert(message_id.into());
        self
    }

    /// The next `count` publishes fail.
    pub fn fail_next(&self, count: usize) {
        self.faults.lock().unwrap().next = count;
    }

    pub fn published(&self) -> Vec<Notification> {
        self.published.lock().unwrap().clone()
    }

    /// How many publishes were attempted, failed ones included.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

impl Notifier for MemoryNotifier {
    async fn publish(&self, notification: &Notification) -> Result<(), NotifyError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.faults.lock().unwrap().take(&notification.message_id) {
            return Err(NotifyError::new(format!(
                "injected notifier failure for {}",
                notification.message_id
            )));
        }
        self.published.lock().unwrap().push(notification.clone());
        Ok(())
    }
}
