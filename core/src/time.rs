//! Timestamps: milliseconds since the Unix epoch in, RFC 3339 UTC with milliseconds out.

use chrono::{DateTime, SecondsFormat};

/// Formats epoch milliseconds as `2024-01-02T03:04:05.678Z`; `None` when out of range.
pub fn format_millis(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
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
}
