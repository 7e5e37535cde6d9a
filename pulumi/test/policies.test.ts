/**
 * The policy builders, read as rules: only the VPC endpoint may call the API, every
 * role may do one job on named resources, TLS only, and the key serves this account.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as p from "../policies";

const VPCE = "vpce-0e1a2b3c4d5e6f701";
const EXEC = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5";
const ec2 = "arn:aws:ec2:eu-west-1:123456789012";
const lambdaTargets: p.LambdaPolicyTargets = {
  tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/MyCustomTable",
  idempotencyTableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/MyCustomTable-idempotency",
  topicArn: "arn:aws:sns:eu-west-1:123456789012:MyCustomTopic",
  topicKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
  queueArn: "arn:aws:sqs:eu-west-1:123456789012:MyCustomQueue",
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/private-ingest/x/lambda",
  subnetArns: [`${ec2}:subnet/subnet-89abcdef`],
  securityGroupArn: `${ec2}:security-group/sg-0a1b2c3d4e5f60718`,
  networkInterfacesArn: `${ec2}:network-interface/*`,
  tracing: true,
};
const lambda = p.lambdaExecutionPolicy(lambdaTargets);
const where = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };

/** The statements that allow, with their actions. */
function allows(doc: p.PolicyDocument): p.PolicyStatement[] {
  return doc.Statement.filter((s) => s.Effect === "Allow");
}

describe("who may call the API", () => {
  for (const [what, doc, resource] of [
    ["the REST API", p.privateApiPolicy(EXEC, VPCE), `${EXEC}/*`],
    ["the custom domain", p.privateDomainPolicy(VPCE), "execute-api:/*"],
  ] as const) {
    test(`${what} denies every request that did not come through the VPC endpoint`, () => {
      const deny = doc.Statement.find((s) => s.Effect === "Deny");
      assert.ok(deny, "a Deny statement");
      assert.equal(deny.Action, "execute-api:Invoke");
      assert.equal(deny.Resource, resource);
      assert.deepEqual(deny.Condition, { StringNotEquals: { "aws:SourceVpce": VPCE } });
      const allow = allows(doc);
      assert.equal(allow.length, 1);
      assert.equal(allow[0].Action, "execute-api:Invoke", "invoking is all it allows");
      assert.equal(allow[0].Resource, resource, "and only on this API or domain");
    });
  }
});

describe("least privilege", () => {
  const roles: Array<[string, p.PolicyDocument]> = [
    ["the Lambda", lambda],
    ["the send route", p.sendMessageRolePolicy("arn:aws:sqs:eu-west-1:123456789012:q")],
    ["the read route", p.readRecordRolePolicy("arn:aws:dynamodb:eu-west-1:123456789012:table/t")],
    ["the page route", p.readPageRolePolicy("arn:aws:s3:::bucket")],
    ["API Gateway's logging", p.apiGatewayLoggingPolicy("aws", "eu-west-1", "123456789012")],
  ];
  for (const [who, doc] of roles) {
    test(`${who} has no wildcard action and no wildcard resource where an ARN exists`, () => {
      for (const s of allows(doc)) {
        for (const a of p.actionsOf(s)) assert.ok(!a.includes("*"), `${s.Sid}: action ${a}`);
        for (const r of p.resourcesOf(s)) {
          if (r === "*") {
            for (const a of p.actionsOf(s)) {
              assert.ok(p.ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.includes(a), `${s.Sid}: ${a} on *`);
            }
          }
        }
      }
    });
  }

  test("the Lambda may put records, keep dedupe markers, publish notifications, consume the queue, write its logs and its traces, nothing more", () => {
    const actions = allows(lambda)
      .flatMap((s) => p.actionsOf(s))
      .sort();
    assert.deepEqual(actions, [
      "dynamodb:DeleteItem",
      "dynamodb:PutItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "ec2:AssignPrivateIpAddresses",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:UnassignPrivateIpAddresses",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sns:Publish",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    const put = lambda.Statement.find((s) => p.actionsOf(s).includes("dynamodb:PutItem"));
    assert.equal(put?.Resource, "arn:aws:dynamodb:eu-west-1:123456789012:table/MyCustomTable");
  });

  test("with tracing on, the Lambda may send trace segments (X-Ray has no resource-level permissions); off, it may not", () => {
    const traces = lambda.Statement.find((s) => s.Sid === "SendTraceSegments");
    assert.deepEqual(traces, {
      Sid: "SendTraceSegments",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    });
    const untraced = p.lambdaExecutionPolicy({ ...lambdaTargets, tracing: false });
    assert.ok(untraced.Statement.every((s) => !p.actionsOf(s).some((a) => a.startsWith("xray:"))));
  });

  test("the Lambda makes exactly its three dedupe calls, on the dedupe table only, and never reads it", () => {
    const onDedupe = allows(lambda).filter((s) => p.resourcesOf(s).some((r) => r.endsWith("-idempotency")));
    assert.deepEqual(
      onDedupe.map((s) => [s.Resource, [...p.actionsOf(s)].sort()]),
      [
        [
          "arn:aws:dynamodb:eu-west-1:123456789012:table/MyCustomTable-idempotency",
          ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        ],
      ],
    );
    const records = allows(lambda).filter((s) =>
      p.resourcesOf(s).includes("arn:aws:dynamodb:eu-west-1:123456789012:table/MyCustomTable"),
    );
    assert.deepEqual(
      records.map((s) => s.Action),
      ["dynamodb:PutItem"],
      "the record table: put only, its ALL_OLD needs no read",
    );
    const reads = allows(lambda)
      .flatMap((s) => p.actionsOf(s))
      .filter((a) => /dynamodb:(Get|Query|Scan|BatchGet)/.test(a));
    assert.deepEqual(reads, []);
  });

  test("the Lambda creates network interfaces only in the given subnets with the given security group", () => {
    const create = lambda.Statement.find((s) => p.actionsOf(s).includes("ec2:CreateNetworkInterface"));
    assert.deepEqual(create?.Resource, [
      `${ec2}:subnet/subnet-89abcdef`,
      `${ec2}:security-group/sg-0a1b2c3d4e5f60718`,
      `${ec2}:network-interface/*`,
    ]);
  });

  test("each API route's role does exactly one thing", () => {
    assert.deepEqual(
      allows(p.sendMessageRolePolicy("q")).map((s) => s.Action),
      ["sqs:SendMessage"],
    );
    assert.deepEqual(
      allows(p.readRecordRolePolicy("t")).map((s) => s.Action),
      ["dynamodb:GetItem"],
    );
    assert.deepEqual(
      allows(p.readPageRolePolicy("arn:aws:s3:::b")).map((s) => [s.Action, s.Resource]),
      [["s3:GetObject", "arn:aws:s3:::b/*"]],
    );
  });

  test("a trust policy names one service and has no Resource (IAM refuses one there)", () => {
    const trust = p.assumeRolePolicy("lambda.amazonaws.com");
    assert.deepEqual(trust.Statement, [
      { Sid: "TrustedService", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });
});

describe("the key, the topic, the queue and the bucket", () => {
  const key = p.stackKeyPolicy(where);

  test("the key lets the account govern it through IAM, and services only for this account", () => {
    const root = key.Statement.find((s) => s.Sid === "AccountAdministersKeyThroughIam");
    assert.deepEqual(root?.Principal, { AWS: "arn:aws:iam::123456789012:root" });
    for (const s of key.Statement.filter((st) => st !== root)) {
      assert.ok(s.Principal !== "*" && "Service" in s.Principal!, `${s.Sid} names a service`);
      assert.ok(s.Condition, `${s.Sid} is scoped to this account by a condition`);
      assert.ok(JSON.stringify(s.Condition).includes("123456789012"), s.Sid);
    }
  });

  test("row 13: the alarms use the key by SNS's documented statement, only this account's alarms", () => {
    const alarms = key.Statement.find((s) => s.Sid === "CloudWatchAlarmsPublishToTheTopic")!;
    assert.deepEqual(alarms.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
    assert.deepEqual(alarms.Condition, {
      ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" },
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });

  test("row 12: API Gateway's logging role is never given what it cannot use (DescribeLogGroups needs *)", () => {
    const actions = p.apiGatewayLoggingPolicy("aws", "eu-west-1", "123456789012").Statement.flatMap((s) => p.actionsOf(s));
    assert.ok(!actions.includes("logs:DescribeLogGroups"), actions.join(", "));
  });

  test("only this account's CloudWatch alarms may publish to the topic, over TLS", () => {
    const doc = p.topicPolicy("arn:aws:sns:eu-west-1:123456789012:t", where);
    const [alarms, tls] = doc.Statement;
    assert.deepEqual(alarms.Principal, { Service: "cloudwatch.amazonaws.com" });
    assert.equal(alarms.Action, "sns:Publish");
    assert.deepEqual(alarms.Condition?.ArnLike, { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" });
    assert.equal(tls.Effect, "Deny");
    assert.deepEqual(tls.Condition, { Bool: { "aws:SecureTransport": "false" } });
  });

  test("the queue and the bucket refuse anything but TLS", () => {
    for (const doc of [p.queuePolicy("arn:aws:sqs:eu-west-1:1:q"), p.pageBucketPolicy("arn:aws:s3:::b")]) {
      assert.equal(allows(doc).length, 0, "access comes from the roles, not the resource policy");
      assert.deepEqual(doc.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    }
    assert.deepEqual(p.pageBucketPolicy("arn:aws:s3:::b").Statement[0].Resource, ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
  });
});
