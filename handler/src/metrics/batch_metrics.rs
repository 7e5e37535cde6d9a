//! [`BatchMetrics`]: what one batch counts toward, from its outcomes alone.

use std::time::Duration;

use crate::handler::{BatchOutcomes, Outcome};

/// The metrics of one batch (one invocation), named as `contract::metrics` names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchMetrics {
    pub stored: u64,
    pub already_stored: u64,
    pub notified: u64,
    pub already_notified: u64,
    pub rejected: u64,
    /// Messages left for the queue to redeliver (`Outcome::Failed`).
    pub item_failures: u64,
    pub batch_size: u64,
    pub batch_duration_ms: u64,
    /// Per message with a `SentTimestamp`, in batch order: how long it waited on the queue
    /// before the handler saw it. A clock behind the queue's reads as 0, not negative.
    pub message_ages_ms: Vec<u64>,
}

impl BatchMetrics {
    /// The metrics of a batch whose handling started at `started_ms` (epoch
    /// milliseconds; each message's age is measured to it) and took `duration`.
    pub fn of(outcomes: &BatchOutcomes, started_ms: i64, duration: Duration) -> Self {
        let mut m = BatchMetrics {
            batch_size: outcomes.messages.len() as u64,
            batch_duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            ..BatchMetrics::default()
        };
        for message in &outcomes.messages {
            // A message with a record and a notification (routing rules) counts toward
            // each; it is one item failure however many of its side effects failed.
            for outcome in message.outcomes().filter(|o| *o != Outcome::Failed) {
                *match outcome {
                    Outcome::Stored => &mut m.stored,
                    Outcome::AlreadyStored => &mut m.already_stored,
                    Outcome::Notified => &mut m.notified,
                    Outcome::AlreadyNotified => &mut m.already_notified,
                    Outcome::Rejected => &mut m.rejected,
                    Outcome::Failed => &mut m.item_failures,
                } += 1;
            }
            m.item_failures += u64::from(message.failed());
            if let Some(sent_at_ms) = message.sent_at_ms {
                let age = started_ms.saturating_sub(sent_at_ms).max(0);
                m.message_ages_ms.push(u64::try_from(age).unwrap_or(0));
            }
        }
        m
    }

    /// Messages that reached an outcome (everything but the item failures).
    pub fn processed(&self) -> u64 {
        self.stored + self.already_stored + self.notified + self.already_notified + self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::MessageOutcome;

    fn message(id: &str, outcome: Outcome, sent_at_ms: Option<i64>) -> MessageOutcome {
        MessageOutcome {
            message_id: id.into(),
            outcome,
            notification_outcome: None,
            sent_at_ms,
        }
    }

    #[test]
    fn counts_each_outcome_and_ages_every_message_with_a_sent_time() {
        let outcomes = BatchOutcomes {
            messages: vec![
                message("a", Outcome::Stored, Some(1_000)),
                message("b", Outcome::Stored, Some(1_500)),
                message("c", Outcome::AlreadyStored, Some(900)),
                message("d", Outcome::Notified, None),
                message("e", Outcome::Rejected, Some(2_000)),
                message("f", Outcome::Failed, Some(2_100)),
                message("g", Outcome::AlreadyNotified, Some(1_900)),
            ],
        };
        let m = BatchMetrics::of(&outcomes, 2_000, Duration::from_micros(12_700));
        assert_eq!(
            m,
            BatchMetrics {
                stored: 2,
                already_stored: 1,
                notified: 1,
                already_notified: 1,
                rejected: 1,
                item_failures: 1,
                batch_size: 7,
                batch_duration_ms: 12,
                // "f" was sent after the handler's clock read: 0, not -100.
                message_ages_ms: vec![1_000, 500, 1_100, 0, 0, 100],
            }
        );
        assert_eq!(m.processed(), 6);
    }

    #[test]
    fn an_empty_batch_counts_nothing() {
        let m = BatchMetrics::of(&BatchOutcomes::default(), 0, Duration::ZERO);
        assert_eq!(m, BatchMetrics::default());
    }
}
