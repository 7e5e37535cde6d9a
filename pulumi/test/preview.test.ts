/**
 * `npm run preview:offline -- --json`: a reviewer's view of what `pulumi up` would
 * create, every input whole.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { previewJson } from "./previewJson";

test("preview:offline --json prints every declared resource as {type, name, inputs, id, outputs}", () => {
  const resources = previewJson("offline");
  for (const r of resources) assert.deepEqual(Object.keys(r), ["type", "name", "inputs", "id", "outputs"]);
  const types = new Set(resources.map((r) => r.type));
  for (const type of [
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/domainName:DomainName",
    "aws:apigateway/basePathMapping:BasePathMapping",
    "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation",
    "aws:route53/record:Record",
    "aws:sqs/queue:Queue",
    "aws:dynamodb/table:Table",
    "aws:sns/topic:Topic",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:lambda/function:Function",
    "aws:iam/role:Role",
    "aws:lambda/eventSourceMapping:EventSourceMapping",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
  ])
    assert.ok(types.has(type), `the preview lists ${type}`);
  const domain = resources.find((r) => r.type === "aws:apigateway/domainName:DomainName")!;
  assert.equal(domain.inputs.domainName, "api.private.example.internal", "from sample-config.json");
  const model = resources.find((r) => r.type === "aws:apigateway/model:Model")!;
  assert.ok(!model.inputs.schema.includes("…"), "long inputs are printed whole");
  const template = resources.find((r) => r.name === "private-ingest-get-message-200-response")!;
  assert.ok(template.inputs.responseTemplates["application/json"].length > 200, "the 32-level read template, whole");
});
