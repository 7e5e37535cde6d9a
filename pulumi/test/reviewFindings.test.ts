/**
 * The review findings of issue 10, row by row, on the stack declared with the default
 * settings: each test would have caught its row. (Row 2 is in program-vpc-dns.test.ts,
 * row 5's two stacks in twoStacks.test.ts, row 7 in mappingTemplates.test.ts, rows 12
 * and 13 in policies.test.ts, the opt-in settings in reviewFindings-optIn.test.ts.)
 */

import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { before, describe, test } from "node:test";
import { EC2_DESCRIPTION } from "../network";
import type { PolicyDocument } from "../policies";
import { FAKE_ACCOUNT, FAKE_IDS, type RecordedInputs, type RecordingMocks, valueOf } from "../tools/recordingMocks";
import { declareStack, type DeclaredStack } from "./stackUnderMocks";

let declared: DeclaredStack;
let mocks: RecordingMocks;
const doc = (json: string): PolicyDocument => JSON.parse(json);

before(async () => {
  declared = await declareStack();
  mocks = declared.mocks;
});

test("row 1: every security group and rule description is one EC2 accepts", () => {
  const described = [
    ...mocks.ofType("aws:ec2/securityGroup:SecurityGroup"),
    ...mocks.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
    ...mocks.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
  ];
  assert.equal(described.length, 2 + 3 + 2);
  for (const r of described) assert.match(r.inputs.description, EC2_DESCRIPTION, r.name);
  assert.doesNotMatch("the Lambda's HTTPS", EC2_DESCRIPTION, "the description that failed the first deploy");
});

test("row 3: the execute-api endpoint has no private DNS unless the settings ask", () => {
  const endpoint = mocks.named("aws:ec2/vpcEndpoint:VpcEndpoint", "pi-execute-api-endpoint").inputs;
  assert.equal(endpoint.privateDnsEnabled, false);
});

test("row 4: the region's API Gateway account settings are not owned by default", () => {
  assert.deepEqual(mocks.ofType("aws:apigateway/account:Account"), []);
  assert.ok(!mocks.ofType("aws:iam/role:Role").some((r) => r.name.includes("logging")));
});

test("row 5: names that are not settings carry the stack's name", () => {
  const groups = mocks.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.name);
  assert.deepEqual(groups.sort(), [
    "/private-ingest/test/api-access",
    "/private-ingest/test/lambda",
    `API-Gateway-Execution-Logs_${FAKE_IDS.restApi}/prod`,
  ]);
});

describe("row 6: the deployment's fingerprint covers every input of every API part", () => {
  const apiPartTypes = [
    "aws:apigateway/restApiPolicy:RestApiPolicy",
    "aws:apigateway/model:Model",
    "aws:apigateway/requestValidator:RequestValidator",
    "aws:apigateway/resource:Resource",
    "aws:apigateway/method:Method",
    "aws:apigateway/integration:Integration",
    "aws:apigateway/methodResponse:MethodResponse",
    "aws:apigateway/integrationResponse:IntegrationResponse",
    "aws:apigateway/response:Response",
    "aws:iam/rolePolicy:RolePolicy",
  ];

  test("each API part's recorded inputs are in the definition the trigger hashes", async () => {
    const definition = (await valueOf(declared.stack.apiFingerprintDefinition)) as Array<{ name?: string; args?: unknown }>;
    const byName = new Map(definition.filter((d) => d.name).map((d) => [d.name, JSON.parse(JSON.stringify(d.args))]));
    const parts = mocks.resources.filter((r) => apiPartTypes.includes(r.type) && !r.name.startsWith("pi-lambda"));
    assert.ok(parts.length > 30, `${parts.length} parts`);
    for (const part of parts) {
      assert.deepEqual(byName.get(part.name), part.inputs, `${part.name}: every input in the fingerprint`);
    }
  });

  test("the trigger is the hash of that definition: a changed schema changes it", async () => {
    const definition = (await valueOf(declared.stack.apiFingerprintDefinition)) as Array<{
      name?: string;
      args?: RecordedInputs;
    }>;
    const hash = (d: unknown) => crypto.createHash("sha256").update(JSON.stringify(d)).digest("hex");
    const trigger = mocks.only("aws:apigateway/deployment:Deployment").inputs.triggers.definition;
    assert.equal(trigger, hash(definition));
    const changed = definition.map((d) =>
      d.name === "pi-send-message-model"
        ? { ...d, args: { ...d.args, schema: d.args?.schema.replace('"minLength":1', '"minLength":2') } }
        : d,
    );
    assert.notDeepEqual(changed, definition, "the schema was changed");
    assert.notEqual(hash(changed), trigger);
  });

  test("the page's files are part of it: a changed page redeploys", async () => {
    const definition = (await valueOf(declared.stack.apiFingerprintDefinition)) as Array<{ page?: unknown }>;
    const page = definition.find((d) => d.page)?.page as Array<{ key: string }>;
    assert.deepEqual(
      page.map((f) => f.key),
      ["assets/app.js", "assets/core_bg.wasm", "index.html"],
    );
  });
});

describe("row 8: each VPC endpoint lets through only this stack's resources", () => {
  const policyOf = (endpoint: string) =>
    doc(mocks.named("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", `pi-${endpoint}-endpoint-policy`).inputs.policy);
  const account = { StringEquals: { "aws:PrincipalAccount": FAKE_ACCOUNT.accountId } };

  test("DynamoDB: PutItem on this table and the three dedupe calls on its dedupe table, by this account", () => {
    assert.deepEqual(
      policyOf("dynamodb").Statement.map((s) => [s.Action, s.Resource, s.Condition]),
      [
        ["dynamodb:PutItem", `arn:aws:dynamodb:eu-west-1:123456789012:table/${declared.settings.tableName}`, account],
        [
          ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
          `arn:aws:dynamodb:eu-west-1:123456789012:table/${declared.settings.idempotencyTableName}`,
          account,
        ],
      ],
    );
  });

  test("SNS: Publish to this topic, by this account", () => {
    assert.deepEqual(
      policyOf("sns").Statement.map((s) => [s.Action, s.Resource, s.Condition]),
      [["sns:Publish", `arn:aws:sns:eu-west-1:123456789012:${declared.settings.topicName}`, account]],
    );
  });

  test("execute-api: this API and this domain; anonymous callers (authorization NONE) have no account to check", () => {
    const [statement, ...rest] = policyOf("execute-api").Statement;
    assert.deepEqual(rest, []);
    assert.equal(statement.Action, "execute-api:Invoke");
    assert.deepEqual(statement.Resource, [
      `arn:aws:execute-api:eu-west-1:123456789012:${FAKE_IDS.restApi}/*`,
      "arn:aws:execute-api:eu-west-1:123456789012:/domainnames/api.private.example.internal+abcde12345",
    ]);
    assert.equal(statement.Condition, undefined);
  });

  test("every endpoint has its policy", () => {
    const endpoints = mocks
      .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
      .map((e) => e.id)
      .sort();
    const covered = mocks
      .ofType("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy")
      .map((p) => p.inputs.vpcEndpointId)
      .sort();
    assert.deepEqual(covered, endpoints);
  });
});

test("row 9: the stage is throttled, has metrics and error logs, never logs bodies; the ESM has a ceiling", () => {
  const method = mocks.only("aws:apigateway/methodSettings:MethodSettings").inputs;
  assert.equal(method.methodPath, "*/*");
  assert.equal(method.stageName, "prod");
  assert.deepEqual(method.settings, {
    throttlingRateLimit: 100,
    throttlingBurstLimit: 200,
    metricsEnabled: true,
    loggingLevel: "ERROR",
    dataTraceEnabled: false,
  });
  assert.deepEqual(mocks.only("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.scalingConfig, {
    maximumConcurrency: 5,
  });
  for (const m of mocks.ofType("aws:apigateway/method:Method")) assert.equal(m.inputs.authorization, "NONE", m.name);
});

test("row 10: notifications carry no caller data by default", () => {
  const env = mocks.only("aws:lambda/function:Function").inputs.environment.variables;
  assert.equal(env.NOTIFICATION_INCLUDES_DATA, "false");
});

test("row 14: every alarm tells the topic when it fires and when it recovers", () => {
  const topic = `arn:aws:sns:eu-west-1:123456789012:${declared.settings.topicName}`;
  const alarms = mocks.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
  assert.equal(alarms.length, 5);
  for (const a of alarms) {
    assert.deepEqual(a.inputs.alarmActions, [topic], a.name);
    assert.deepEqual(a.inputs.okActions, [topic], a.name);
  }
});
