//! Repeated log lines, rate-limited. When the disk is full every request and every
//! commit fails the same way; logging each one wrote 49 MB of identical ERROR lines in
//! 10 s. Each call site that can repeat owns a [`Throttle`]: the first line of every
//! interval is logged, the rest are counted, and the next logged line says how many
//! were suppressed (field `suppressed`).
//!
//! ```
//! use std::time::Duration;
//! use private_ingest_local::log_throttle::Throttle;
//!
//! static COMMIT_FAILED: Throttle = Throttle::new(Duration::from_secs(10));
//! if let Some(suppressed) = COMMIT_FAILED.admit() {
//!     tracing::error!(suppressed, "could not commit a write transaction");
//! }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How often a repeating line is logged at most, unless a site says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// One call site's rate limit; lock-free, usable from any thread as a `static`.
#[derive(Debug)]
pub struct Throttle {
    interval_ms: u64,
    /// Milliseconds on [`monotonic_ms`]'s clock before which lines are only counted.
    next_at_ms: AtomicU64,
    suppressed: AtomicU64,
}

impl Throttle {
    pub const fn new(interval: Duration) -> Self {
        Self {
            interval_ms: interval.as_millis() as u64,
            next_at_ms: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(n)` when this line is to be logged, `n` being the lines suppressed since
    /// the last one logged; `None` when it is to be dropped (and counted).
    pub fn admit(&self) -> Option<u64> {
        self.admit_at(monotonic_ms())
    }

    fn admit_at(&self, now_ms: u64) -> Option<u64> {
        let next = self.next_at_ms.load(Ordering::Acquire);
        if now_ms >= next
            && self
                .next_at_ms
                .compare_exchange(
                    next,
                    now_ms.saturating_add(self.interval_ms),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::AcqRel));
        }
        self.suppressed.fetch_add(1, Ordering::AcqRel);
        None
    }

    /// Lines suppressed since the last one logged, taken (for a closing summary).
    pub fn take_suppressed(&self) -> u64 {
        self.suppressed.swap(0, Ordering::AcqRel)
    }
}

/// Milliseconds since the first call in this process; never 0, so a fresh throttle
/// (next_at 0) always admits its first line.
fn monotonic_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_of_each_interval_is_logged_and_the_rest_counted() {
        let t = Throttle::new(Duration::from_secs(10));
        assert_eq!(t.admit_at(1), Some(0));
        assert_eq!(t.admit_at(2), None);
        assert_eq!(t.admit_at(9_999), None);
        assert_eq!(t.admit_at(10_000), None);
        assert_eq!(t.admit_at(10_001), Some(3), "three were suppressed");
        assert_eq!(t.admit_at(10_002), None);
        assert_eq!(t.take_suppressed(), 1);
        assert_eq!(t.admit_at(30_000), Some(0));
    }

    #[test]
    fn a_flood_from_many_threads_logs_once_and_counts_every_other_line() {
        static T: Throttle = Throttle::new(Duration::from_secs(3_600));
        let admitted: u64 = std::thread::scope(|s| {
            let workers: Vec<_> = (0..8)
                .map(|_| s.spawn(|| (0..10_000).filter(|_| T.admit().is_some()).count()))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap() as u64).sum()
        });
        assert_eq!(admitted, 1);
        assert_eq!(T.take_suppressed(), 80_000 - 1);
    }
}
