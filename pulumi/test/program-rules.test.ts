/**
 * The program as `pulumi up` runs it (index.ts) with `routingRules` set to the IoT rules
 * file: the rules reach the function's environment as the core's compact JSON, and the
 * page's bucket publishes them beside the page.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import { runProgramOffline, type OfflineRun } from "../tools/offlineProgram";

const sample = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "sample-config.json"), "utf8"));
const IOT = "fixtures/rules/iot-thresholds.json";
const iot = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", IOT), "utf8"));
let run: OfflineRun;

before(async () => {
  run = await runProgramOffline({ ...sample, routingRules: IOT });
});

test("good rules reach the function as ROUTING_RULES, compact, with every other variable kept", () => {
  const fn = run.mocks.only("aws:lambda/function:Function");
  const variables = fn.inputs.environment.variables as Record<string, string>;
  assert.deepEqual(JSON.parse(variables.ROUTING_RULES), iot);
  assert.ok(!variables.ROUTING_RULES.includes("\n"), "compact JSON");
  for (const name of ["TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "TOPIC_ARN", "NOTIFICATION_INCLUDES_DATA", "METRICS_NAMESPACE"]) {
    assert.ok(name in variables, name);
  }
  const size = Object.entries(variables).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(String(v)), 0);
  assert.ok(size <= 4096, `${size} bytes of environment`);
});

test("the rules in force are published beside the page as routing-rules.json", () => {
  const object = run.mocks.ofType("aws:s3/bucketObjectv2:BucketObjectv2").find((o) => o.inputs.key === "routing-rules.json");
  assert.ok(object, "routing-rules.json is uploaded");
  assert.equal(object.inputs.contentType, "application/json");
  const published = JSON.parse(Buffer.from(object.inputs.content, "base64").toString("utf8"));
  assert.deepEqual(published, { rules: iot, notificationIncludesData: sample.notificationIncludesData === "true" });
});
