/**
 * The program as `pulumi up` runs it (index.ts), with the sample settings under mocks:
 * it looks up only what it needs, declares the one component and exports what a user
 * needs to reach the stack.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { runProgramOffline, type OfflineRun } from "../tools/offlineProgram";
import { valueOf } from "../tools/recordingMocks";

const sample = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "sample-config.json"), "utf8"));
let run: OfflineRun;

before(async () => {
  run = await runProgramOffline(sample);
});

test("the program declares one PrivateIngest component and everything else inside it", () => {
  const components = run.mocks.ofType("private-ingest:stack:PrivateIngest");
  assert.equal(components.length, 1);
  assert.ok(run.mocks.resources.length > 50, `${run.mocks.resources.length} resources`);
});

test("the stack exports the private URL, the curl tests, the queues, table, topic and VPC endpoint", async () => {
  const exported = Object.entries(run.exports)
    .filter(([, v]) => pulumi.Output.isInstance(v))
    .map(([k]) => k)
    .sort();
  assert.deepEqual(exported, [
    "curlNotify",
    "curlStore",
    "dashboardName",
    "deadLetterQueueUrl",
    "executeApiVpcEndpointId",
    "functionName",
    "idempotencyTableName",
    "privateUrl",
    "queueUrl",
    "restApiId",
    "tableName",
    "topicArn",
  ]);
  assert.equal(await valueOf(run.exports.privateUrl), `https://${sample.customDomainName}/`);
  assert.equal(await valueOf(run.exports.queueUrl), `https://sqs.eu-west-1.amazonaws.com/123456789012/${sample.queueName}`);
});

test("the settings reach the resources: names and knobs from the stack settings", () => {
  assert.deepEqual(
    run.mocks
      .ofType("aws:dynamodb/table:Table")
      .map((t) => t.inputs.name)
      .sort(),
    [sample.tableName, `${sample.tableName}-idempotency`],
  );
  assert.equal(run.mocks.only("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.batchSize, Number(sample.batchSize));
  assert.equal(run.mocks.only("aws:lambda/function:Function").inputs.memorySize, Number(sample.lambdaMemoryMb));
});

test("only the account, region, partition and VPC are read; anything else would throw", () => {
  assert.deepEqual([...new Set(run.mocks.calls)].sort(), [
    "aws:ec2/getVpc:getVpc",
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:index/getRegion:getRegion",
  ]);
  assert.throws(
    () => run.mocks.call({ token: "aws:ec2/getSubnets:getSubnets", inputs: {} } as never),
    /unexpected data-source call/,
  );
});
