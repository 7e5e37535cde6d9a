/**
 * The CloudFormation rendering (tools/cfn) that `make test-cloud-lint` lints: every
 * declared type is mapped, every input consumed, references become Ref/GetAtt, and
 * Pulumi's split resources fold into their CloudFormation parents.
 */

import assert from "node:assert/strict";
import { before, test } from "node:test";
import { render, type CfnResource, type Rendering } from "../tools/cfn/template";
import { runProgramOffline } from "../tools/offlineProgram";
import type { RecordedResource } from "../tools/recordingMocks";
import { SAMPLE } from "./stackUnderMocks";

let resources: RecordedResource[];
let rendering: Rendering;
const ofType = (type: string): Array<[string, CfnResource]> =>
  Object.entries(rendering.template.Resources).filter(([, r]) => r.Type === type);

before(async () => {
  resources = (await runProgramOffline(SAMPLE)).mocks.resources;
  rendering = render(resources);
});

test("every declared resource renders, folds into a parent, or is skipped with a reason", () => {
  // The page's files are declared only when `make web` has built web/dist, so whether
  // they appear depends on the checkout; when they do, they are skipped by design.
  const pageFiles = resources.filter((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2").length;
  const expectedSkips = ["private-ingest:stack:PrivateIngest"];
  if (pageFiles > 0) expectedSkips.push("aws:s3/bucketObjectv2:BucketObjectv2");
  assert.deepEqual([...rendering.skipped.keys()], expectedSkips);
  const types = new Set(Object.values(rendering.template.Resources).map((r) => r.Type));
  for (const t of [
    "AWS::ApiGateway::DomainNameV2",
    "AWS::ApiGateway::BasePathMappingV2",
    "AWS::ApiGateway::DomainNameAccessAssociation",
  ]) {
    assert.ok(types.has(t), t);
  }
  assert.ok(!types.has("AWS::IAM::RolePolicy"), "inline role policies live in their roles");
});

test("a type without a mapping fails the rendering", () => {
  const extra = { type: "aws:ec2/instance:Instance", name: "x", inputs: {}, id: "i-1", outputs: {} };
  assert.throws(() => render([...resources, extra]), /no CloudFormation mapping for aws:ec2\/instance:Instance/);
});

test("an input the rendering does not consume fails it", () => {
  const changed = resources.map((r) =>
    r.type === "aws:sqs/queue:Queue" ? { ...r, inputs: { ...r.inputs, fifoQueue: true } } : r,
  );
  assert.throws(() => render(changed), /Queue private-ingest-(queue|dlq): the rendering does not consume fifoQueue/);
});

test("references become Ref and Fn::GetAtt, so cfn-lint's cross-resource rules fire", () => {
  const [[, esm]] = ofType("AWS::Lambda::EventSourceMapping");
  assert.deepEqual(esm.Properties.EventSourceArn, { "Fn::GetAtt": ["PrivateIngestQueue", "Arn"] });
  assert.deepEqual(esm.Properties.FunctionName, { "Fn::GetAtt": ["PrivateIngestProcessorFunction", "Arn"] });
  const queue = rendering.template.Resources.PrivateIngestQueue.Properties;
  assert.deepEqual((queue.RedrivePolicy as Record<string, unknown>).deadLetterTargetArn, {
    "Fn::GetAtt": ["PrivateIngestDlq", "Arn"],
  });
});

test("split Pulumi resources fold into their parents: integration and responses into the method, policies into roles and endpoints", () => {
  const [[, send]] = ofType("AWS::ApiGateway::Method").filter(([id]) => id === "PrivateIngestSendMessageMethod");
  const integration = send.Properties.Integration as { Type: string; IntegrationResponses: { StatusCode: string }[] };
  assert.equal(integration.Type, "AWS");
  assert.deepEqual(integration.IntegrationResponses.map((r) => r.StatusCode).sort(), ["200", "503"]);
  assert.deepEqual((send.Properties.MethodResponses as { StatusCode: string }[]).map((r) => r.StatusCode).sort(), [
    "200",
    "413",
    "503",
  ]);
  const role = rendering.template.Resources.PrivateIngestLambdaRole.Properties;
  assert.equal((role.Policies as unknown[]).length, 1);
  for (const [id, endpoint] of ofType("AWS::EC2::VPCEndpoint"))
    assert.ok(endpoint.Properties.PolicyDocument, `${id} has its policy`);
  const bucket = rendering.template.Resources.PrivateIngestPage.Properties;
  assert.ok(bucket.PublicAccessBlockConfiguration && bucket.BucketEncryption && bucket.OwnershipControls);
});

test("every policy document the program writes is handed to parliament", () => {
  const kinds = rendering.policies.map((p) => p.kind);
  assert.equal(kinds.filter((k) => k === "trust").length, 4, "four roles");
  assert.equal(kinds.filter((k) => k === "identity").length, 4, "their inline policies");
  assert.equal(kinds.filter((k) => k === "resource").length, 10, "key, 2 queues, topic, bucket, API, domain, 3 endpoints");
});

test("the dedupe table renders with its TTL on expires_at; the record table has none", () => {
  const tables: Record<string, Record<string, unknown>> = Object.fromEntries(
    ofType("AWS::DynamoDB::Table").map(([, t]) => [String(t.Properties.TableName), t.Properties]),
  );
  const name = String(SAMPLE.tableName);
  assert.deepEqual(Object.keys(tables).sort(), [name, `${name}-idempotency`]);
  assert.deepEqual(tables[`${name}-idempotency`].TimeToLiveSpecification, { AttributeName: "expires_at", Enabled: true });
  assert.equal(tables[name].TimeToLiveSpecification, undefined);
  for (const t of Object.values(tables)) {
    assert.deepEqual(t.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(t.SSESpecification, { SSEEnabled: true });
  }
});
