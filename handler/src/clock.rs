//! The handler's clock: epoch milliseconds, injected so tests are deterministic.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Clock in epoch milliseconds.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock. A clock set before 1970 reads 0; one past `i64::MAX` milliseconds
/// saturates (the core then refuses the time, and the message is retried).
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

/// A clock that always reads `now_ms`.
pub fn fixed_clock(now_ms: i64) -> Clock {
    Arc::new(move || now_ms)
}
