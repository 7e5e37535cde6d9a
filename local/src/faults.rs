//! TESTING ONLY: failures injected into the local store and notifier on purpose, so the
//! queue's redelivery and dead-lettering can be exercised end to end (`--fail-rate`,
//! `--fail-first-attempts`). Both are off unless a flag turns them on.
//!
//! The random failures come from a generator seeded by `--fail-seed` (or a random seed
//! the stack logs at start), so a run's sequence of injected failures can be replayed.
//! Which message meets which failure still depends on the order the attempts come in.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug)]
pub struct Faults {
    rate: f64,
    first_attempts: u32,
    seed: u64,
    random: Mutex<StdRng>,
    attempts: Mutex<HashMap<String, u32>>,
}

impl Faults {
    /// `rate`: fraction of attempts that fail at random, drawn from a generator seeded
    /// with `seed`; `first_attempts`: how many attempts of each message id fail before
    /// one may succeed.
    pub fn new(rate: f64, first_attempts: u32, seed: u64) -> Self {
        Self {
            rate,
            first_attempts,
            seed,
            random: Mutex::new(StdRng::seed_from_u64(seed)),
            attempts: Mutex::default(),
        }
    }

    pub fn none() -> Self {
        Self::new(0.0, 0, 0)
    }

    /// The seed of the random failures (log it: it replays the run's failures).
    pub fn seed(&self) -> u64 {
        self.seed
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
        self.rate > 0.0
            && self
                .random
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .random::<f64>()
                < self.rate
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
        let f = Faults::new(0.0, 2, 7);
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
        assert!((0..100).all(|_| Faults::new(1.0, 0, 7).should_fail("m")));
        let f = Faults::new(0.5, 0, 7);
        let failed = (0..1000).filter(|_| f.should_fail("m")).count();
        // Binomial(1000, 0.5): outside 350..650 has probability far below 1e-20.
        assert!((350..650).contains(&failed), "{failed} of 1000 failed");
    }

    #[test]
    fn the_same_seed_replays_the_same_failures() {
        let run = |seed| {
            let f = Faults::new(0.35, 0, seed);
            (0..200).map(|_| f.should_fail("m")).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43), "another seed, other failures");
    }
}
