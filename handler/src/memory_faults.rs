//! Outages the in-memory adapters ([`crate::store::memory`], [`crate::notify::memory`])
//! can play: every call for chosen message ids fails, or the next N calls fail (a
//! transient error that a redelivery gets past).

use std::collections::HashSet;

/// Which calls fail: every call for an id in `ids`, and the next `next` calls.
#[derive(Debug, Default)]
pub(crate) struct MemoryFaults {
    pub(crate) ids: HashSet<String>,
    pub(crate) next: usize,
}

impl MemoryFaults {
    /// Counts a call about `message_id`; true when it must fail.
    pub(crate) fn take(&mut self, message_id: &str) -> bool {
        if self.ids.contains(message_id) {
            return true;
        }
        let fail = self.next > 0;
        self.next = self.next.saturating_sub(1);
        fail
    }
}
