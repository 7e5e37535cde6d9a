//! WebAssembly exports of `private-ingest-core`: one line of glue per export, no logic.
//! Built for `--target web` (the test page) and `--target nodejs` (Pulumi). The exports
//! only Pulumi calls are behind the default feature `pulumi`, which the page's build
//! leaves off: the page downloads only what it runs.

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

/** The record the store route writes (DynamoDB attribute names). */
export interface IngestRecord {
  id: string;
  random_value: number;
  message: string;
  timestamp: string;
  received_at?: string;
  data?: { [key: string]: JsonValue };
  request_id?: string;
  source_vpce?: string;
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

/** The Pulumi config keys `validateStackConfig` reads. */
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
}
"#;

/// Every value leaves as plain JSON-compatible objects (maps as objects, not `Map`).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Validates a request body: ok, the route it takes, and field-level errors.
#[wasm_bindgen(unchecked_return_type = "ValidationResult")]
pub fn validate(body: &str) -> Result<JsValue, JsError> {
    to_js(&core::validate(body))
}

/// The record a store-route body would make; throws with the reason otherwise.
#[cfg(feature = "pulumi")]
#[wasm_bindgen(js_name = buildRecord, unchecked_return_type = "IngestRecord")]
pub fn build_record(
    body: &str,
    #[wasm_bindgen(js_name = messageId)] message_id: &str,
    #[wasm_bindgen(js_name = randomValue)] random_value: f64,
    #[wasm_bindgen(js_name = nowMs)] now_ms: f64,
) -> Result<JsValue, JsError> {
    to_js(
        &core::record_for_body(body, message_id, random_value, now_ms)
            .map_err(|e| JsError::new(&e.to_string()))?,
    )
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
    let config = serde_wasm_bindgen::from_value(config).unwrap_or(serde_json::Value::Null);
    core::validate_stack_config(&config)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The contract's limits.
#[wasm_bindgen(unchecked_return_type = "Limits")]
pub fn limits() -> Result<JsValue, JsError> {
    to_js(&core::LIMITS)
}
