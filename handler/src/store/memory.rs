//! In-memory [`RecordStore`] and [`Notifier`] for handler tests. Both can play an outage:
//! fail every call for chosen message ids, or fail the next N calls (a transient error
//! that a redelivery gets past). The store can also be slowed down and reports how many
//! puts ran at once, so tests can check the handler's concurrency bound.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use private_ingest_core::{Notification, Record};

use crate::ports::{Notifier, NotifyError, PutOutcome, RecordStore, StoreError};

/// Which calls fail: every call for an id in `ids`, and the next `next` calls.
#[derive(Debug, Default)]
struct Faults {
    ids: HashSet<String>,
    next: usize,
}

impl Faults {
    fn take(&mut self, message_id: &str) -> bool {
        if self.ids.contains(message_id) {
            return true;
        }
        let fail = self.next > 0;
        self.next = self.next.saturating_sub(1);
        fail
    }
}

/// A conditional-put store over a map keyed by record id.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<String, Record>>,
    faults: Mutex<Faults>,
    attempts: AtomicUsize,
    delay: Option<Duration>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every put of the record with this id fails.
    pub fn failing_for(self, message_id: impl Into<String>) -> Self {
        self.faults.lock().unwrap().ids.insert(message_id.into());
        self
    }

    /// Each put takes `delay` (so puts of one batch overlap).
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The next `count` puts fail, whatever their id.
    pub fn fail_next(&self, count: usize) {
        self.faults.lock().unwrap().next = count;
    }

    /// The stored records, by id.
    pub fn records(&self) -> Vec<Record> {
        self.records.lock().unwrap().values().cloned().collect()
    }

    pub fn get(&self, id: &str) -> Option<Record> {
        self.records.lock().unwrap().get(id).cloned()
    }

    /// How many puts were attempted, failed ones included.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }

    /// The most puts that were running at the same moment.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

impl RecordStore for MemoryStore {
    async fn put_if_absent(&self, record: &Record) -> Result<PutOutcome, StoreError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.faults.lock().unwrap().take(&record.id) {
            return Err(StoreError::new(format!(
                "injected store failure for {}",
                record.id
            )));
        }
        let mut records = self.records.lock().unwrap();
        if records.contains_key(&record.id) {
            return Ok(PutOutcome::AlreadyExists);
        }
        records.insert(record.id.clone(), record.clone());
        Ok(PutOutcome::Inserted)
    }
}

/// A notifier that keeps what it published, in order.
#[derive(Debug, Default)]
pub struct MemoryNotifier {
    published: Mutex<Vec<Notification>>,
    faults: Mutex<Faults>,
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
