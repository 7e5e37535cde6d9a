//! The program as `pulumi up` runs it (index.ts), with the sample config under mocks: it
//! declares the one component and exports what a user needs to reach the stack.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { runProgramOffline, type OfflineRun } from "../offlineProgram";
import { valueOf } from "../recordingMocks";

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
  const exported = Object.keys(run.exports).filter((k) => pulumi.Output.isInstance(run.exports[k])).sort();
  assert.deepEqual(exported, [
    "curlNotify", "curlStore", "deadLetterQueueUrl", "executeApiVpcEndpointId", "functionName",
    "privateUrl", "queueUrl", "restApiId", "tableName", "topicArn",
  ]);
  assert.equal(await valueOf(run.exports.privateUrl as pulumi.Output<string>), `https://${sample.customDomainName}/`);
  assert.equal(await valueOf(run.exports.queueUrl as pulumi.Output<string>),
    `https://sqs.eu-west-1.amazonaws.com/123456789012/${sample.queueName}`);
});

test("the settings reach the resources: names and knobs from the config", () => {
  assert.equal(run.mocks.only("aws:dynamodb/table:Table").inputs.name, sample.tableName);
  assert.equal(run.mocks.only("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.batchSize, Number(sample.batchSize));
  assert.equal(run.mocks.only("aws:lambda/function:Function").inputs.memorySize, Number(sample.lambdaMemoryMb));
});
