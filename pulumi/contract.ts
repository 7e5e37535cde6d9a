/**
 * The constants the Rust side owns that the Pulumi program needs, in one place. The older
 * ones mirror a core constant named beside them; the `Idempotency-Key` ones come from the
 * core's `contract()` through the Wasm module, as the others will.
 */

import { contract } from "../wasm/pkg-node/private_ingest_wasm";

/** Message attribute with API Gateway's request id (mirrors core::contract REQUEST_ID_ATTRIBUTE). */
export const REQUEST_ID_ATTRIBUTE = "requestId";
/** Message attribute with the caller's VPC endpoint (mirrors core::contract SOURCE_VPCE_ATTRIBUTE). */
export const SOURCE_VPCE_ATTRIBUTE = "sourceVpce";

const shared = contract();
/** The request header a client sets to make its retries safe (core::contract, through the Wasm module). */
export const IDEMPOTENCY_KEY_HEADER = shared.idempotency.header;
/** Message attribute carrying that header as sent (core::contract, through the Wasm module). */
export const IDEMPOTENCY_KEY_ATTRIBUTE = shared.messageAttributes.idempotencyKey;

/** The contract's response texts (mirror core::contract's response texts, as the local gateway writes them). */
export const SENT_MESSAGE = "Message sent successfully.";
export const INVALID_BODY = "Invalid request body";
export const TOO_LARGE = "Request body too large";
export const UNSUPPORTED_MEDIA_TYPE = "Unsupported media type";
export const NOT_FOUND = "Not found";
export const NOT_QUEUED = "The message could not be queued.";
export const NOT_READ = "The record could not be read.";
export const PAGE_NOT_READ = "The page could not be read.";
/** A 429: the stage's throttle or the table's (mirrors core::contract's "too many requests" text). */
export const TOO_MANY_REQUESTS = "Too many requests; send it again later.";

/**
 * The environment variables the Lambda reads (mirror handler/src/environment.rs:
 * TABLE_NAME, IDEMPOTENCY_TABLE_NAME, TOPIC_ARN, NOTIFICATION_INCLUDES_DATA).
 */
export const LAMBDA_ENVIRONMENT = {
  tableName: "TABLE_NAME",
  idempotencyTableName: "IDEMPOTENCY_TABLE_NAME",
  topicArn: "TOPIC_ARN",
  notificationIncludesData: "NOTIFICATION_INCLUDES_DATA",
} as const;

/**
 * The dedupe table's TTL attribute: epoch seconds after which a marker no longer
 * deduplicates (mirrors handler/src/dedupe/dynamodb.rs EXPIRES_AT_ATTRIBUTE).
 */
export const DEDUPE_TTL_ATTRIBUTE = "expires_at";
