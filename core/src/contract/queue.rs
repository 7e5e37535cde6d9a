//! What travels on the queue besides the body, and the queue's names.
//!
//! The API's SQS integration (the cloud's mapping template, the local gateway) sets the
//! message attributes; the handler reads them into the core's
//! [`Envelope`](crate::Envelope).

/// Message attribute carrying the API request id (API Gateway's `$context.requestId`;
/// a UUID the local gateway makes).
pub const REQUEST_ID_ATTRIBUTE: &str = "requestId";

/// Message attribute carrying the VPC endpoint the request came through
/// (`$context.identity.vpceId`; `local` on the local stack).
pub const SOURCE_VPCE_ATTRIBUTE: &str = "sourceVpce";

/// Message attribute carrying the caller's `Idempotency-Key` header as sent (the cloud's
/// mapping template cannot check it; the handler's core does). Absent without a key. A
/// dead-letter redrive sets it too: see [`redriven_idempotency_key`].
pub const IDEMPOTENCY_KEY_ATTRIBUTE: &str = "idempotencyKey";

/// The [`IDEMPOTENCY_KEY_ATTRIBUTE`] a redriven message carries: its own key, or else the
/// message id it had when it was first sent.
///
/// A redrive queues each dead letter as a new message with a new message id (SQS's
/// `StartMessageMoveTask` does; so do the CLI's receive -> send -> delete and the local
/// `POST /dead-letters/redrive`, which both set this key; the move task cannot). Keyed by
/// its first id, the record is the one the first delivery would have
/// written, and a copy sent twice by an interrupted redrive (sent, then stopped before
/// the dead letter was deleted) is absorbed by the idempotent store instead of making a
/// second record.
pub fn redriven_idempotency_key<'a>(
    own_key: Option<&'a str>,
    first_message_id: &'a str,
) -> &'a str {
    own_key
        .filter(|key| !key.is_empty())
        .unwrap_or(first_message_id)
}

/// The dead-letter queue's name is the queue's name with this suffix (the stack
/// settings check that the two fit SQS's 80 characters).
pub const DLQ_SUFFIX: &str = "-dlq";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redriven_message_keeps_its_own_key_or_takes_its_first_message_id() {
        assert_eq!(redriven_idempotency_key(Some("order-7"), "m-1"), "order-7");
        assert_eq!(redriven_idempotency_key(None, "m-1"), "m-1");
        assert_eq!(redriven_idempotency_key(Some(""), "m-1"), "m-1");
    }
}
