//! In-memory [`DedupeStore`] for handler tests: the markers in a map, with the same
//! claim rule as the real adapters, and outages of each call on demand.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Claim, Claimed, DedupeError, DedupeStore, Marker, MarkerStatus};

/// A marker as stored, with its times (epoch milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMarker {
    pub marker: Marker,
    pub in_progress_until_ms: i64,
    pub expires_at_ms: i64,
}

impl StoredMarker {
    /// Whether it still holds its key at `now_ms` (the claim rule every adapter applies).
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.expires_at_ms >= now_ms
            && (self.marker.status == MarkerStatus::Completed
                || self.in_progress_until_ms >= now_ms)
    }
}

/// How many of the next calls of each kind fail.
#[derive(Debug, Default)]
struct Outages {
    claims: usize,
    completes: usize,
    releases: usize,
}

#[derive(Debug, Default)]
pub struct MemoryDedupe {
    markers: Mutex<HashMap<String, StoredMarker>>,
    outages: Mutex<Outages>,
}

impl MemoryDedupe {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next `count` claims fail.
    pub fn fail_next_claims(&self, count: usize) {
        self.outages.lock().unwrap().claims = count;
    }

    /// The next `count` completes fail (after a publish: the at-least-once case).
    pub fn fail_next_completes(&self, count: usize) {
        self.outages.lock().unwrap().completes = count;
    }

    /// The next `count` releases fail.
    pub fn fail_next_releases(&self, count: usize) {
        self.outages.lock().unwrap().releases = count;
    }

    pub fn get(&self, key: &str) -> Option<StoredMarker> {
        self.markers.lock().unwrap().get(key).cloned()
    }

    /// Puts a marker as another delivery would have left it.
    pub fn insert(&self, key: &str, stored: StoredMarker) {
        self.markers.lock().unwrap().insert(key.to_owned(), stored);
    }

    fn outage(&self, which: fn(&mut Outages) -> &mut usize, call: &str) -> Result<(), DedupeError> {
        let mut outages = self.outages.lock().unwrap();
        let left = which(&mut outages);
        if *left > 0 {
            *left -= 1;
            return Err(DedupeError::new(format!("injected dedupe {call} failure")));
        }
        Ok(())
    }
}

impl DedupeStore for MemoryDedupe {
    async fn claim(&self, claim: &Claim) -> Result<Claimed, DedupeError> {
        self.outage(|o| &mut o.claims, "claim")?;
        let mut markers = self.markers.lock().unwrap();
        if let Some(existing) = markers.get(&claim.key) {
            if existing.is_live(claim.now_ms) {
                return Ok(Claimed::Held(existing.marker.clone()));
            }
        }
        markers.insert(
            claim.key.clone(),
            StoredMarker {
                marker: Marker {
                    status: MarkerStatus::InProgress,
                    message_id: claim.message_id.clone(),
                    body_sha256: claim.body_sha256.clone(),
                },
                in_progress_until_ms: claim.in_progress_until_ms,
                expires_at_ms: claim.expires_at_ms,
            },
        );
        Ok(Claimed::Claimed)
    }

    async fn complete(
        &self,
        key: &str,
        message_id: &str,
        expires_at_ms: i64,
    ) -> Result<bool, DedupeError> {
        self.outage(|o| &mut o.completes, "complete")?;
        let mut markers = self.markers.lock().unwrap();
        match markers.get_mut(key) {
            Some(stored)
                if stored.marker.message_id == message_id
                    && stored.marker.status == MarkerStatus::InProgress =>
            {
                stored.marker.status = MarkerStatus::Completed;
                stored.expires_at_ms = expires_at_ms;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn release(&self, key: &str, message_id: &str) -> Result<(), DedupeError> {
        self.outage(|o| &mut o.releases, "release")?;
        let mut markers = self.markers.lock().unwrap();
        let ours = markers.get(key).is_some_and(|stored| {
            stored.marker.message_id == message_id
                && stored.marker.status == MarkerStatus::InProgress
        });
        if ours {
            markers.remove(key);
        }
        Ok(())
    }
}
