//! Limits of the contract, each tied to the service limit behind it.

/// Largest request body accepted: 256 KiB, the SQS message size limit. A body that
/// passes this check always fits on the queue, and the record built from it always fits
/// in a DynamoDB item (400 KB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Deepest JSON nesting accepted (the top-level object is depth 1). Bounds the work and
/// the stack of every parser downstream, and stays well under DynamoDB's 32-level limit
/// for nested attributes once the record wraps `data` (which is depth 2 of the body).
pub const MAX_DEPTH: usize = 32;

/// SNS subjects: at most 100 printable ASCII characters, no line breaks.
pub const MAX_SUBJECT_CHARS: usize = 100;

/// How much of `data` a notification's text carries before it is summarised. SNS
/// messages are limited to 256 KB, and a body may itself be 256 KiB, so the caller's
/// payload cannot always be quoted whole in a notification.
pub const MAX_NOTIFICATION_DATA_BYTES: usize = 64 * 1024;

/// How much of a rejected body a "rejected" notification quotes.
pub const MAX_BODY_PREVIEW_CHARS: usize = 512;
