/**
 * The API's mapping templates, rendered by a Velocity engine with API Gateway's
 * variables (./vtl.ts): what reaches SQS and DynamoDB, and what the caller gets back,
 * checked against the contract (hand-written expectations) and, for the read-back of a
 * record, against the items the Rust store adapter really writes
 * (fixtures/dynamodb-items.json, kept current by handler/tests/dynamodb_items.rs).
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { limits } from "../../wasm/pkg-node/private_ingest_wasm";
import * as t from "../mappingTemplates";
import { javaEscapeJavaScript, javaUrlEncode, render, substitute } from "./vtl";

const fixture = <T>(name: string): T =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", name), "utf8")) as T;

interface RequestVector {
  readonly name: string;
  readonly body: string;
  /** Written by hand: where the body goes (null: refused). */
  readonly meaning: { readonly route: "store" | "notify" | null };
}
const requests = fixture<RequestVector[]>("requests.json");

/** A record the Rust adapter wrote: the record (the core's JSON) and the DynamoDB item it sent. */
interface StoredItem {
  readonly name: string;
  readonly record: Record<string, unknown>;
  readonly item: Record<string, unknown>;
}
const stored = fixture<StoredItem[]>("dynamodb-items.json");

const REQUEST_ID = "5f1e7d4c-2b3a-4c5d-8e9f-0a1b2c3d4e5f";
const VPCE = "vpce-0e1a2b3c4d5e6f701";
const MAX_BODY = limits().maxBodyBytes;
/** The contract's answer for a failed queue write, as ARCHITECTURE.md states it. */
const NOT_QUEUED = "The message could not be queued; it was not accepted, send it again.";

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
      [
        ["requestId", "String", REQUEST_ID],
        ["sourceVpce", "String", VPCE],
      ],
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
      body: "{}",
      requestId: REQUEST_ID,
      vpceId: VPCE,
      headers: { "Idempotency-Key": "order-42:attempt.1" },
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
      body: "{}",
      requestId: REQUEST_ID,
      headers: { "idempotency-key": "k-1", Accept: "application/json" },
    });
    assert.deepEqual(attributesOf(rendered.output).attributes, [
      ["requestId", "String", REQUEST_ID],
      ["idempotencyKey", "String", "k-1"],
    ]);
  });

  test("a key the API cannot check travels URL-encoded, whole, for the Lambda's core to reject", () => {
    const key = `bad key & "quotes" = é`;
    const rendered = render(t.SEND_MESSAGE_REQUEST, {
      body: "{}",
      requestId: REQUEST_ID,
      vpceId: VPCE,
      headers: { "Idempotency-Key": key },
    });
    assert.deepEqual(attributesOf(rendered.output).attributes[2], ["idempotencyKey", "String", key]);
  });

  test("without the header (or with an empty one), no idempotencyKey attribute is sent", () => {
    const cases: Array<Record<string, string>> = [{}, { "Idempotency-Key": "" }, { "X-Other": "k" }];
    for (const headers of cases) {
      const rendered = render(t.SEND_MESSAGE_REQUEST, { body: "{}", requestId: REQUEST_ID, vpceId: VPCE, headers });
      assert.deepEqual(
        attributesOf(rendered.output).attributes.map(([name]) => name),
        ["requestId", "sourceVpce"],
      );
    }
  });

  const QUEUED = {
    SendMessageResponse: { SendMessageResult: { MessageId: "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09", MD5OfMessageBody: "x" } },
  };

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
    for (const [name, key] of [
      ["Idempotency-Key", "order-42"],
      ["idempotency-key", `a "quoted" \\ key`],
    ]) {
      const { output } = render(t.SEND_MESSAGE_OK, { requestId: REQUEST_ID, json: QUEUED, headers: { [name]: key } });
      const answer = JSON.parse(output);
      assert.equal(answer.recordId, key, "JSON-escaped whatever it holds");
      assert.equal(answer.messageId, "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09");
    }
  });

  test("a 2xx from SQS without a message id is the contract's 503, never a 200", () => {
    const { output, status } = render(t.SEND_MESSAGE_OK, { requestId: REQUEST_ID, json: { SendMessageResponse: {} } });
    assert.equal(status, 503);
    assert.deepEqual(JSON.parse(output), { message: NOT_QUEUED, errors: [], requestId: REQUEST_ID });
  });

  test("SQS refusing the size is the contract's 413", () => {
    const { output, status } = render(t.SEND_MESSAGE_FAILED, {
      json: {
        Error: {
          Code: "InvalidParameterValue",
          Message: `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY} bytes.`,
        },
      },
    });
    assert.equal(status, 413);
    const body = JSON.parse(output);
    assert.equal(body.message, "Request body too large");
    assert.deepEqual(body.errors, ["/: body is over the limit of 262144 bytes (256 KiB, the SQS message size limit)"]);
  });

  test("any other SQS failure is the contract's 503 with the request id, as the local stack answers", () => {
    assert.equal(t.NOT_QUEUED_STATUS, "503", "the integration response that catches every other answer");
    for (const json of [{ Error: { Code: "AccessDenied", Message: "not authorized" } }, {}, { Error: {} }]) {
      const { output, status } = render(t.SEND_MESSAGE_FAILED, { requestId: REQUEST_ID, json });
      assert.equal(status, undefined, "the 503 integration response's own status");
      assert.deepEqual(JSON.parse(output), { message: NOT_QUEUED, errors: [], requestId: REQUEST_ID });
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

  test("the adapter's items cover every store-route vector and the awkward cases", () => {
    const names = new Set(stored.map((s) => s.name));
    for (const r of requests.filter((r) => r.meaning.route === "store")) assert.ok(names.has(r.name), r.name);
    for (const name of [
      "no optional attribute",
      "keyed by an Idempotency-Key",
      "every JSON type and awkward strings",
      "data nested as deep as the core allows",
    ]) {
      assert.ok(names.has(name), name);
    }
  });

  for (const s of stored) {
    test(`a record the Rust adapter wrote reads back as that record: ${s.name}`, () => {
      const { output, status } = render(t.getItemFound(limits().maxDepth), { json: { Item: s.item } });
      assert.equal(status, undefined);
      assert.deepEqual(JSON.parse(output), s.record);
    });
  }

  test("a keyed record reads back with the key as its id, the first message's id and its body digest", () => {
    const keyed = stored.find((s) => s.name === "keyed by an Idempotency-Key")!;
    const { output } = render(t.getItemFound(limits().maxDepth), { json: { Item: keyed.item } });
    const record = JSON.parse(output);
    assert.equal(record.id, "order-42:attempt.1");
    assert.equal(record.message_id, "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09");
    assert.match(record.body_sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(record, keyed.record);
  });

  test("optional attributes absent from the item are absent from the record", () => {
    const minimal = stored.find((s) => s.name === "no optional attribute")!;
    const { output } = render(t.getItemFound(limits().maxDepth), { json: { Item: minimal.item } });
    assert.deepEqual(Object.keys(JSON.parse(output)).sort(), ["id", "message", "random_value", "timestamp"]);
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
      assert.deepEqual(JSON.parse(output), { message, errors: [], requestId: REQUEST_ID });
    });
  }

  test("no item is the contract's 404", () => {
    const { output, status } = render(t.getItemFound(limits().maxDepth), { json: {} });
    assert.equal(status, 404);
    assert.deepEqual(JSON.parse(output), { message: "Not found", errors: [] });
  });
});

describe("API Gateway's own refusals", () => {
  const responses = new Map(t.GATEWAY_RESPONSES.map((r) => [r.responseType, r]));

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
    assert.deepEqual(JSON.parse(r.template), {
      message: "Request body too large",
      errors: ["/: body is over the limit of 262144 bytes (256 KiB, the SQS message size limit)"],
    });
  });

  test("the stage's throttle is the contract's 429", () => {
    const r = responses.get("THROTTLED")!;
    assert.equal(r.statusCode, "429");
    const body = JSON.parse(substitute(r.template, { "$context.requestId": REQUEST_ID }));
    assert.deepEqual(body, { message: "Too many requests; send it again later.", errors: [], requestId: REQUEST_ID });
  });

  test("an unknown path is a 404, not API Gateway's 403 Missing Authentication Token", () => {
    const r = responses.get("MISSING_AUTHENTICATION_TOKEN")!;
    assert.equal(r.statusCode, "404");
    assert.deepEqual(JSON.parse(r.template), { message: "Not found", errors: [] });
  });
});
