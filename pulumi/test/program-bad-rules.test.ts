/**
 * The program as `pulumi up` runs it (index.ts) with bad routing rules: it must stop
 * before declaring or looking up anything, naming the rule and the field.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { runProgramOffline } from "../tools/offlineProgram";
import { RecordingMocks } from "../tools/recordingMocks";

const sample = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "sample-config.json"), "utf8"));

test("bad routing rules stop the program before any resource exists, naming the rule", async () => {
  const mocks = new RecordingMocks();
  const routingRules = JSON.stringify({
    rules: [
      { name: "overheat", when: { path: "/data/temperature", op: "gt", value: 80 }, then: ["store", "notify"] },
      { name: "cold", when: { path: "/data/temperature", op: "lt", value: "0" }, then: ["notify"] },
    ],
  });
  await assert.rejects(runProgramOffline({ ...sample, routingRules }, mocks), (e: unknown) => {
    assert.ok(e instanceof pulumi.RunError, "a RunError: Pulumi prints the message without a stack trace");
    assert.match(
      e.message,
      /routingRules: rules\[1\]\.when\.value: "lt" compares numbers; found string \(strings compare with eq, ne, in and prefix\)/,
    );
    return true;
  });
  assert.deepEqual(mocks.resources, [], "no resource was declared");
  assert.deepEqual(mocks.calls, [], "nothing was looked up");
});
