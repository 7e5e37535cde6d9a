/**
 * The review findings of issue 10 with every opt-in setting on: AWS_IAM authorization,
 * execute-api private DNS, owning the API Gateway account role, notification data, INFO
 * execution logs and other limits.
 */

import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { PolicyDocument } from "../policies";
import { FAKE_ACCOUNT, type RecordingMocks } from "../tools/recordingMocks";
import { declareStack } from "./stackUnderMocks";

let mocks: RecordingMocks;
const doc = (json: string): PolicyDocument => JSON.parse(json);

before(async () => {
  ({ mocks } = await declareStack({
    apiAuthorization: "AWS_IAM",
    executeApiPrivateDns: "true",
    manageApiGatewayAccount: "true",
    notificationIncludesData: "true",
    executionLoggingLevel: "INFO",
    throttlingRateLimit: "25",
    throttlingBurstLimit: "50",
    maxConcurrency: "2",
  }));
});

test("row 3: private DNS on the execute-api endpoint when asked; never on SNS's", () => {
  assert.equal(mocks.named("aws:ec2/vpcEndpoint:VpcEndpoint", "pi-execute-api-endpoint").inputs.privateDnsEnabled, true);
  assert.equal(mocks.named("aws:ec2/vpcEndpoint:VpcEndpoint", "pi-sns-endpoint").inputs.privateDnsEnabled, false);
});

test("row 4: owning the account's CloudWatch role is an opt-in, with a role that writes only logs", () => {
  const account = mocks.only("aws:apigateway/account:Account").inputs;
  assert.match(account.cloudwatchRoleArn, /:role\/pi-apigateway-logging-role$/);
  const policy = doc(mocks.named("aws:iam/rolePolicy:RolePolicy", "pi-apigateway-logging-policy").inputs.policy);
  for (const s of policy.Statement) for (const a of [s.Action].flat()) assert.match(a, /^logs:/);
});

test("row 9: AWS_IAM guards the API's routes; the page (a browser cannot sign) stays open to the endpoint", () => {
  const auth = Object.fromEntries(mocks.ofType("aws:apigateway/method:Method").map((m) => [m.name, m.inputs.authorization]));
  assert.deepEqual(auth, {
    "pi-send-message-method": "AWS_IAM",
    "pi-get-message-method": "AWS_IAM",
    "pi-page-index-method": "NONE",
    "pi-page-asset-method": "NONE",
  });
  const api = doc(mocks.only("aws:apigateway/restApiPolicy:RestApiPolicy").inputs.policy);
  const allow = api.Statement.find((s) => s.Effect === "Allow")!;
  assert.deepEqual(allow.Principal, { AWS: `arn:aws:iam::${FAKE_ACCOUNT.accountId}:root` }, "this account's principals only");
  const endpoint = doc(
    mocks.named("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "pi-execute-api-endpoint-policy").inputs.policy,
  );
  assert.deepEqual(endpoint.Statement[0].Condition, { StringEquals: { "aws:PrincipalAccount": FAKE_ACCOUNT.accountId } });
});

test("row 9: the limits and the log level come from the settings", () => {
  const settings = mocks.only("aws:apigateway/methodSettings:MethodSettings").inputs.settings;
  assert.equal(settings.throttlingRateLimit, 25);
  assert.equal(settings.throttlingBurstLimit, 50);
  assert.equal(settings.loggingLevel, "INFO");
  assert.equal(settings.dataTraceEnabled, false);
  assert.deepEqual(mocks.only("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.scalingConfig, {
    maximumConcurrency: 2,
  });
});

test("row 10: including the caller's data in notifications is an opt-in the Lambda is told", () => {
  assert.equal(mocks.only("aws:lambda/function:Function").inputs.environment.variables.NOTIFICATION_INCLUDES_DATA, "true");
});
