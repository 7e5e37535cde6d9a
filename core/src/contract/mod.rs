//! The contract every component shares, each constant defined once: the request body's
//! fields ([`request`]), the limits ([`limits`]), the API's answers ([`responses`]) and
//! the security headers on them ([`security_headers`]), what travels on the queue
//! besides the body ([`queue`]), the `Idempotency-Key` header ([`idempotency`]), the
//! Lambda's environment variables ([`function_environment`]), the metrics both stacks
//! emit ([`metrics`]) and the routing rules' caps ([`rules`]).
//!
//! The handler, the local gateway and, through the Wasm module's `contract()`, the test
//! page and the Pulumi program read them from here; none of them retypes one.

pub mod function_environment;
pub mod idempotency;
pub mod limits;
pub mod metrics;
pub mod queue;
pub mod request;
pub mod responses;
pub mod rules;
pub mod security_headers;

pub use idempotency::{
    DEDUPE_EXPIRES_AT_ATTRIBUTE, IDEMPOTENCY_KEY_ALPHABET, IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENCY_TABLE_SUFFIX, MAX_IDEMPOTENCY_KEY_CHARS, NOTIFICATION_DEDUPE_SECONDS,
};
pub use limits::{
    DYNAMODB_MAX_EXPONENT, DYNAMODB_MAX_NUMBER_DIGITS, DYNAMODB_MIN_EXPONENT, MAX_BODY_BYTES,
    MAX_BODY_PREVIEW_CHARS, MAX_DEPTH, MAX_ERROR_PATH_BYTES, MAX_LISTED_ERRORS,
    MAX_NOTIFICATION_DATA_BYTES, MAX_SUBJECT_CHARS,
};
pub use queue::{
    redriven_idempotency_key, DLQ_SUFFIX, IDEMPOTENCY_KEY_ATTRIBUTE, REQUEST_ID_ATTRIBUTE,
    SOURCE_VPCE_ATTRIBUTE,
};
pub use request::{
    field_names, FieldKind, FieldSpec, DATA, INSERT, REQUEST_FIELDS, STORE_INSERT_VALUE,
};
pub use responses::Answer;
pub use security_headers::SecurityHeaders;
