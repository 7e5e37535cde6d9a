//! Limits of the contract, each tied to the service limit behind it.

/// Largest request body accepted: 256 KiB. Every service a body meets afterwards takes
/// it whole:
/// - SQS: 256 KiB was its message limit; it has accepted 1 MiB since August 2025, but the
///   queue is created with `maxMessageSize` equal to this constant (pulumi/), so both stay
///   one number;
/// - SNS: a message is at most 256 KB, and a notification quotes at most
///   [`MAX_NOTIFICATION_DATA_BYTES`] of `data`, so any body's notification fits;
/// - DynamoDB: an item is at most 400 KB; the record built from a 256 KiB body (the body's
///   `data` plus about 300 bytes of other attributes) fits with room to spare.
///
/// Raising it past 256 KiB would need a claim check (the body in S3, its key in the
/// item and the notification) for records over 400 KB; no caller of the original
/// pattern needs that, so the limit stays.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Deepest JSON nesting accepted (the top-level object is depth 1). Bounds the work and
/// the stack of every parser downstream, and stays well under DynamoDB's 32-level limit
/// for nested attributes once the record wraps `data` (which is depth 2 of the body).
pub const MAX_DEPTH: usize = 32;

/// How many problems one answer lists: the first 20, then `… and M more`. A real body has
/// two fields, so a client that meant to send something valid always sees all of its
/// problems; past that the list only grows with hostile input (a 256 KiB body of 33,000
/// unknown keys once made a 1.8 MB 400). With paths cut at [`MAX_ERROR_PATH_BYTES`], a 400
/// stays under about 12 KB.
pub const MAX_LISTED_ERRORS: usize = 20;

/// Longest JSON pointer an error line quotes; a longer one (a 100 KB key) is cut with `…`.
pub const MAX_ERROR_PATH_BYTES: usize = 256;

/// DynamoDB numbers: at most 38 significant digits, magnitude from 1E-130 to
/// 9.99...E+125 (the exponent of the first significant digit is -130 to 125).
pub const DYNAMODB_MAX_NUMBER_DIGITS: usize = 38;
pub const DYNAMODB_MIN_EXPONENT: i64 = -130;
pub const DYNAMODB_MAX_EXPONENT: i64 = 125;

/// SNS subjects: at most 100 printable ASCII characters, no line breaks.
pub const MAX_SUBJECT_CHARS: usize = 100;

/// How much of `data` a notification's text carries before it is summarised. SNS
/// messages are limited to 256 KB, and a body may itself be 256 KiB, so the caller's
/// payload cannot always be quoted whole in a notification.
pub const MAX_NOTIFICATION_DATA_BYTES: usize = 64 * 1024;

/// How much of a rejected body a "rejected" notification quotes.
pub const MAX_BODY_PREVIEW_CHARS: usize = 512;
