//! The API's answers: the status and `message` of each, the same from the cloud API
//! (its mapping templates and gateway responses) and the local gateway.
//!
//! Every answer is JSON. 200: `{"message", "requestId", "messageId", "recordId"}` (the
//! record's id: the `Idempotency-Key`, or the message id without one). Any other:
//! `{"message", "errors": ["<JSON pointer>: <reason>", ...]}`, with `requestId` where the
//! request got one (an answer from the queue integration).

use serde::Serialize;

/// One answer of the API: its HTTP status and its `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub status: u16,
    pub message: &'static str,
}

/// The message is on the queue (and will be processed).
pub const SENT: Answer = Answer {
    status: 200,
    message: "Message sent successfully.",
};

/// The body broke the contract; `errors` name each field and why.
pub const INVALID_BODY: Answer = Answer {
    status: 400,
    message: "Invalid request body",
};

/// The body is over [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES).
pub const TOO_LARGE: Answer = Answer {
    status: 413,
    message: "Request body too large",
};

/// The body is not declared as JSON; `errors` is [`CONTENT_TYPE_ERROR`].
pub const UNSUPPORTED_MEDIA_TYPE: Answer = Answer {
    status: 415,
    message: "Unsupported media type",
};

/// The one error line of a 415.
pub const CONTENT_TYPE_ERROR: &str = "/: Content-Type must be application/json";

/// The queue did not take the message: it was not accepted, and the caller must send it
/// again. 503 (the service cannot take it now; retry) rather than 502: the caller's
/// request was fine and a retry is the remedy, which is what 503 says and what HTTP
/// clients' retry policies act on; API Gateway keeps 502 and 504 for its own failures,
/// so this answer stays distinguishable from them.
pub const NOT_QUEUED: Answer = Answer {
    status: 503,
    message: "The message could not be queued; it was not accepted, send it again.",
};

/// No record with this id, or no such route.
pub const NOT_FOUND: Answer = Answer {
    status: 404,
    message: "Not found",
};
