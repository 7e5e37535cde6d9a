//! The record's random value, injected so tests are deterministic. The source gives a
//! core [`RandomValue`], so a value outside 1..=100 cannot reach the core.

use std::sync::Arc;

use private_ingest_core::RandomValue;

/// Source of random values in 1..=100.
pub type RandomSource = Arc<dyn Fn() -> RandomValue + Send + Sync>;

/// Uniform over 1..=100, from the thread-local generator.
pub fn system_random() -> RandomSource {
    Arc::new(|| RandomValue::clamped(rand::random_range(RandomValue::MIN..=RandomValue::MAX)))
}

/// A source that always gives `value`.
pub fn fixed_random(value: RandomValue) -> RandomSource {
    Arc::new(move || value)
}
