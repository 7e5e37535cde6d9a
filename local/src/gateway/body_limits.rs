//! Bounds on request bodies as a whole, across connections: how long one may take to
//! arrive, and how many body bytes all requests together may hold in memory. Without
//! them, 300 connections that each sent 1 MB of a 1 MiB body and stalled held 360 MB
//! for as long as they liked.
//!
//! A request reserves bytes before it reads them (its declared `Content-Length` at once,
//! otherwise chunk by chunk) and gives them back when it is done. A reservation that does
//! not fit is refused at once with 503 + `Retry-After`, never waited for: waiting would
//! let stalled bodies hold up good ones.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits; cheap to clone.
#[derive(Debug, Clone)]
pub struct BodyLimits {
    budget: Arc<Semaphore>,
    /// Time for a whole body to arrive.
    pub timeout: Duration,
}

/// Bytes held by one request until it is dropped.
#[derive(Debug)]
pub struct Reservation {
    budget: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
}

/// The budget had no room for a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget;

impl BodyLimits {
    /// `max_bytes_in_flight` is clamped to what a semaphore can count.
    pub fn new(max_bytes_in_flight: u64, timeout: Duration) -> Self {
        let bytes = usize::try_from(max_bytes_in_flight)
            .unwrap_or(Semaphore::MAX_PERMITS)
            .min(Semaphore::MAX_PERMITS);
        Self {
            budget: Arc::new(Semaphore::new(bytes)),
            timeout,
        }
    }

    /// An empty reservation, to grow as the body arrives.
    pub fn reservation(&self) -> Reservation {
        Reservation {
            budget: Arc::clone(&self.budget),
            held: None,
        }
    }

    /// Bytes free in the budget now.
    pub fn available(&self) -> usize {
        self.budget.available_permits()
    }
}

impl Reservation {
    /// Holds `total` bytes in all (no-op when it holds that many already).
    pub fn grow_to(&mut self, total: usize) -> Result<(), OverBudget> {
        let held = self.held();
        if total <= held {
            return Ok(());
        }
        let more = u32::try_from(total - held).map_err(|_| OverBudget)?;
        let permit = Arc::clone(&self.budget)
            .try_acquire_many_owned(more)
            .map_err(|_| OverBudget)?;
        match &mut self.held {
            Some(held) => held.merge(permit),
            None => self.held = Some(permit),
        }
        Ok(())
    }

    pub fn held(&self) -> usize {
        self.held
            .as_ref()
            .map_or(0, OwnedSemaphorePermit::num_permits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_share_the_budget_and_give_it_back_when_dropped() {
        let limits = BodyLimits::new(1 << 20, Duration::from_secs(1));
        let mut a = limits.reservation();
        a.grow_to(600 << 10).unwrap();
        a.grow_to(100).unwrap();
        assert_eq!(a.held(), 600 << 10, "growing to less keeps what is held");
        let mut b = limits.reservation();
        assert_eq!(b.grow_to(600 << 10), Err(OverBudget));
        b.grow_to(400 << 10).unwrap();
        assert_eq!(limits.available(), (1 << 20) - (1_000 << 10));
        drop(a);
        b.grow_to(1 << 20).unwrap();
        drop(b);
        assert_eq!(limits.available(), 1 << 20);
    }
}
