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
/// mapping template cannot check it; the handler's core does). Absent without a key.
pub const IDEMPOTENCY_KEY_ATTRIBUTE: &str = "idempotencyKey";

/// The dead-letter queue's name is the queue's name with this suffix.
// Defined in stack_config (the stack settings check that the DLQ name fits SQS's 80
// characters) until the stack-settings rework lands; the definition moves here then.
pub use crate::stack_config::DLQ_SUFFIX;
