//! The API's answers: the status and `message` of each, the same from the cloud API
//! (its mapping templates and gateway responses) and the local gateway. Every text either
//! stack answers with is here; the answers only one of them gives are grouped at the end
//! ("the cloud's own", "the local stack's own"), since their causes exist only there.
//!
//! Every answer is JSON. 200: `{"message", "requestId", "messageId", "recordId"}` (the
//! record's id: the `Idempotency-Key`, or the message id without one). Any other:
//! `{"message", "errors": ["<JSON pointer>: <reason>", ...]}`, with `requestId` where the
//! request got one (an answer from an integration).

use serde::Serialize;

use super::limits::MAX_BODY_BYTES;

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

/// The body is over [`MAX_BODY_BYTES`].
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

/// A request the contract names no answer for (a status the framework chose).
pub const REFUSED: Answer = Answer {
    status: 400,
    message: "The request was refused",
};

/// The one error line of a 413 where the body's size is not known (the cloud's: API
/// Gateway and SQS refuse a body without saying its length).
pub fn over_the_limit_error() -> String {
    format!(
        "/: body is over the limit of {MAX_BODY_BYTES} bytes ({} KiB, the SQS message size limit)",
        MAX_BODY_BYTES / 1024
    )
}

// The cloud's own answers: API Gateway refusing or an integration failing.

/// 429: the stage's throttle, or DynamoDB's, refused the request; the same request may be
/// sent again later.
pub const TOO_MANY_REQUESTS: Answer = Answer {
    status: 429,
    message: "Too many requests; send it again later.",
};

/// 502: DynamoDB failed to answer `GET /messages/{id}` (access, table, or a 5xx).
pub const RECORD_NOT_READ: Answer = Answer {
    status: 502,
    message: "The record could not be read.",
};

/// 502: the page's bucket failed to answer.
pub const PAGE_NOT_READ: Answer = Answer {
    status: 502,
    message: "The page could not be read.",
};

// The local stack's own answers: its server's limits and checks.

/// 400: a query or path parameter is wrong; `errors` are `/<name>: <reason>` lines.
pub const INVALID_PARAMETERS: Answer = Answer {
    status: 400,
    message: "Invalid request parameters",
};

/// 405: the path exists, the method does not; `errors` name the allowed ones.
pub const METHOD_NOT_ALLOWED: Answer = Answer {
    status: 405,
    message: "Method not allowed",
};

/// 408: the body did not arrive within the server's body timeout.
pub const REQUEST_TIMEOUT: Answer = Answer {
    status: 408,
    message: "Request timeout",
};

/// 421: the request named a host this server does not serve (DNS rebinding).
pub const MISDIRECTED: Answer = Answer {
    status: 421,
    message: "Misdirected request",
};

/// 503 + `Retry-After`: the server is at a limit (connections, body bytes in memory);
/// nothing was accepted.
pub const BUSY: Answer = Answer {
    status: 503,
    message: "The server is busy; nothing was accepted, send it again after Retry-After seconds",
};

/// 500: a read failed; the cause is in the log, never in the answer.
pub const INTERNAL_ERROR: Answer = Answer {
    status: 500,
    message: "Internal error",
};
