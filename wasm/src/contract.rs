//! The core's contract as JavaScript reads it: its constants gathered into camelCase
//! objects (the core itself stays free of JavaScript's naming), with TypeScript types.

use private_ingest_core::contract::metrics::{self as core_metrics, MetricSpec};
use private_ingest_core::contract::{
    self as core_contract, function_environment, responses, security_headers, Answer,
    SecurityHeaders,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONTRACT_TYPES: &'static str = r#"
/** One answer of the API: its HTTP status and its `message`. */
export interface ContractAnswer {
  status: number;
  message: string;
}

/** The security headers of one kind of answer, by their HTTP names. */
export interface SecurityHeaders {
  "Content-Security-Policy": string;
  "X-Content-Type-Options": string;
  "Referrer-Policy": string;
}

/** The contract every component shares (the core's `contract` module). */
export interface Contract {
  /** The request body's field names. */
  requestFields: { insert: string; data: string };
  /** The `Insert` value that routes a message to the store; any other notifies. */
  storeInsertValue: string;
  /** Names of the message attributes the API's queue integration sets. */
  messageAttributes: { requestId: string; sourceVpce: string; idempotencyKey: string };
  /** The `Idempotency-Key` header's rules. */
  idempotency: {
    header: string;
    maxKeyChars: number;
    /** The allowed characters, as the error messages spell them. */
    alphabet: string;
    /** How long a key deduplicates notifications. */
    notificationDedupeSeconds: number;
    /** The dedupe table's TTL attribute: a marker's expiry, epoch seconds. */
    expiresAtAttribute: string;
  };
  /** The API's answers, the same from the cloud API and the local gateway (then each stack's own). */
  responses: {
    sent: ContractAnswer;
    invalidBody: ContractAnswer;
    tooLarge: ContractAnswer;
    unsupportedMediaType: ContractAnswer;
    notQueued: ContractAnswer;
    notFound: ContractAnswer;
    refused: ContractAnswer;
    tooManyRequests: ContractAnswer;
    recordNotRead: ContractAnswer;
    pageNotRead: ContractAnswer;
    invalidParameters: ContractAnswer;
    methodNotAllowed: ContractAnswer;
    requestTimeout: ContractAnswer;
    misdirected: ContractAnswer;
    busy: ContractAnswer;
    internalError: ContractAnswer;
  };
  /** The one error line of a 415. */
  contentTypeError: string;
  /** The one error line of a 413 whose body's size is not known. */
  overTheLimitError: string;
  /** The headers on the page (HTML), and on every other answer. */
  securityHeaders: { page: SecurityHeaders; resource: SecurityHeaders };
  /** The dead-letter queue's name is the queue's name with this suffix. */
  deadLetterQueueSuffix: string;
  /** Names of the Lambda's environment variables. */
  functionEnvironment: {
    tableName: string;
    idempotencyTableName: string;
    topicArn: string;
    notificationIncludesData: string;
    metricsNamespace: string;
    routingRules: string;
  };
  limits: Limits;
  metrics: ContractMetrics;
}

/** One metric of a batch: its CloudWatch (EMF) name and unit, its Prometheus name. */
export interface ContractMetric {
  name: string;
  unit: "Count" | "Milliseconds";
  kind: "counter" | "distribution";
  prometheusName: string;
  help: string;
}

/** The metrics both stacks emit (the core's `contract::metrics`). */
export interface ContractMetrics {
  /** The Lambda's CloudWatch namespace unless the stack names another. */
  defaultNamespace: string;
  /** The EMF dimension: the function's name. */
  dimension: string;
  stored: ContractMetric;
  alreadyStored: ContractMetric;
  notified: ContractMetric;
  alreadyNotified: ContractMetric;
  rejected: ContractMetric;
  itemFailures: ContractMetric;
  batchSize: ContractMetric;
  batchDurationMs: ContractMetric;
  messageAgeMs: ContractMetric;
  /** Prometheus names only the local stack exposes. */
  local: {
    accepted: string;
    acceptLatency: string;
    endToEndLatency: string;
    queueVisible: string;
    queueInFlight: string;
    deadLetters: string;
    oldestMessageAge: string;
    commitGroupSize: string;
  };
}
"#;

/// The contract's limits, for clients that check before sending (TypeScript `Limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_depth: usize,
}

pub const LIMITS: Limits = Limits {
    max_body_bytes: core_contract::MAX_BODY_BYTES,
    max_depth: core_contract::MAX_DEPTH,
};

#[derive(Debug, Clone, Copy, Serialize)]
pub struct RequestFields {
    pub insert: &'static str,
    pub data: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageAttributes {
    pub request_id: &'static str,
    pub source_vpce: &'static str,
    pub idempotency_key: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Idempotency {
    pub header: &'static str,
    pub max_key_chars: usize,
    pub alphabet: &'static str,
    pub notification_dedupe_seconds: u64,
    pub expires_at_attribute: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Responses {
    pub sent: Answer,
    pub invalid_body: Answer,
    pub too_large: Answer,
    pub unsupported_media_type: Answer,
    pub not_queued: Answer,
    pub not_found: Answer,
    pub refused: Answer,
    pub too_many_requests: Answer,
    pub record_not_read: Answer,
    pub page_not_read: Answer,
    pub invalid_parameters: Answer,
    pub method_not_allowed: Answer,
    pub request_timeout: Answer,
    pub misdirected: Answer,
    pub busy: Answer,
    pub internal_error: Answer,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SecurityHeaderSets {
    pub page: SecurityHeaders,
    pub resource: SecurityHeaders,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionEnvironment {
    pub table_name: &'static str,
    pub idempotency_table_name: &'static str,
    pub topic_arn: &'static str,
    pub notification_includes_data: &'static str,
    pub metrics_namespace: &'static str,
    pub routing_rules: &'static str,
}

/// One metric (TypeScript `ContractMetric`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    pub name: &'static str,
    pub unit: &'static str,
    pub kind: &'static str,
    pub prometheus_name: String,
    pub help: &'static str,
}

impl From<MetricSpec> for Metric {
    fn from(m: MetricSpec) -> Self {
        Self {
            name: m.name,
            unit: m.unit.cloudwatch(),
            kind: match m.kind {
                core_metrics::MetricKind::Counter => "counter",
                core_metrics::MetricKind::Distribution => "distribution",
            },
            prometheus_name: m.prometheus_name(),
            help: m.help,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalMetrics {
    pub accepted: &'static str,
    pub accept_latency: &'static str,
    pub end_to_end_latency: &'static str,
    pub queue_visible: &'static str,
    pub queue_in_flight: &'static str,
    pub dead_letters: &'static str,
    pub oldest_message_age: &'static str,
    pub commit_group_size: &'static str,
}

/// The metrics (TypeScript `ContractMetrics`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub default_namespace: &'static str,
    pub dimension: &'static str,
    pub stored: Metric,
    pub already_stored: Metric,
    pub notified: Metric,
    pub already_notified: Metric,
    pub rejected: Metric,
    pub item_failures: Metric,
    pub batch_size: Metric,
    pub batch_duration_ms: Metric,
    pub message_age_ms: Metric,
    pub local: LocalMetrics,
}

pub fn metrics() -> Metrics {
    use core_metrics::local;
    Metrics {
        default_namespace: core_metrics::DEFAULT_METRICS_NAMESPACE,
        dimension: core_metrics::FUNCTION_NAME_DIMENSION,
        stored: core_metrics::STORED.into(),
        already_stored: core_metrics::ALREADY_STORED.into(),
        notified: core_metrics::NOTIFIED.into(),
        already_notified: core_metrics::ALREADY_NOTIFIED.into(),
        rejected: core_metrics::REJECTED.into(),
        item_failures: core_metrics::ITEM_FAILURES.into(),
        batch_size: core_metrics::BATCH_SIZE.into(),
        batch_duration_ms: core_metrics::BATCH_DURATION_MS.into(),
        message_age_ms: core_metrics::MESSAGE_AGE_MS.into(),
        local: LocalMetrics {
            accepted: local::ACCEPTED,
            accept_latency: local::ACCEPT_LATENCY,
            end_to_end_latency: local::END_TO_END_LATENCY,
            queue_visible: local::QUEUE_VISIBLE,
            queue_in_flight: local::QUEUE_IN_FLIGHT,
            dead_letters: local::DEAD_LETTERS,
            oldest_message_age: local::OLDEST_MESSAGE_AGE,
            commit_group_size: local::COMMIT_GROUP_SIZE,
        },
    }
}

/// The whole contract (TypeScript `Contract`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub request_fields: RequestFields,
    pub store_insert_value: &'static str,
    pub message_attributes: MessageAttributes,
    pub idempotency: Idempotency,
    pub responses: Responses,
    pub content_type_error: &'static str,
    pub over_the_limit_error: String,
    pub security_headers: SecurityHeaderSets,
    pub dead_letter_queue_suffix: &'static str,
    pub function_environment: FunctionEnvironment,
    pub limits: Limits,
    pub metrics: Metrics,
}

pub fn contract() -> Contract {
    Contract {
        request_fields: RequestFields {
            insert: core_contract::INSERT,
            data: core_contract::DATA,
        },
        store_insert_value: core_contract::STORE_INSERT_VALUE,
        message_attributes: MessageAttributes {
            request_id: core_contract::REQUEST_ID_ATTRIBUTE,
            source_vpce: core_contract::SOURCE_VPCE_ATTRIBUTE,
            idempotency_key: core_contract::IDEMPOTENCY_KEY_ATTRIBUTE,
        },
        idempotency: Idempotency {
            header: core_contract::IDEMPOTENCY_KEY_HEADER,
            max_key_chars: core_contract::MAX_IDEMPOTENCY_KEY_CHARS,
            alphabet: core_contract::IDEMPOTENCY_KEY_ALPHABET,
            notification_dedupe_seconds: core_contract::NOTIFICATION_DEDUPE_SECONDS,
            expires_at_attribute: core_contract::DEDUPE_EXPIRES_AT_ATTRIBUTE,
        },
        responses: Responses {
            sent: responses::SENT,
            invalid_body: responses::INVALID_BODY,
            too_large: responses::TOO_LARGE,
            unsupported_media_type: responses::UNSUPPORTED_MEDIA_TYPE,
            not_queued: responses::NOT_QUEUED,
            not_found: responses::NOT_FOUND,
            refused: responses::REFUSED,
            too_many_requests: responses::TOO_MANY_REQUESTS,
            record_not_read: responses::RECORD_NOT_READ,
            page_not_read: responses::PAGE_NOT_READ,
            invalid_parameters: responses::INVALID_PARAMETERS,
            method_not_allowed: responses::METHOD_NOT_ALLOWED,
            request_timeout: responses::REQUEST_TIMEOUT,
            misdirected: responses::MISDIRECTED,
            busy: responses::BUSY,
            internal_error: responses::INTERNAL_ERROR,
        },
        content_type_error: responses::CONTENT_TYPE_ERROR,
        over_the_limit_error: responses::over_the_limit_error(),
        security_headers: SecurityHeaderSets {
            page: security_headers::PAGE,
            resource: security_headers::RESOURCE,
        },
        dead_letter_queue_suffix: core_contract::DLQ_SUFFIX,
        function_environment: FunctionEnvironment {
            table_name: function_environment::TABLE_NAME,
            idempotency_table_name: function_environment::IDEMPOTENCY_TABLE_NAME,
            topic_arn: function_environment::TOPIC_ARN,
            notification_includes_data: function_environment::NOTIFICATION_INCLUDES_DATA,
            metrics_namespace: function_environment::METRICS_NAMESPACE,
            routing_rules: function_environment::ROUTING_RULES,
        },
        limits: LIMITS,
        metrics: metrics(),
    }
}
