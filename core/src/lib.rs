//! private-ingest core: the contract every other component shares.
//!
//! A functional core: no async, no I/O, no AWS or wasm-bindgen types, nothing shaped for
//! JavaScript. The clock, the random value and the queue message id come in as
//! arguments, so every function here is deterministic and the same code runs in the
//! Lambda, the local stack, the test page (WebAssembly) and the Pulumi program
//! (WebAssembly).
//!
//! Reading order: [`contract`] (the request fields, limits, answers, queue attributes,
//! the `Idempotency-Key` header) -> [`message`] (parse and validate a body, strictly:
//! [`strict_json`], [`dynamodb_number`]) -> [`idempotency`] (key rules, what makes a
//! retry the same) -> [`route`] -> [`envelope`] (what the queue says about a message) ->
//! [`record`] / [`notification`] -> [`plan`] (what the handler does with one queue
//! message) -> [`validation`] and [`schema`] (the same contract for
//! clients and as JSON Schema) -> [`stack_config`] (the Pulumi stack's settings).

pub mod contract;
pub mod dynamodb_number;
pub mod envelope;
pub mod error;
pub mod idempotency;
pub mod message;
pub mod notification;
pub mod plan;
pub mod record;
pub mod route;
pub mod rules;
pub mod schema;
pub mod stack_config;
pub mod strict_json;
pub mod time;
pub mod validation;

pub use envelope::{Envelope, Stamp};
pub use error::{ErrorCode, ErrorList, FieldError, ValidationErrors};
pub use idempotency::{body_sha256, parse_idempotency_key, Dedupe, IdempotencyKey};
pub use message::{parse_message, parse_message_str, Message};
pub use notification::{KeyClash, Notification, NotificationContent, NotificationKind};
pub use plan::{plan, plan_routed, Action, Plan};
pub use record::{build_record, RandomValue, Record, RecordError};
pub use route::{route, Route};
pub use rules::{parse_rules, parse_rules_bytes, FiredRule, Rules, RulesErrors, Severity};
pub use schema::request_schema;
pub use stack_config::{
    stack_settings, validate_stack_config, ApiAuthorization, ConfigError, ExecutionLoggingLevel,
    StackSettings,
};
pub use validation::{validate, validate_idempotency_key, Validation};
