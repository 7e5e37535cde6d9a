//! In-memory [`RecordStore`] for handler tests. It can play an outage (see
//! [`crate::memory_faults`]), be slowed down, and reports how many puts ran at once, so
//! tests can check the handler's concurrency bound.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use private_ingest_core::Record;

use super::{ExistingRecord, PutIfAbsent, RecordStore, StoreError};
use crate::memory_faults::MemoryFaults;

/// A conditional-put store over a map keyed by record id.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<String, Record>>,
    faults: Mutex<MemoryFaults>,
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
    async fn put_if_absent(&self, record: &Record) -> Result<PutIfAbsent, StoreError> {
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
        if let Some(existing) = records.get(&record.id) {
            return Ok(PutIfAbsent::Exists(ExistingRecord::of(existing)));
        }
        records.insert(record.id.clone(), record.clone());
        Ok(PutIfAbsent::Stored)
    }
}
