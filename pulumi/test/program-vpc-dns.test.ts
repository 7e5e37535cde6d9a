/**
 * Row 2 of issue 10: a VPC without DNS hostnames (a "VPC only" VPC) cannot hold the
 * interface endpoints' names or the private hosted zone's alias. The program must stop
 * before declaring anything, naming both attributes, instead of failing half-way.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { runProgramOffline } from "../tools/offlineProgram";
import { RecordingMocks } from "../tools/recordingMocks";

const sample = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "sample-config.json"), "utf8"));

test("a VPC with DNS hostnames off stops the program before any resource, naming both attributes", async () => {
  const mocks = new RecordingMocks({ enableDnsSupport: true, enableDnsHostnames: false });
  await assert.rejects(runProgramOffline(sample, mocks), (e: unknown) => {
    assert.ok(e instanceof pulumi.RunError);
    assert.match(e.message, /vpcId: vpc-0123456789abcdef0 has enableDnsHostnames=false; /);
    assert.match(e.message, /need enableDnsSupport and enableDnsHostnames both true/);
    return true;
  });
  assert.deepEqual(mocks.resources, [], "nothing was declared");
  assert.ok(mocks.calls.includes("aws:ec2/getVpc:getVpc"), "the VPC was looked up");
});
