/**
 * API Gateway mapping templates (VTL) and gateway responses: how the private REST API
 * speaks the HTTP contract of ARCHITECTURE.md while talking to SQS, DynamoDB and S3
 * directly. Pure strings, rendered in the tests by a Velocity engine with API Gateway's
 * `$input`, `$util` and `$context` (test/vtl.ts), so the contract's bodies are checked offline.
 */

import {
  IDEMPOTENCY_KEY_ATTRIBUTE, IDEMPOTENCY_KEY_HEADER, INVALID_BODY, NOT_FOUND, NOT_QUEUED, NOT_READ,
  PAGE_NOT_READ, REQUEST_ID_ATTRIBUTE, SENT_MESSAGE, SOURCE_VPCE_ATTRIBUTE, TOO_LARGE,
  TOO_MANY_REQUESTS, UNSUPPORTED_MEDIA_TYPE,
} from "./contract";

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
  `#if($name.toLowerCase() == "${IDEMPOTENCY_KEY_HEADER.toLowerCase()}")` +
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
  stringAttribute(REQUEST_ID_ATTRIBUTE, "$context.requestId") +
  `#if("$!context.identity.vpceId" != "")` +
  stringAttribute(SOURCE_VPCE_ATTRIBUTE, "$context.identity.vpceId") +
  "#end" +
  READ_IDEMPOTENCY_KEY +
  `#if("$!key" != "")` +
  stringAttribute(IDEMPOTENCY_KEY_ATTRIBUTE, "$key") +
  "#end";

/** The 502 body when the queue did not take the message (never a 200 then). */
const NOT_QUEUED_BODY = `{"message":"${NOT_QUEUED}","requestId":"$context.requestId"}`;

/**
 * SQS answered 2xx: the contract's 200 with the queue's message id and the record's id
 * (`recordId`: the caller's `Idempotency-Key`, or the message id without one). A 2xx
 * without a message id is not proof the message was queued: 502.
 */
export const SEND_MESSAGE_OK = [
  "#set($sent = $input.path('$.SendMessageResponse.SendMessageResult'))",
  READ_IDEMPOTENCY_KEY,
  `#if("$!sent.MessageId" == "")`,
  "#set($context.responseOverride.status = 502)",
  NOT_QUEUED_BODY,
  "#else",
  `{"message":"${SENT_MESSAGE}","requestId":"$context.requestId","messageId":"$sent.MessageId",` +
    `"recordId":#if("$!key" != "")${jsonString("$key")}#else"$sent.MessageId"#end}`,
  "#end",
].join("\n");

/**
 * SQS refused or failed. Its only refusal of a body the model accepted is the size limit
 * (the queue's maximum message size is the contract's limit), which the contract answers
 * with 413; anything else is a 502.
 */
export function sendMessageFailed(maxBodyBytes: number): string {
  return [
    `#set($reason = "$!input.path('$.Error.Message')")`,
    `#if($reason.indexOf("shorter than") >= 0)`,
    "#set($context.responseOverride.status = 413)",
    tooLargeBody(maxBodyBytes),
    "#else",
    NOT_QUEUED_BODY,
    "#end",
  ].join("\n");
}

function tooLargeBody(maxBodyBytes: number): string {
  const kib = maxBodyBytes / 1024;
  return JSON.stringify({
    message: TOO_LARGE,
    errors: [`/: body is over the limit of ${maxBodyBytes} bytes (${kib} KiB, the SQS message size limit)`],
  });
}

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
const TOO_MANY_BODY = `{"message":"${TOO_MANY_REQUESTS}","requestId":"$context.requestId"}`;

/**
 * DynamoDB's error types that mean "slow down" (HTTP 400 with `__type`
 * `com.amazonaws.dynamodb.v20120810#<name>`); every other 4xx is the stack's fault (502).
 */
export const DYNAMODB_THROTTLING_ERRORS = [
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
] as const;

/**
 * DynamoDB answered 4xx: a throttle is the contract's 429 (send it again later); an
 * access, table or request problem is a 502 like any other failure. Never a 404: an absent
 * record is a 200 without an item (`getItemFound`).
 */
export const GET_ITEM_REFUSED = [
  `#set($type = "$!input.path('$.__type')")`,
  `#if(${DYNAMODB_THROTTLING_ERRORS.map((e) => `$type.endsWith("#${e}")`).join(" || ")})`,
  "#set($context.responseOverride.status = 429)",
  TOO_MANY_BODY,
  "#else",
  `{"message":"${NOT_READ}","requestId":"$context.requestId"}`,
  "#end",
].join("\n");

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
 * Lambda's adapter stores it (lambda/src/dynamodb.rs json_to_attribute: M, L, S, N,
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
    "#set($context.responseOverride.status = 404)",
    `{"message":"${NOT_FOUND}"}`,
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

/** The contract's 404 body. */
export const NOT_FOUND_BODY = JSON.stringify({ message: NOT_FOUND });

/** The page route's 502 body: the caller's request was fine, the bucket behind failed. */
export const PAGE_FAILED = `{"message":"${PAGE_NOT_READ}","requestId":"$context.requestId"}`;

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
export function gatewayResponses(maxBodyBytes: number): readonly GatewayResponseSpec[] {
  return [
    {
      responseType: "BAD_REQUEST_BODY",
      statusCode: "400",
      template: `{"message":"${INVALID_BODY}","errors":["/: $context.error.validationErrorString"]}`,
    },
    {
      responseType: "UNSUPPORTED_MEDIA_TYPE",
      statusCode: "415",
      template: JSON.stringify({
        message: UNSUPPORTED_MEDIA_TYPE,
        errors: ["/: Content-Type must be application/json"],
      }),
    },
    {
      // API Gateway's own 10 MB payload limit; bodies between the contract's limit and
      // that reach SQS, which refuses them (see sendMessageFailed).
      responseType: "REQUEST_TOO_LARGE",
      statusCode: "413",
      template: tooLargeBody(maxBodyBytes),
    },
    {
      // An unknown path or method: API Gateway says 403 "Missing Authentication Token".
      responseType: "MISSING_AUTHENTICATION_TOKEN",
      statusCode: "404",
      template: NOT_FOUND_BODY,
    },
    {
      // The stage's throttle (the throttling settings) refused the request.
      responseType: "THROTTLED",
      statusCode: "429",
      template: `{"message":"${TOO_MANY_REQUESTS}","requestId":"$context.requestId"}`,
    },
  ];
}
