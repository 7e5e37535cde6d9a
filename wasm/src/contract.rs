//! The core's contract as JavaScript reads it: its constants gathered into camelCase
//! objects (the core itself stays free of JavaScript's naming), with TypeScript types.

use private_ingest_core::contract::{self as core_contract, responses, Answer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONTRACT_TYPES: &'static str = r#"
/** One answer of the API: its HTTP status and its `message`. */
export interface ContractAnswer {
  status: number;
  message: string;
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
  };
  /** The API's answers, the same from the cloud API and the local gateway. */
  responses: {
    sent: ContractAnswer;
    invalidBody: ContractAnswer;
    tooLarge: ContractAnswer;
    unsupportedMediaType: ContractAnswer;
    notQueued: ContractAnswer;
    notFound: ContractAnswer;
  };
  /** The one error line of a 415. */
  contentTypeError: string;
  /** The dead-letter queue's name is the queue's name with this suffix. */
  deadLetterQueueSuffix: string;
  limits: Limits;
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
}

/// The whole contract (TypeScript `Contract`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub request_fields: RequestFields,
    pub store_insert_value: &'static str,
    pub message_attributes: MessageAttributes,
    pub idempotency: Idempotency,
    pub responses: Responses,
    pub content_type_error: &'static str,
    pub dead_letter_queue_suffix: &'static str,
    pub limits: Limits,
}

pub const CONTRACT: Contract = Contract {
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
    },
    responses: Responses {
        sent: responses::SENT,
        invalid_body: responses::INVALID_BODY,
        too_large: responses::TOO_LARGE,
        unsupported_media_type: responses::UNSUPPORTED_MEDIA_TYPE,
        not_queued: responses::NOT_QUEUED,
        not_found: responses::NOT_FOUND,
    },
    content_type_error: responses::CONTENT_TYPE_ERROR,
    dead_letter_queue_suffix: core_contract::DLQ_SUFFIX,
    limits: LIMITS,
};
