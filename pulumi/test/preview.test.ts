//! `npm run preview:offline -- --json`: a reviewer's view of what `pulumi up` would create.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";

test("preview:offline --json prints every declared resource as {type, name, inputs}", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", "preview-offline.ts", "--json"], {
    cwd: path.join(__dirname, ".."),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
  const resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = JSON.parse(out);
  for (const r of resources) assert.deepEqual(Object.keys(r), ["type", "name", "inputs"]);
  const types = new Set(resources.map((r) => r.type));
  for (const type of [
    "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/securityGroup:SecurityGroup", "aws:apigateway/restApi:RestApi",
    "aws:apigateway/domainName:DomainName", "aws:apigateway/basePathMapping:BasePathMapping",
    "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation", "aws:route53/record:Record",
    "aws:sqs/queue:Queue", "aws:dynamodb/table:Table", "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription",
    "aws:lambda/function:Function", "aws:iam/role:Role", "aws:lambda/eventSourceMapping:EventSourceMapping",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
  ]) assert.ok(types.has(type), `the preview lists ${type}`);
  const domain = resources.find((r) => r.type === "aws:apigateway/domainName:DomainName")!;
  assert.equal(domain.inputs.domainName, "api.private.example.internal", "from sample-config.json");
});
