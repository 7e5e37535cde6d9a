//! private-ingest core: the contract every other component shares.
//!
//! A functional core: no async, no I/O, no AWS or wasm-bindgen types. The clock, the
//! random value and the queue message id come in as arguments, so every function here is
//! deterministic and the same code runs in the Lambda, the local stack, the test page
//! (WebAssembly) and the Pulumi program (WebAssembly).
//!
//! Reading order: [`limits`] -> [`contract`] (the request fields) -> [`message`] (parse and
//! validate a body) -> [`route`] -> [`record`] / [`notification`] -> [`plan`] (what the
//! handler does with one queue message) -> [`schema`] (the same contract as JSON Schema)
//! -> [`stack_config`] (deployment settings).

pub mod contract;
pub mod error;
pub mod limits;
pub mod message;
pub mod notification;
pub mod plan;
pub mod record;
pub mod route;
pub mod schema;
pub mod stack_config;
pub mod time;
pub mod validation;

pub use error::{ErrorCode, FieldError, ValidationErrors};
pub use message::{parse_message, parse_message_str, Message};
pub use notification::{Notification, NotificationKind};
pub use plan::{plan, Action};
pub use record::{build_record, Envelope, RandomValue, Record, RecordError};
pub use route::{route, Route};
pub use schema::request_schema;
pub use stack_config::{
    stack_settings, validate_stack_config, ApiAuthorization, ConfigError, ExecutionLoggingLevel,
    StackSettings,
};
pub use validation::{record_for_body, validate, Limits, Validation, LIMITS};
