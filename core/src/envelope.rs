//! What the queue says about a message besides its body, and the stamp every record and
//! notification carries from it.

use serde::{Deserialize, Serialize};

use crate::record::RecordError;
use crate::time::format_millis;

/// What the queue says about a message, besides its body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The queue's message id: the record key, so a redelivery cannot make a second record.
    pub message_id: String,
    /// When the queue received the message (SQS `SentTimestamp`), epoch milliseconds.
    pub received_at_ms: Option<i64>,
    /// The API request id (message attribute `requestId`).
    pub request_id: Option<String>,
    /// The VPC endpoint the request came through (message attribute `sourceVpce`).
    pub source_vpce: Option<String>,
    /// The caller's `Idempotency-Key` as it travelled (message attribute
    /// `idempotencyKey`), not yet checked: [`crate::plan`] checks it.
    pub idempotency_key: Option<String>,
}

/// The fields a record and a notification both carry about their message, checked once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub message_id: String,
    /// Processing time, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// Queue receive time, RFC 3339 UTC with milliseconds.
    pub received_at: Option<String>,
    pub request_id: Option<String>,
    pub source_vpce: Option<String>,
}

impl Envelope {
    pub fn new(message_id: impl Into<String>) -> Self {
        Self {
            message_id: message_id.into(),
            ..Self::default()
        }
    }

    /// The stamp of a message processed at `now_ms`. Refuses an empty message id and a
    /// time that cannot be formatted: both are the caller's bug, never the message's.
    pub fn stamp(&self, now_ms: i64) -> Result<Stamp, RecordError> {
        if self.message_id.is_empty() {
            return Err(RecordError::EmptyMessageId);
        }
        let timestamp =
            format_millis(now_ms).ok_or_else(|| RecordError::TimeOutOfRange(now_ms.to_string()))?;
        Ok(Stamp {
            message_id: self.message_id.clone(),
            timestamp,
            // Informational only: a receive time out of range is left out, not an error.
            received_at: self.received_at_ms.and_then(format_millis),
            request_id: self.request_id.clone(),
            source_vpce: self.source_vpce.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_the_ids_and_both_times() {
        let envelope = Envelope {
            message_id: "m-1".into(),
            received_at_ms: Some(1_700_000_000_000),
            request_id: Some("r-1".into()),
            source_vpce: Some("vpce-1".into()),
            idempotency_key: None,
        };
        assert_eq!(
            envelope.stamp(1_700_000_000_456).unwrap(),
            Stamp {
                message_id: "m-1".into(),
                timestamp: "2023-11-14T22:13:20.456Z".into(),
                received_at: Some("2023-11-14T22:13:20.000Z".into()),
                request_id: Some("r-1".into()),
                source_vpce: Some("vpce-1".into()),
            }
        );
    }

    #[test]
    fn refuses_an_empty_id_and_an_unformattable_time() {
        assert_eq!(Envelope::new("").stamp(0), Err(RecordError::EmptyMessageId));
        assert_eq!(
            Envelope::new("m").stamp(i64::MAX),
            Err(RecordError::TimeOutOfRange(i64::MAX.to_string()))
        );
    }
}
