/**
 * The `routingRules` setting, read as the program reads it: a file path or inline JSON,
 * checked by the core through the Wasm module (errors name the rule and field), the
 * function's environment held to Lambda's 4 KB, and the rules published beside the page.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
  environmentProblem,
  LAMBDA_ENVIRONMENT_BYTES,
  readRoutingRules,
  routingRulesAsset,
  ROUTING_RULES_ASSET,
} from "../routingRules";
import { projectConfig } from "../settings";

const repoRoot = path.resolve(__dirname, "..", "..");
const IOT = "fixtures/rules/iot-thresholds.json";
const bounds = { tableName: "t", idempotencyTableName: "t-idempotency", topicName: "n", metricsNamespace: "PrivateIngest" };

describe("routingRules: where the rules come from", () => {
  test("no setting, or an empty one, means the routing on Insert", () => {
    assert.deepEqual(readRoutingRules(undefined, repoRoot), { ok: true, rules: null });
    assert.deepEqual(readRoutingRules("  ", repoRoot), { ok: true, rules: null });
  });

  test("a file path is read from the repository root and made compact", () => {
    const read = readRoutingRules(IOT, repoRoot);
    assert.ok(read.ok && read.rules !== null);
    assert.equal(read.rules.source, path.join(repoRoot, IOT));
    assert.deepEqual(read.rules.ruleNames, ["overheat", "freezing", "low-battery"]);
    assert.deepEqual(JSON.parse(read.rules.compact), JSON.parse(fs.readFileSync(path.join(repoRoot, IOT), "utf8")));
    assert.ok(!read.rules.compact.includes("\n"));
  });

  test("inline JSON keeps every digit: a 38-digit threshold is not rounded on the way", () => {
    const inline =
      '{"rules":[{"name":"exact","when":{"path":"/data/n","op":"gt","value":12345678901234567890123456789012345678},"then":["notify"]}]}';
    const config = projectConfig({ "private-ingest:routingRules": inline }, "private-ingest");
    assert.equal(config.routingRules, inline, "the setting stays text");
    const read = readRoutingRules(config.routingRules, repoRoot);
    assert.ok(read.ok && read.rules !== null);
    assert.match(read.rules.compact, /"value":12345678901234567890123456789012345678\}/);
  });

  test("bad rules are refused naming the rule index and field", () => {
    const bad = '{"rules":[{"name":"overheat","when":{"path":"/data/temperature","op":"gte","value":80},"then":["store"]}]}';
    assert.deepEqual(readRoutingRules(bad, repoRoot), {
      ok: false,
      problems: [
        'routingRules: rules[0].when.op: "gte" is not an operator; one of eq, ne, lt, le, gt, ge, exists, in, prefix (did you mean "ge"?)',
      ],
    });
  });

  test("a file that cannot be read is named", () => {
    const read = readRoutingRules("no/such/rules.json", repoRoot);
    assert.ok(!read.ok);
    assert.match(read.problems[0], /^routingRules: cannot read .*no\/such\/rules\.json: ENOENT/);
  });

  test("a file past the core's limit is refused without reading it whole", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "private-ingest-rules-"));
    const big = path.join(dir, "big.json");
    fs.writeFileSync(big, " ".repeat(200 * 1024));
    const read = readRoutingRules(big, repoRoot);
    assert.ok(!read.ok);
    assert.match(read.problems[0], /^routingRules: \(document\): 65537 bytes; the limit is 65536/);
  });
});

describe("routingRules: the function's environment stays within Lambda's 4 KB", () => {
  test("the IoT rules fit with room to spare", () => {
    const read = readRoutingRules(IOT, repoRoot);
    assert.ok(read.ok && read.rules !== null);
    assert.equal(environmentProblem(read.rules, bounds), null);
  });

  test("the largest document the core takes, with the longest names, is refused before deploying", () => {
    const description = "d".repeat(190);
    const rules = Array.from({ length: 11 }, (_, i) => ({
      name: `r${i}`,
      description,
      when: { path: "/data/x", op: "exists" },
      then: ["store"],
    }));
    const read = readRoutingRules(JSON.stringify({ rules }), repoRoot);
    assert.ok(read.ok && read.rules !== null, JSON.stringify(read));
    const long = "x".repeat(243);
    const problem = environmentProblem(read.rules, {
      tableName: long,
      idempotencyTableName: `${long}-idempotency`,
      topicName: long,
      metricsNamespace: long,
    });
    assert.ok(problem !== null);
    assert.match(problem, /could reach \d+ bytes; Lambda allows 4096 \(4 KB\)/);
    assert.equal(LAMBDA_ENVIRONMENT_BYTES, 4096);
  });
});

test("routing-rules.json beside the page is what the page reads: the document and the content setting", () => {
  const read = readRoutingRules(IOT, repoRoot);
  assert.ok(read.ok && read.rules !== null);
  const asset = routingRulesAsset(read.rules, false);
  assert.equal(asset.key, ROUTING_RULES_ASSET);
  assert.equal(asset.contentType, "application/json");
  const published = JSON.parse(Buffer.from(asset.base64, "base64").toString("utf8"));
  assert.deepEqual(published, { rules: JSON.parse(read.rules.compact), notificationIncludesData: false });
  const none = JSON.parse(Buffer.from(routingRulesAsset(null, true).base64, "base64").toString("utf8"));
  assert.deepEqual(none, { rules: null, notificationIncludesData: true });
});
