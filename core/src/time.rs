//! Timestamps: milliseconds since the Unix epoch in, RFC 3339 UTC with milliseconds out.

use chrono::{DateTime, SecondsFormat};

/// Formats epoch milliseconds as `2024-01-02T03:04:05.678Z`; `None` when out of range.
pub fn format_millis(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Epoch milliseconds from a JavaScript number: a whole, finite, non-negative value.
pub fn millis_from_f64(ms: f64) -> Option<i64> {
    // 2^53: the largest whole number a JavaScript number holds exactly.
    const MAX_SAFE: f64 = 9_007_199_254_740_992.0;
    (ms.is_finite() && ms.fract() == 0.0 && (0.0..MAX_SAFE).contains(&ms)).then_some(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        assert_eq!(
            format_millis(1_700_000_000_123).as_deref(),
            Some("2023-11-14T22:13:20.123Z")
        );
        assert_eq!(
            format_millis(0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
    }

    #[test]
    fn rejects_fractional_and_negative_js_numbers() {
        assert_eq!(millis_from_f64(5.0), Some(5));
        assert_eq!(millis_from_f64(5.5), None);
        assert_eq!(millis_from_f64(-1.0), None);
        assert_eq!(millis_from_f64(f64::NAN), None);
    }
}
