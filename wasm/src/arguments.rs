//! Arguments as a JavaScript caller holds them (every number an `f64`), checked into the
//! core's types. The core takes integers; only this crate meets JavaScript numbers.

use private_ingest_core::{RandomValue, RecordError};

/// A random value from a JavaScript number: whole and in 1..=100.
pub fn random_value(value: f64) -> Result<RandomValue, RecordError> {
    let in_range = value.fract() == 0.0
        && (f64::from(RandomValue::MIN)..=f64::from(RandomValue::MAX)).contains(&value);
    if in_range {
        RandomValue::new(value as u8)
    } else {
        Err(RecordError::RandomValueOutOfRange(value.to_string()))
    }
}

/// Epoch milliseconds from a JavaScript number: whole, finite and non-negative.
pub fn epoch_millis(ms: f64) -> Result<i64, RecordError> {
    // 2^53: the largest whole number a JavaScript number holds exactly.
    const MAX_SAFE: f64 = 9_007_199_254_740_992.0;
    if ms.is_finite() && ms.fract() == 0.0 && (0.0..MAX_SAFE).contains(&ms) {
        Ok(ms as i64)
    } else {
        Err(RecordError::TimeOutOfRange(ms.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_must_be_whole_and_in_range() {
        assert_eq!(random_value(42.0).map(RandomValue::get), Ok(42));
        assert!(random_value(1.5).is_err());
        assert!(random_value(0.0).is_err());
        assert!(random_value(101.0).is_err());
        assert_eq!(
            random_value(f64::NAN).unwrap_err().to_string(),
            "randomValue: NaN is not a whole number from 1 to 100"
        );
    }

    #[test]
    fn rejects_fractional_and_negative_js_numbers() {
        assert_eq!(epoch_millis(5.0), Ok(5));
        assert!(epoch_millis(5.5).is_err());
        assert!(epoch_millis(-1.0).is_err());
        assert!(epoch_millis(f64::NAN).is_err());
    }
}
