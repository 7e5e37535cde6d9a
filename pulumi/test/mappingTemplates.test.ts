//! The API's mapping templates, rendered by a Velocity engine with API Gateway's
//! variables (./vtl.ts): what reaches SQS and DynamoDB, and what the caller gets back,
//! checked against the contract and against the core (through the Wasm module).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildRecord, limits, type IngestRecord, type JsonValue } from "../../wasm/pkg-node/private_ingest_wasm";
import * as t from "../mappingTemplates";
import * as contract from "../contract";
import { javaEscapeJavaScript, javaUrlEncode, render, substitute } from "./vtl";

interface RequestVector {
  readonly name: string;
  readonly body: string;
  readonly expected: { readonly ok: boolean; readonly route: string | null };
}
const requests: RequestVector[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", "requests.json"), "utf8"),
);

const REQUEST_ID = "5f1e7d4c-2b3a-4c5d-8e9f-0a1b2c3d4e5f";
const VPCE = "vpce-0e1a2b3c4d5e6f701";
const MAX_BODY = limits().maxBodyBytes;

/** A DynamoDB attribute value, as lambda/src/dynamodb.rs `json_to_attribute` writes it. */
type Attribute = { S: string } | { N: string } | { BOOL: boolean } | { NULL: true } | { L: Attribute[] } | { M: Record<string, Attribute> };

function toAttribute(v: JsonValue): Attribute {
  if (v === null) return { NULL: true };
  if (typeof v === "boolean") return { BOOL: v };
  if (typeof v === "number") return { N: String(v) };
  if (typeof v === "string") return { S: v };
  if (Array.isArray(v)) return { L: v.map(toAttribute) };
  return { M: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toAttribute(x)])) };
}

/** The item lambda/src/dynamodb.rs `record_to_item` stores for `r`. */
function recordToItem(r: IngestRecord): Record<string, Attribute> {
  const item: Record<string, Attribute> = {
    id: { S: r.id },
    random_value: { N: String(r.random_value) },
    message: { S: r.message },
    timestamp: { S: r.timestamp },
  };
  for (const k of ["received_at", "request_id", "source_vpce", "message_id", "body_sha256"] as const) {
    const v = r[k];
    if (v !== undefined) item[k] = { S: v };
  }
  if (r.data !== undefined) item.data = toAttribute(r.data);
  return item;
}

describe("POST /send-message to SQS", () => {
  test("the harness encodes like Java's URLEncoder and escapes like commons-lang", () => {
    assert.equal(javaUrlEncode("a b&c=d+é~*"), "a+b%26c%3Dd%2B%C3%A9%7E*");
    assert.equal(javaEscapeJavaScript(`it's "é"/\n`), `it\\'s \\"\\u00E9\\"\\/\\n`);
  });

  for (const r of requests) {
    test(`the queue gets the body exactly as sent: ${r.name}`, () => {
      const { output } = render(t.SEND_MESSAGE_REQUEST, { body: r.body, requestId: REQUEST_ID, vpceId: VPCE });
      const form = new URLSearchParams(output);
      assert.equal(form.get("Action"), "SendMessage");
      assert.equal(form.get("MessageBody"), r.body);
    });
  }

  test("the request id and the VPC endpoint travel as message attributes requestId and sourceVpce", () => {
    const form = new URLSearchParams(render(t.SEND_MESSAGE_REQUEST, { body: "{}", requestId: REQUEST_ID, vpceId: VPCE }).output);
    assert.deepEqual(
      [1, 2].map((i) => [
        form.get(`MessageAttribute.${i}.Name`),
        form.get(`MessageAttribute.${i}.Value.DataType`),
        form.get(`MessageAttribute.${i}.Value.StringValue`),
      ]),
      [["requestId", "String", REQUEST_ID], ["sourceVpce", "String", VPCE]],
    );
    assert.equal([...form.keys()].length, 8, "nothing else is sent");
  });

  test("without a VPC endpoint id, sourceVpce is left out (SQS refuses empty attribute values)", () => {
    const form = new URLSearchParams(render(t.SEND_MESSAGE_REQUEST, { body: "{}", requestId: REQUEST_ID }).output);
    assert.equal(form.get("MessageAttribute.1.Name"), "requestId");
    assert.equal(form.get("MessageAttribute.2.Name"), null);
  });

  /** The message attributes a rendered SendMessage carries, in order. */
  const attributesOf = (output: string) => {
    const form = new URLSearchParams(output);
    const attributes: Array<[string | null, string | null, string | null]> = [];
    for (let i = 1; form.has(`MessageAttribute.${i}.Name`); i++) {
      attributes.push([
        form.get(`MessageAttribute.${i}.Name`),
        form.get(`MessageAttribute.${i}.Value.DataType`),
        form.get(`MessageAttribute.${i}.Value.StringValue`),
      ]);
    }
    return { attributes, keys: [...form.keys()].length };
  };

  test("with an Idempotency-Key header, the key travels as the message attribute idempotencyKey, as sent", () => {
    const rendered = render(t.SEND_MESSAGE_REQUEST, {
      body: "{}", requestId: REQUEST_ID, vpceId: VPCE, headers: { "Idempotency-Key": "order-42:attempt.1" },
    });
    assert.deepEqual(attributesOf(rendered.output), {
      attributes: [
        ["requestId", "String", REQUEST_ID],
        ["sourceVpce", "String", VPCE],
        ["idempotencyKey", "String", "order-42:attempt.1"],
      ],
      keys: 11,
    });
  });

  test("the header is found whatever its case, and the attributes stay numbered without gaps", () => {
    // HTTP/2 clients send header names in lower case; without a VPC endpoint id the key is attribute 2.
    const rendered = render(t.SEND_MESSAGE_REQUEST, {
      body: "{}", requestId: REQUEST_ID, headers: { "idempotency-key": "k-1", Accept: "application/json" },
    });
    assert.deepEqual(attributesOf(rendered.output).attributes, [
      ["requestId", "String", REQUEST_ID],
      ["idempotencyKey", "String", "k-1"],
    ]);
  });

  test("a key the API cannot check travels URL-encoded, whole, for the Lambda's core to reject", () => {
    const key = `bad key & "quotes" = é`;
    const rendered = render(t.SEND_MESSAGE_REQUEST, { body: "{}", requestId: REQUEST_ID, vpceId: VPCE, headers: { "Idempotency-Key": key } });
    assert.deepEqual(attributesOf(rendered.output).attributes[2], ["idempotencyKey", "String", key]);
  });

  test("without the header (or with an empty one), no idempotencyKey attribute is sent", () => {
    const cases: Array<Record<string, string>> = [{}, { "Idempotency-Key": "" }, { "X-Other": "k" }];
    for (const headers of cases) {
      const rendered = render(t.SEND_MESSAGE_REQUEST, { body: "{}", requestId: REQUEST_ID, vpceId: VPCE, headers });
      assert.deepEqual(attributesOf(rendered.output).attributes.map(([name]) => name), ["requestId", "sourceVpce"]);
    }
  });

  const QUEUED = { SendMessageResponse: { SendMessageResult: { MessageId: "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09", MD5OfMessageBody: "x" } } };

  test("a queued message answers the contract's 200 with the queue's message id, which is the record's id", () => {
    const { output, status } = render(t.SEND_MESSAGE_OK, { requestId: REQUEST_ID, json: QUEUED });
    assert.equal(status, undefined);
    assert.deepEqual(JSON.parse(output), {
      message: "Message sent successfully.",
      requestId: REQUEST_ID,
      messageId: "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09",
      recordId: "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09",
    });
  });

  test("with an Idempotency-Key, the 200's recordId is the key (what GET /messages/{recordId} finds)", () => {
    for (const [name, key] of [["Idempotency-Key", "order-42"], ["idempotency-key", `a "quoted" \\ key`]]) {
      const { output } = render(t.SEND_MESSAGE_OK, { requestId: REQUEST_ID, json: QUEUED, headers: { [name]: key } });
      const answer = JSON.parse(output);
      assert.equal(answer.recordId, key, "JSON-escaped whatever it holds");
      assert.equal(answer.messageId, "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09");
    }
  });

  test("a 2xx from SQS without a message id is a 502, never a 200", () => {
    const { output, status } = render(t.SEND_MESSAGE_OK, { requestId: REQUEST_ID, json: { SendMessageResponse: {} } });
    assert.equal(status, 502);
    assert.deepEqual(JSON.parse(output), { message: contract.NOT_QUEUED, requestId: REQUEST_ID });
  });

  test("SQS refusing the size is the contract's 413", () => {
    const { output, status } = render(t.sendMessageFailed(MAX_BODY), {
      json: { Error: { Code: "InvalidParameterValue", Message: `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY} bytes.` } },
    });
    assert.equal(status, 413);
    const body = JSON.parse(output);
    assert.equal(body.message, "Request body too large");
    assert.equal(body.errors.length, 1);
    assert.match(body.errors[0], /^\/: body is over the limit of 262144 bytes/);
  });

  test("any other SQS failure is the integration's 502 with the request id", () => {
    for (const json of [{ Error: { Code: "AccessDenied", Message: "not authorized" } }, {}, { Error: {} }]) {
      const { output, status } = render(t.sendMessageFailed(MAX_BODY), { requestId: REQUEST_ID, json });
      assert.equal(status, undefined, "the 502 integration response's own status");
      assert.deepEqual(JSON.parse(output), { message: contract.NOT_QUEUED, requestId: REQUEST_ID });
    }
  });
});

describe("GET /messages/{id} from DynamoDB", () => {
  test("the GetItem request is strongly consistent and names the table and the id", () => {
    const request = JSON.parse(render(t.getItemRequest("MyCustomTable"), { params: { id: "0f6b1e9c-9a4e" } }).output);
    assert.deepEqual(request, { TableName: "MyCustomTable", Key: { id: { S: "0f6b1e9c-9a4e" } }, ConsistentRead: true });
  });

  test("an id with quotes, apostrophes or backslashes stays inside its JSON string", () => {
    const id = `a"b\\c/d'e`;
    const request = JSON.parse(render(t.getItemRequest("T"), { params: { id } }).output);
    assert.equal(request.Key.id.S, id);
  });

  const stored = requests.filter((r) => r.expected.route === "store");
  for (const r of stored) {
    test(`a stored record reads back as the core's record: ${r.name}`, () => {
      const record: IngestRecord = {
        ...buildRecord(r.body, "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09", 42, 1_700_000_000_456),
        received_at: "2023-11-14T22:13:20.000Z",
        request_id: REQUEST_ID,
        source_vpce: VPCE,
      };
      const { output, status } = render(t.getItemFound(limits().maxDepth), { json: { Item: recordToItem(record) } });
      assert.equal(status, undefined);
      // DynamoDB stores -0 as 0, as JSON does: compare with the record as JSON holds it.
      assert.deepEqual(JSON.parse(output), JSON.parse(JSON.stringify(record)));
    });
  }

  test("a keyed record reads back with the first message's id and its body digest", () => {
    const record: IngestRecord = {
      ...buildRecord('{"Insert":"DynamoDB"}', "order-42", 7, 0),
      message_id: "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09",
      body_sha256: "9b7c3a1f0e8d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615e4d3",
    };
    const { output } = render(t.getItemFound(limits().maxDepth), { json: { Item: recordToItem(record) } });
    assert.deepEqual(JSON.parse(output), record);
  });

  test("optional attributes absent from the item are absent from the record", () => {
    const record = buildRecord('{"Insert":"DynamoDB"}', "m-1", 7, 0);
    const { output } = render(t.getItemFound(limits().maxDepth), { json: { Item: recordToItem(record) } });
    assert.deepEqual(Object.keys(JSON.parse(output)).sort(), ["id", "message", "random_value", "timestamp"]);
  });

  test("data of every JSON type and awkward strings survives the trip", () => {
    const data = {
      quote: `it's "quoted" \\ / é 🚀 \u0001`, empty: "", n: -19.99, big: Number.MAX_SAFE_INTEGER, yes: true, no: false, nothing: null,
      list: [1, "two", [false, []], {}], map: { "key with spaces and 'quotes'": { deeper: [{}] } },
    };
    const record = buildRecord(JSON.stringify({ Insert: "DynamoDB", data }), "m-2", 100, 0);
    const { output } = render(t.getItemFound(limits().maxDepth), { json: { Item: recordToItem(record) } });
    assert.deepEqual(JSON.parse(output).data, data);
  });

  test("data nested as deep as the core allows reads back whole", () => {
    // The body's top level is depth 1 and `data` depth 2: data holds maxDepth - 2 more levels.
    let data: JsonValue = "leaf";
    for (let i = 0; i < limits().maxDepth - 2; i++) data = i % 2 === 0 ? [data] : { a: data };
    const body = JSON.stringify({ Insert: "DynamoDB", data: { a: data } });
    const record = buildRecord(body, "m-3", 1, 0);
    const { output } = render(t.getItemFound(limits().maxDepth), { json: { Item: recordToItem(record) } });
    assert.deepEqual(JSON.parse(output), record);
  });

  // Row 7 of issue 10: DynamoDB answers 400 for throttling, AccessDenied and
  // ResourceNotFound alike; only an absent item is a 404.
  for (const [type, status, message] of [
    ["ProvisionedThroughputExceededException", 429, "Too many requests; send it again later."],
    ["ThrottlingException", 429, "Too many requests; send it again later."],
    ["RequestLimitExceeded", 429, "Too many requests; send it again later."],
    ["AccessDeniedException", undefined, "The record could not be read."],
    ["ResourceNotFoundException", undefined, "The record could not be read."],
    ["ValidationException", undefined, "The record could not be read."],
    ["InternalServerError", undefined, "The record could not be read."],
  ] as const) {
    test(`DynamoDB's 4xx ${type} is ${status ?? "the 502"} with the contract's body, never a 404`, () => {
      const json = { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: "x" };
      const { output, status: override } = render(t.GET_ITEM_REFUSED, { requestId: REQUEST_ID, json });
      assert.equal(override, status);
      assert.deepEqual(JSON.parse(output), { message, requestId: REQUEST_ID });
    });
  }

  test("no item is the contract's 404", () => {
    const { output, status } = render(t.getItemFound(limits().maxDepth), { json: {} });
    assert.equal(status, 404);
    assert.deepEqual(JSON.parse(output), { message: "Not found" });
  });
});

describe("API Gateway's own refusals", () => {
  const responses = new Map(t.gatewayResponses(MAX_BODY).map((r) => [r.responseType, r]));

  test("a body the model rejects is the contract's 400, with the validator's errors", () => {
    const r = responses.get("BAD_REQUEST_BODY")!;
    assert.equal(r.statusCode, "400");
    // API Gateway's validator string, quotes already escaped as it substitutes it.
    const validator = '[object has missing required properties ([\\"Insert\\"])]';
    const body = JSON.parse(substitute(r.template, { "$context.error.validationErrorString": validator }));
    assert.deepEqual(body, {
      message: "Invalid request body",
      errors: ['/: [object has missing required properties (["Insert"])]'],
    });
  });

  test("a wrong content type is the contract's 415", () => {
    const r = responses.get("UNSUPPORTED_MEDIA_TYPE")!;
    assert.equal(r.statusCode, "415");
    assert.deepEqual(JSON.parse(r.template), {
      message: "Unsupported media type",
      errors: ["/: Content-Type must be application/json"],
    });
  });

  test("a body over API Gateway's own limit is the contract's 413", () => {
    const r = responses.get("REQUEST_TOO_LARGE")!;
    assert.equal(r.statusCode, "413");
    assert.equal(JSON.parse(r.template).message, "Request body too large");
  });

  test("the stage's throttle is the contract's 429", () => {
    const r = responses.get("THROTTLED")!;
    assert.equal(r.statusCode, "429");
    const body = JSON.parse(substitute(r.template, { "$context.requestId": REQUEST_ID }));
    assert.deepEqual(body, { message: "Too many requests; send it again later.", requestId: REQUEST_ID });
  });

  test("an unknown path is a 404, not API Gateway's 403 Missing Authentication Token", () => {
    const r = responses.get("MISSING_AUTHENTICATION_TOKEN")!;
    assert.equal(r.statusCode, "404");
    assert.deepEqual(JSON.parse(r.template), { message: "Not found" });
  });
});
