//! WebAssembly exports of `private-ingest-core`: one line of glue per export, no logic.
//! Values cross as JSON text ([`js_json`]), not through serde-wasm-bindgen, which would
//! hand serde_json's `arbitrary_precision` numbers to JavaScript as internal maps.
//! Built for `--target web` (the test page) and `--target nodejs` (Pulumi). The exports
//! only Pulumi calls (`requestSchema`, `validateStackConfig`, `stackSettings`, `limits`,
//! `checkRules`, `rulesInForce`) are behind the default feature `pulumi`, which the page's
//! build leaves off: the page downloads only what it runs (`validate`,
//! `validateIdempotencyKey`, `contract`, `previewRules`, `readRulesInForce`).
//!
//! What only JavaScript needs lives here, not in the core: the contract in camelCase
//! ([`contract`]) and the TypeScript types of what the exports and the API return.

pub mod contract;
pub mod js_json;
pub mod rules;

#[cfg(feature = "pulumi")]
pub use rules::{check_rules, rules_in_force};
pub use rules::{preview_rules, read_rules_in_force};

use private_ingest_core as core;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** The answer of `validate`. */
export interface ValidationResult {
  ok: boolean;
  route: "store" | "notify" | null;
  /** `<JSON pointer>: <reason>` lines, empty when `ok`. */
  errors: string[];
}

/** The contract's limits. */
export interface Limits {
  maxBodyBytes: number;
  maxDepth: number;
}

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The record the store route writes (DynamoDB attribute names), as `GET /messages/{id}`
 * returns it. `data`'s numbers are JavaScript numbers here: the record itself keeps each
 * number's decimal text.
 */
export interface IngestRecord {
  /** The message id, or the request's `Idempotency-Key`. */
  id: string;
  random_value: number;
  message: string;
  timestamp: string;
  received_at?: string;
  data?: { [key: string]: JsonValue };
  request_id?: string;
  source_vpce?: string;
  /** With an `Idempotency-Key`: the id of the message that stored the record. */
  message_id?: string;
  /** With an `Idempotency-Key`: SHA-256 (hex) of that message's body. */
  body_sha256?: string;
}

/** A JSON Schema (draft-04) document. */
export interface JsonSchema {
  $schema: string;
  title: string;
  type: string;
  properties: { [name: string]: { type: string; description: string; minLength?: number } };
  required: string[];
  additionalProperties: boolean;
}

/** The stack settings `stackSettings` reads, as `pulumi config` stores them. */
export interface StackConfigInput {
  vpcId?: string;
  routeTableIds?: string[] | string;
  subnetIds?: string[] | string;
  customDomainName?: string;
  certificateArn?: string;
  privateHostedZoneId?: string;
  queueName?: string;
  tableName?: string;
  topicName?: string;
  subscriptionEmail?: string;
  maxReceiveCount?: number | string;
  batchSize?: number | string;
  lambdaMemoryMb?: number | string;
  logRetentionDays?: number | string;
  maxConcurrency?: number | string;
  throttlingRateLimit?: number | string;
  throttlingBurstLimit?: number | string;
  executionLoggingLevel?: ExecutionLoggingLevel;
  apiAuthorization?: ApiAuthorization;
  executeApiPrivateDns?: boolean | string;
  manageApiGatewayAccount?: boolean | string;
  notificationIncludesData?: boolean | string;
  tracing?: boolean | string;
  metricsNamespace?: string;
  oldestMessageAlarmSeconds?: number | string;
}

/** What API Gateway writes to the stage's execution log. */
export type ExecutionLoggingLevel = "OFF" | "ERROR" | "INFO";

/** How callers of the API's routes authenticate. */
export type ApiAuthorization = "NONE" | "AWS_IAM";

/** A stack's settings, typed and defaulted by the core (core/src/stack_config.rs). */
export interface StackSettings {
  readonly vpcId: string;
  readonly routeTableIds: readonly string[];
  readonly subnetIds: readonly string[];
  /** Without a final dot. */
  readonly customDomainName: string;
  readonly certificateArn: string;
  readonly privateHostedZoneId: string;
  readonly queueName: string;
  /** `queueName` and the core's dead-letter suffix. */
  readonly deadLetterQueueName: string;
  readonly tableName: string;
  /** `tableName` and the core's dedupe-table suffix: the notify route's Idempotency-Key markers. */
  readonly idempotencyTableName: string;
  readonly topicName: string;
  readonly subscriptionEmail: string;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Messages per Lambda invocation. */
  readonly batchSize: number;
  readonly lambdaMemoryMb: number;
  readonly logRetentionDays: number;
  /** Lambda invocations at once (the event source mapping's MaximumConcurrency). */
  readonly maxConcurrency: number;
  /** The stage's steady request rate, per second. */
  readonly throttlingRateLimit: number;
  /** The stage's burst of requests. */
  readonly throttlingBurstLimit: number;
  readonly executionLoggingLevel: ExecutionLoggingLevel;
  readonly apiAuthorization: ApiAuthorization;
  readonly executeApiPrivateDns: boolean;
  readonly manageApiGatewayAccount: boolean;
  readonly notificationIncludesData: boolean;
  /** X-Ray active tracing on the function and the stage. */
  readonly tracing: boolean;
  /** The CloudWatch namespace of the Lambda's EMF metrics. */
  readonly metricsNamespace: string;
  /** The oldest-message alarm fires above this age, in seconds. */
  readonly oldestMessageAlarmSeconds: number;
}

/** The answer of `stackSettings`: the typed settings, or every problem (`<key>: <reason>`). */
export type StackSettingsResult =
  | { readonly ok: true; readonly settings: StackSettings }
  | { readonly ok: false; readonly errors: readonly string[] };
"#;

/// Every value leaves as JSON text that JavaScript parses (see [`js_json`]): plain objects,
/// and numbers as numbers.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    js_json::to_js(value)
}

/// Validates a request body: ok, the route it takes, and field-level errors.
#[wasm_bindgen(unchecked_return_type = "ValidationResult")]
pub fn validate(body: &str) -> Result<JsValue, JsError> {
    to_js(&core::validate(body))
}

/// Why the contract refuses an `Idempotency-Key` (`Idempotency-Key: <reason>`); empty for
/// a valid key.
#[wasm_bindgen(js_name = validateIdempotencyKey)]
pub fn validate_idempotency_key(key: &str) -> Vec<String> {
    core::validate_idempotency_key(key)
}

/// The request contract as JSON Schema draft-04 (the API Gateway model).
#[cfg(feature = "pulumi")]
#[wasm_bindgen(js_name = requestSchema, unchecked_return_type = "JsonSchema")]
pub fn request_schema() -> Result<JsValue, JsError> {
    to_js(&core::request_schema())
}

/// Every problem with a stack's settings, each `<key>: <reason>`; empty when deployable.
#[cfg(feature = "pulumi")]
#[wasm_bindgen(js_name = validateStackConfig)]
pub fn validate_stack_config(
    #[wasm_bindgen(unchecked_param_type = "StackConfigInput")] config: JsValue,
) -> Vec<String> {
    let config = js_json::from_js(&config);
    core::validate_stack_config(&config)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The answer of [`stack_settings`], as `StackSettingsResult`.
#[cfg(feature = "pulumi")]
#[derive(Serialize)]
#[serde(untagged)]
enum StackSettingsResult {
    Ok {
        ok: bool,
        settings: Box<core::StackSettings>,
    },
    Refused {
        ok: bool,
        errors: Vec<String>,
    },
}

/// The typed, defaulted settings of stack `stackName`, or every problem with them.
#[cfg(feature = "pulumi")]
#[wasm_bindgen(js_name = stackSettings, unchecked_return_type = "StackSettingsResult")]
pub fn stack_settings(
    #[wasm_bindgen(unchecked_param_type = "StackConfigInput")] config: JsValue,
    #[wasm_bindgen(js_name = stackName)] stack_name: &str,
) -> Result<JsValue, JsError> {
    let config = js_json::from_js(&config);
    to_js(&match core::stack_settings(&config, stack_name) {
        Ok(settings) => StackSettingsResult::Ok {
            ok: true,
            settings: Box::new(settings),
        },
        Err(errors) => StackSettingsResult::Refused {
            ok: false,
            errors: errors.iter().map(ToString::to_string).collect(),
        },
    })
}

/// The contract's limits.
#[cfg(feature = "pulumi")]
#[wasm_bindgen(unchecked_return_type = "Limits")]
pub fn limits() -> Result<JsValue, JsError> {
    to_js(&contract::LIMITS)
}

/// The whole contract: field names, limits, answers, message attributes, queue names.
#[wasm_bindgen(unchecked_return_type = "Contract")]
pub fn contract() -> Result<JsValue, JsError> {
    to_js(&contract::contract())
}
