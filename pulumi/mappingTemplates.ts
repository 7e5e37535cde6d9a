/**
 * API Gateway mapping templates (VTL) and gateway responses: how the private REST API
 * speaks the HTTP contract of ARCHITECTURE.md while talking to SQS, DynamoDB and S3
 * directly. Pure strings, rendered in the tests by a Velocity engine with API Gateway's
 * `$input`, `$util` and `$context` (test/vtl.ts), so the contract's bodies are checked offline.
 */

import { contract, type ContractAnswer } from "../wasm/pkg-node/private_ingest_wasm";

/** The contract's texts, attribute names and limits: the core's, never retyped here. */
const shared = contract();
const { responses } = shared;

/** API Gateway's id of the request, as the templates write it. */
const REQUEST_ID = "$context.requestId";

/**
 * The contract's body of an answer other than 200: its message, the error lines (which
 * may hold VTL or `$context` references) and, where the request got one, the request id.
 */
export function errorBody(answer: ContractAnswer, errors: readonly string[], withRequestId: boolean): string {
  return JSON.stringify({ message: answer.message, errors, ...(withRequestId ? { requestId: REQUEST_ID } : {}) });
}

/**
 * One SQS query-API message attribute, form-encoded, numbered by the VTL variable
 * `$n` (SQS numbers attributes 1, 2, 3 … without gaps; the optional ones move up).
 */
function stringAttribute(name: string, valueRef: string): string {
  return (
    "#set($n = $n + 1)" +
    `&MessageAttribute.\${n}.Name=${name}&MessageAttribute.\${n}.Value.DataType=String` +
    `&MessageAttribute.\${n}.Value.StringValue=$util.urlEncode(${valueRef})`
  );
}

/**
 * Sets `$key` to the request's `Idempotency-Key` header, whatever its case (HTTP/2
 * clients send `idempotency-key`), or to "" without one. `$input.params()` is the method
 * request's parameters in request and response templates alike.
 */
const READ_IDEMPOTENCY_KEY =
  `#set($key = "")` +
  "#foreach($name in $input.params().header.keySet())" +
  `#if($name.toLowerCase() == "${shared.idempotency.header.toLowerCase()}")` +
  "#set($key = $input.params().header.get($name))" +
  "#end#end";

/**
 * `POST /send-message` → SQS `SendMessage` (query API, form-encoded): the raw body as the
 * message, the request id, the VPC endpoint and the caller's `Idempotency-Key` as message
 * attributes. One line, no trailing newline: anything after the last `=` would become
 * part of its value. SQS refuses an empty attribute value, so `sourceVpce` and
 * `idempotencyKey` are sent only when there is one. The key goes as sent: VTL cannot
 * check its shape, so the Lambda's core rejects a malformed one.
 */
export const SEND_MESSAGE_REQUEST =
  "Action=SendMessage&MessageBody=$util.urlEncode($input.body)" +
  "#set($n = 0)" +
  stringAttribute(shared.messageAttributes.requestId, REQUEST_ID) +
  `#if("$!context.identity.vpceId" != "")` +
  stringAttribute(shared.messageAttributes.sourceVpce, "$context.identity.vpceId") +
  "#end" +
  READ_IDEMPOTENCY_KEY +
  `#if("$!key" != "")` +
  stringAttribute(shared.messageAttributes.idempotencyKey, "$key") +
  "#end";

/**
 * The contract's 503 when the queue did not take the message (never a 200 then): the
 * message was not accepted and the caller sends it again; the request id finds the cause.
 */
export const NOT_QUEUED_STATUS = String(responses.notQueued.status);
const NOT_QUEUED_BODY = errorBody(responses.notQueued, [], true);

/**
 * SQS answered 2xx: the contract's 200 with the queue's message id and the record's id
 * (`recordId`: the caller's `Idempotency-Key`, or the message id without one). A 2xx
 * without a message id is not proof the message was queued: the 503.
 */
export const SEND_MESSAGE_OK = [
  "#set($sent = $input.path('$.SendMessageResponse.SendMessageResult'))",
  READ_IDEMPOTENCY_KEY,
  `#if("$!sent.MessageId" == "")`,
  `#set($context.responseOverride.status = ${responses.notQueued.status})`,
  NOT_QUEUED_BODY,
  "#else",
  // `recordId` is VTL (the key as a JSON string, or the message id): appended to the
  // stringified members, not stringified itself.
  JSON.stringify({ message: responses.sent.message, requestId: REQUEST_ID, messageId: "$sent.MessageId" }).slice(0, -1) +
    `,"recordId":#if("$!key" != "")${jsonString("$key")}#else"$sent.MessageId"#end}`,
  "#end",
].join("\n");

/**
 * SQS refused or failed. Its only refusal of a body the model accepted is the size limit
 * (the queue's maximum message size is the contract's limit), which the contract answers
 * with 413; anything else is the 503 (this integration response's own status).
 */
export const SEND_MESSAGE_FAILED = [
  `#set($reason = "$!input.path('$.Error.Message')")`,
  `#if($reason.indexOf("shorter than") >= 0)`,
  `#set($context.responseOverride.status = ${responses.tooLarge.status})`,
  errorBody(responses.tooLarge, [shared.overTheLimitError], false),
  "#else",
  NOT_QUEUED_BODY,
  "#end",
].join("\n");

/**
 * `GET /messages/{id}` → DynamoDB `GetItem`, strongly consistent so a record the caller
 * was just told about is found. The id is written as a JSON string whatever it holds (a
 * `'` included, see `jsonString`), so DynamoDB finds the record or answers with no item
 * (404); its 4xx answers are then real failures (throttling, access, a missing table).
 */
export function getItemRequest(tableName: string): string {
  return `{"TableName":${JSON.stringify(tableName)},"Key":{"id":{"S":${jsonString("$input.params('id')")}}},"ConsistentRead":true}`;
}

/** The 429 body: the caller may send the same request again later. */
const TOO_MANY_BODY = errorBody(responses.tooManyRequests, [], true);

/**
 * DynamoDB's error types that mean "slow down" (HTTP 400 with `__type`
 * `com.amazonaws.dynamodb.v20120810#<name>`); every other 4xx is the stack's fault (502).
 */
export const DYNAMODB_THROTTLING_ERRORS = [
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
] as const;

/** The status of a failed read: the integration response that catches every other answer. */
export const RECORD_NOT_READ_STATUS = String(responses.recordNotRead.status);

/**
 * DynamoDB answered 4xx: a throttle is the contract's 429 (send it again later); an
 * access, table or request problem is a 502 like any other failure. Never a 404: an absent
 * record is a 200 without an item (`getItemFound`).
 */
export const GET_ITEM_REFUSED = [
  `#set($type = "$!input.path('$.__type')")`,
  `#if(${DYNAMODB_THROTTLING_ERRORS.map((e) => `$type.endsWith("#${e}")`).join(" || ")})`,
  `#set($context.responseOverride.status = ${responses.tooManyRequests.status})`,
  TOO_MANY_BODY,
  "#else",
  errorBody(responses.recordNotRead, [], true),
  "#end",
].join("\n");

/** The contract's 404 body (no record, no page file, no route). */
export const NOT_FOUND_STATUS = String(responses.notFound.status);
export const NOT_FOUND_BODY = errorBody(responses.notFound, [], false);

/** An optional string attribute of the record, copied when the item has it. */
function optionalString(name: string): string {
  return `#if("$!input.path('$.Item.${name}.S')" != ""),"${name}":$input.json('$.Item.${name}.S')#end`;
}

/**
 * A JSON string literal of the VTL string `ref`. `escapeJavaScript` also turns `'` into
 * `\'`, which JSON does not allow; the `replaceAll` (a Java regex) undoes just that.
 */
function jsonString(ref: string): string {
  return `"$util.escapeJavaScript(${ref}).replaceAll("\\\\'","'")"`;
}

/**
 * VTL that writes the JSON value of the DynamoDB attribute value in `$v<level>`, as the
 * Lambda's adapter stores it (handler/src/store/dynamodb.rs json_to_attribute: M, L, S, N,
 * BOOL, NULL). VTL has no recursion API Gateway documents, so the levels are unrolled;
 * maps and lists share one loop per level, which keeps the template linear in depth.
 * Below `levels` (the core's nesting limit, deeper than any stored body) a container
 * would be written as null.
 */
export function attributeToJson(levels: number, level = 0): string {
  const v = `$v${level}`;
  const scalar = [
    `#if(${v}.containsKey("S"))${jsonString(`${v}.S`)}`,
    `#elseif(${v}.containsKey("N"))${v}.N`,
    `#elseif(${v}.containsKey("BOOL"))${v}.BOOL`,
  ].join("");
  if (level >= levels) return `${scalar}#else null#end`;
  const isMap = `$isMap${level}`;
  const item = `$i${level}`;
  const container = [
    `#elseif(${v}.containsKey("M") || ${v}.containsKey("L"))`,
    `#set(${isMap} = ${v}.containsKey("M"))`,
    `#if(${isMap}){#set($items${level} = ${v}.M.keySet())#else[#set($items${level} = ${v}.L)#end`,
    `#foreach(${item} in $items${level})`,
    `#if(${isMap})${jsonString(item)}:#set($v${level + 1} = ${v}.M.get(${item}))#else#set($v${level + 1} = ${item})#end`,
    attributeToJson(levels, level + 1),
    "#if($foreach.hasNext),#end",
    "#end",
    `#if(${isMap})}#else]#end`,
  ].join("");
  return `${scalar}${container}#else null#end`;
}

/**
 * The item back as the core's `Record` JSON, the caller's `data` converted from the
 * DynamoDB map the Lambda stored. No item: 404.
 */
export function getItemFound(maxDepth: number): string {
  return [
    `#if("$!input.path('$.Item.id.S')" == "")`,
    `#set($context.responseOverride.status = ${responses.notFound.status})`,
    NOT_FOUND_BODY,
    "#else",
    [
      `{"id":$input.json('$.Item.id.S')`,
      `,"random_value":$input.path('$.Item.random_value.N')`,
      `,"message":$input.json('$.Item.message.S')`,
      `,"timestamp":$input.json('$.Item.timestamp.S')`,
      optionalString("received_at"),
      `#set($v0 = $input.path('$.Item.data'))`,
      `#if("$!v0" != ""),"data":${attributeToJson(maxDepth)}#end`,
      optionalString("request_id"),
      optionalString("source_vpce"),
      optionalString("message_id"),
      optionalString("body_sha256"),
      "}",
    ].join(""),
    "#end",
  ].join("\n");
}

/** The page route's 502 status and body: the caller's request was fine, the bucket behind failed. */
export const PAGE_NOT_READ_STATUS = String(responses.pageNotRead.status);
export const PAGE_FAILED = errorBody(responses.pageNotRead, [], true);

/** A gateway response: API Gateway's own answer when it refuses a request before any integration. */
export interface GatewayResponseSpec {
  readonly responseType: string;
  readonly statusCode: string;
  /** Not VTL: API Gateway only substitutes `$context` variables in these. */
  readonly template: string;
}

/**
 * The contract's error shapes for requests API Gateway refuses itself. The request
 * validator cannot name JSON pointers; `validationErrorString` (the JSON-schema
 * validator's own list, quotes escaped) is the one error line it has.
 */
export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    responseType: "BAD_REQUEST_BODY",
    statusCode: String(responses.invalidBody.status),
    template: errorBody(responses.invalidBody, ["/: $context.error.validationErrorString"], false),
  },
  {
    responseType: "UNSUPPORTED_MEDIA_TYPE",
    statusCode: String(responses.unsupportedMediaType.status),
    template: errorBody(responses.unsupportedMediaType, [shared.contentTypeError], false),
  },
  {
    // API Gateway's own 10 MB payload limit; bodies between the contract's limit and
    // that reach SQS, which refuses them (see SEND_MESSAGE_FAILED).
    responseType: "REQUEST_TOO_LARGE",
    statusCode: String(responses.tooLarge.status),
    template: errorBody(responses.tooLarge, [shared.overTheLimitError], false),
  },
  {
    // An unknown path or method: API Gateway says 403 "Missing Authentication Token".
    responseType: "MISSING_AUTHENTICATION_TOKEN",
    statusCode: NOT_FOUND_STATUS,
    template: NOT_FOUND_BODY,
  },
  {
    // The stage's throttle (the throttling settings) refused the request.
    responseType: "THROTTLED",
    statusCode: String(responses.tooManyRequests.status),
    template: TOO_MANY_BODY,
  },
];
