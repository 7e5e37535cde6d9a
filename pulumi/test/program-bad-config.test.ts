/**
 * The program as `pulumi up` runs it (index.ts), with bad stack settings: it must stop
 * before declaring a single resource, naming every bad key and why.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { runProgramOffline } from "../tools/offlineProgram";
import { RecordingMocks } from "../tools/recordingMocks";

test("bad stack settings stop the program before any resource exists, with every key and reason", async () => {
  const mocks = new RecordingMocks();
  await assert.rejects(
    runProgramOffline(
      {
        vpcId: "vpc-nothex!",
        subnetIds: "[]",
        customDomainName: "*.example.com",
        certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e",
        privateHostedZoneId: "Z0123456789ABCDEFGHIJ",
        routeTableIds: "rtb-0123456789abcdef0",
        subscriptionEmail: "ops@example.com",
        batchSize: "20",
      },
      mocks,
    ),
    (e: unknown) => {
      assert.ok(e instanceof pulumi.RunError, "a RunError: Pulumi prints the message without a stack trace");
      const lines = e.message.split("\n").filter((l) => l.startsWith("  "));
      assert.deepEqual(
        lines.map((l) => l.trim().split(":")[0]),
        ["vpcId", "subnetIds", "customDomainName", "batchSize"],
      );
      assert.match(e.message, /customDomainName: "\*\.example\.com" is not a valid domain name: wildcards are not allowed/);
      assert.match(e.message, /batchSize: 20 is out of range \(1 to 10\)/);
      return true;
    },
  );
  assert.deepEqual(mocks.resources, [], "no resource was declared");
  assert.deepEqual(mocks.calls, [], "nothing was looked up");
});
