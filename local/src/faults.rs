//! TESTING ONLY: failures injected into the local store and notifier on purpose, so the
//! queue's redelivery and dead-lettering can be exercised end to end (`--fail-rate`,
//! `--fail-first-attempts`). Both are off unless a flag turns them on.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

#[derive(Debug, Default)]
pub struct Faults {
    rate: f64,
    first_attempts: u32,
    attempts: Mutex<HashMap<String, u32>>,
}

impl Faults {
    /// `rate`: fraction of attempts that fail at random; `first_attempts`: how many
    /// attempts of each message id fail before one may succeed.
    pub fn new(rate: f64, first_attempts: u32) -> Self {
        Self {
            rate,
            first_attempts,
            attempts: Mutex::default(),
        }
    }

    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_active(&self) -> bool {
        self.rate > 0.0 || self.first_attempts > 0
    }

    /// Counts an attempt at `message_id`; true when this attempt must fail.
    pub fn should_fail(&self, message_id: &str) -> bool {
        if self.first_attempts > 0 {
            let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
            let seen = attempts.entry(message_id.to_owned()).or_default();
            *seen = seen.saturating_add(1);
            if *seen <= self.first_attempts {
                return true;
            }
        }
        self.rate > 0.0 && rand::random::<f64>() < self.rate
    }
}

/// The error text an injected failure carries (it shows in the logs, never over HTTP).
pub const INJECTED: &str = "injected failure (testing flag --fail-rate or --fail-first-attempts)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default() {
        let f = Faults::none();
        assert!(!f.is_active());
        assert!((0..1000).all(|_| !f.should_fail("m")));
    }

    #[test]
    fn first_attempts_fail_per_message_id() {
        let f = Faults::new(0.0, 2);
        assert_eq!(
            [
                f.should_fail("a"),
                f.should_fail("b"),
                f.should_fail("a"),
                f.should_fail("a")
            ],
            [true, true, true, false]
        );
        assert!(!f.should_fail("a"));
        assert!(f.should_fail("b"));
        assert!(!f.should_fail("b"));
    }

    #[test]
    fn rate_one_always_fails_and_a_fraction_sometimes_does() {
        assert!((0..100).all(|_| Faults::new(1.0, 0).should_fail("m")));
        let f = Faults::new(0.5, 0);
        let failed = (0..1000).filter(|_| f.should_fail("m")).count();
        // Binomial(1000, 0.5): outside 350..650 has probability far below 1e-20.
        assert!((350..650).contains(&failed), "{failed} of 1000 failed");
    }
}
