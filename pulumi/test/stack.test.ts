/**
 * The stack as declared, under Pulumi mocks: every resource's inputs are recorded and
 * the tests read them as policies. Nothing is public, every policy names the VPC
 * endpoint, encryption is on everywhere, and the pipeline is wired as ARCHITECTURE.md says.
 */

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { requestSchema } from "../../wasm/pkg-node/private_ingest_wasm";
import * as policies from "../policies";
import type { PrivateIngest } from "../privateIngest";
import {
  FAKE_ACCOUNT,
  FAKE_IDS,
  type RecordedInputs,
  type RecordedResource,
  RecordingMocks,
  valueOf,
} from "../tools/recordingMocks";
import type { StackSettings } from "../settings";
import { declareStack } from "./stackUnderMocks";

let mocks: RecordingMocks;
let settings: StackSettings;
let stack: PrivateIngest;

const all = (type: string) => mocks.ofType(type);
const one = (type: string) => mocks.only(type);
const parsed = (r: RecordedResource, field = "policy"): policies.PolicyDocument => JSON.parse(r.inputs[field]);

before(async () => {
  ({ mocks, stack, settings } = await declareStack({
    customDomainName: "ingest.corp.example.internal",
    queueName: "orders",
    maxReceiveCount: "4",
    batchSize: "5",
  }));
});

describe("nothing is public", () => {
  test("the REST API and the custom domain are PRIVATE endpoints", () => {
    assert.equal(one("aws:apigateway/restApi:RestApi").inputs.endpointConfiguration.types, "PRIVATE");
    assert.deepEqual(one("aws:apigateway/restApi:RestApi").inputs.endpointConfiguration.vpcEndpointIds, [
      FAKE_IDS.executeApiEndpoint,
    ]);
    assert.equal(one("aws:apigateway/domainName:DomainName").inputs.endpointConfiguration.types, "PRIVATE");
  });

  test("the page bucket blocks all public access and owns its objects", () => {
    const block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      assert.equal(block[flag], true, flag);
    }
    assert.equal(
      one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule.objectOwnership,
      "BucketOwnerEnforced",
    );
  });

  test("the endpoints' group admits HTTPS from every CIDR block of the VPC and the Lambda's group, nothing else", () => {
    const ingress = all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs);
    assert.deepEqual(
      ingress.map((r) => [r.securityGroupId, r.ipProtocol, r.fromPort, r.toPort, r.cidrIpv4 ?? r.referencedSecurityGroupId]),
      [
        [FAKE_IDS.endpointsSecurityGroup, "tcp", 443, 443, FAKE_ACCOUNT.vpcCidr],
        [FAKE_IDS.endpointsSecurityGroup, "tcp", 443, 443, FAKE_ACCOUNT.secondaryVpcCidr],
        [FAKE_IDS.endpointsSecurityGroup, "tcp", 443, 443, FAKE_IDS.processorSecurityGroup],
      ],
    );
    for (const g of all("aws:ec2/securityGroup:SecurityGroup")) {
      assert.equal(g.inputs.ingress, undefined, `${g.name}: no inline rules`);
      assert.equal(g.inputs.egress, undefined, `${g.name}: no inline rules`);
    }
  });

  test("the Lambda's group accepts nothing and sends HTTPS only to the endpoints' group and DynamoDB", () => {
    const egress = all("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => r.inputs);
    assert.deepEqual(
      egress.map((r) => [r.securityGroupId, r.fromPort, r.referencedSecurityGroupId ?? r.prefixListId]),
      [
        [FAKE_IDS.processorSecurityGroup, 443, FAKE_IDS.endpointsSecurityGroup],
        [FAKE_IDS.processorSecurityGroup, 443, FAKE_IDS.dynamodbPrefixList],
      ],
    );
  });

  test("the Lambda can be reached by nothing but its event source: no URL, no invoke permission", () => {
    assert.equal(all("aws:lambda/functionUrl:FunctionUrl").length, 0);
    assert.equal(all("aws:lambda/permission:Permission").length, 0);
  });

  test("the page's objects are private: no ACL, uploaded base64 for the binary-safe S3 integration", () => {
    const objects = all("aws:s3/bucketObjectv2:BucketObjectv2");
    assert.deepEqual(objects.map((o) => o.inputs.key).sort(), [
      "assets/app.js",
      "assets/core_bg.wasm",
      "index.html",
      "routing-rules.json",
    ]);
    for (const o of objects) assert.equal(o.inputs.acl, undefined, o.inputs.key);
    const wasm = objects.find((o) => o.inputs.key === "assets/core_bg.wasm")!;
    assert.equal(wasm.inputs.contentType, "application/wasm");
    assert.deepEqual([...Buffer.from(wasm.inputs.content, "base64")], [0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]);
  });
});

describe("every policy names the VPC endpoint", () => {
  for (const [what, type] of [
    ["the REST API's policy", "aws:apigateway/restApiPolicy:RestApiPolicy"],
    ["the custom domain's policy", "aws:apigateway/domainName:DomainName"],
  ] as const) {
    test(`${what} denies every source but the execute-api VPC endpoint`, () => {
      const doc = parsed(one(type));
      const deny = doc.Statement.find((s) => s.Effect === "Deny");
      assert.deepEqual(deny?.Condition, { StringNotEquals: { "aws:SourceVpce": FAKE_IDS.executeApiEndpoint } });
    });
  }

  test("the REST API's policy covers this API's execution ARN", () => {
    const doc = parsed(one("aws:apigateway/restApiPolicy:RestApiPolicy"));
    assert.deepEqual(
      doc.Statement.map((s) => s.Resource),
      Array(2).fill(`arn:aws:execute-api:${FAKE_ACCOUNT.region}:${FAKE_ACCOUNT.accountId}:${FAKE_IDS.restApi}/*`),
    );
  });

  test("the domain is associated with that VPC endpoint only", () => {
    const association = one("aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation").inputs;
    assert.equal(association.accessAssociationSource, FAKE_IDS.executeApiEndpoint);
    assert.equal(association.accessAssociationSourceType, "VPCE");
    assert.match(association.domainNameArn, /:\/domainnames\/ingest\.corp\.example\.internal\+abcde12345$/);
  });
});

describe("least privilege", () => {
  test("no IAM statement allows a wildcard action, or a wildcard resource where a resource ARN exists", () => {
    const rolePolicies = all("aws:iam/rolePolicy:RolePolicy");
    assert.equal(rolePolicies.length, 4, "the Lambda and three API routes (API Gateway's logging role is opt-in)");
    for (const rp of rolePolicies) {
      for (const s of parsed(rp).Statement.filter((st) => st.Effect === "Allow")) {
        for (const a of policies.actionsOf(s)) assert.ok(!a.includes("*"), `${rp.name} ${s.Sid}: ${a}`);
        if (policies.resourcesOf(s).includes("*")) {
          for (const a of policies.actionsOf(s)) {
            assert.ok(policies.ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.includes(a), `${rp.name} ${s.Sid}: ${a} on *`);
          }
        }
      }
    }
  });

  test("no role has a managed policy attached", () => {
    for (const role of all("aws:iam/role:Role")) assert.equal(role.inputs.managedPolicyArns, undefined, role.name);
    assert.equal(all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  });

  test("the Lambda's role puts into this table, keeps markers in its dedupe table and publishes to this topic only", () => {
    const doc = parsed(mocks.named("aws:iam/rolePolicy:RolePolicy", "pi-lambda-policy"));
    const on = (action: string) => doc.Statement.find((s) => policies.actionsOf(s).includes(action))?.Resource;
    assert.equal(on("dynamodb:PutItem"), `arn:aws:dynamodb:eu-west-1:123456789012:table/${settings.tableName}`);
    const dedupe = doc.Statement.filter((s) =>
      policies.resourcesOf(s).includes(`arn:aws:dynamodb:eu-west-1:123456789012:table/${settings.idempotencyTableName}`),
    );
    assert.deepEqual(
      dedupe.map((s) => policies.actionsOf(s)),
      [[...policies.DEDUPE_TABLE_ACTIONS]],
    );
    assert.equal(on("sns:Publish"), `arn:aws:sns:eu-west-1:123456789012:${settings.topicName}`);
    assert.deepEqual(on("ec2:CreateNetworkInterface"), [
      ...settings.subnetIds.map((id) => `arn:aws:ec2:eu-west-1:123456789012:subnet/${id}`),
      `arn:aws:ec2:eu-west-1:123456789012:security-group/${FAKE_IDS.processorSecurityGroup}`,
      "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
    ]);
  });
});

describe("the private custom domain", () => {
  test("the domain name equals the config, on TLS 1.2 with the given certificate", () => {
    const domain = one("aws:apigateway/domainName:DomainName").inputs;
    assert.equal(domain.domainName, "ingest.corp.example.internal");
    assert.equal(domain.certificateArn, settings.certificateArn);
    assert.equal(domain.securityPolicy, "TLS_1_2");
  });

  test("the base path mapping goes by domainNameId to the stage", () => {
    const mapping = one("aws:apigateway/basePathMapping:BasePathMapping").inputs;
    assert.equal(mapping.domainName, "ingest.corp.example.internal");
    assert.equal(mapping.domainNameId, "abcde12345");
    assert.equal(mapping.restApi, FAKE_IDS.restApi);
    assert.equal(mapping.stageName, one("aws:apigateway/stage:Stage").inputs.stageName);
    assert.equal(mapping.basePath, undefined, "the API is the domain's root");
  });

  test("the private hosted zone's alias points the domain at the VPC endpoint's DNS name", () => {
    const record = one("aws:route53/record:Record").inputs;
    assert.equal(record.zoneId, settings.privateHostedZoneId);
    assert.equal(record.name, "ingest.corp.example.internal");
    assert.equal(record.type, "A");
    assert.deepEqual(record.aliases, [
      { name: FAKE_IDS.executeApiDns, zoneId: FAKE_IDS.executeApiZone, evaluateTargetHealth: false },
    ]);
  });

  test("the outputs give the private URL and the original pattern's two curl tests", async () => {
    assert.equal(await valueOf(stack.privateUrl), "https://ingest.corp.example.internal/");
    assert.equal(
      await valueOf(stack.curlStore),
      `curl -X POST -H "Content-Type: application/json" -d '{"Insert": "DynamoDB"}' https://ingest.corp.example.internal/send-message`,
    );
    assert.match(
      await valueOf(stack.curlNotify),
      /-d '\{"Insert": "Dynamoooo"\}' https:\/\/ingest\.corp\.example\.internal\/send-message$/,
    );
    assert.equal(await valueOf(stack.executeApiVpcEndpointId), FAKE_IDS.executeApiEndpoint);
    assert.equal(await valueOf(stack.tableName), settings.tableName);
  });
});

describe("the API", () => {
  const integration = (name: string) => mocks.named("aws:apigateway/integration:Integration", `pi-${name}-integration`).inputs;

  test("the model's schema is the core's requestSchema() from the Wasm module", () => {
    const model = one("aws:apigateway/model:Model").inputs;
    assert.equal(model.contentType, "application/json");
    assert.deepEqual(JSON.parse(model.schema), requestSchema());
    const method = mocks.named("aws:apigateway/method:Method", "pi-send-message-method").inputs;
    assert.deepEqual(method.requestModels, { "application/json": model.name });
    assert.equal(method.requestValidatorId, "pi-validator-id");
    assert.equal(one("aws:apigateway/requestValidator:RequestValidator").inputs.validateRequestBody, true);
  });

  test("POST /send-message sends to the queue by SQS's form-encoded API, refusing other content types", () => {
    const i = integration("send-message");
    assert.equal(i.type, "AWS");
    assert.equal(i.uri, "arn:aws:apigateway:eu-west-1:sqs:path/123456789012/orders");
    assert.deepEqual(i.requestParameters, { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" });
    assert.match(i.requestTemplates["application/json"], /^Action=SendMessage&MessageBody=\$util\.urlEncode\(\$input\.body\)/);
    assert.equal(i.passthroughBehavior, "NEVER");
    assert.equal(i.credentials, "arn:aws:iam::123456789012:role/pi-api-send-role");
  });

  test("a failed SendMessage is the contract's 503, never a 200", () => {
    const responses = all("aws:apigateway/integrationResponse:IntegrationResponse").filter((r) =>
      r.name.startsWith("pi-send-message-"),
    );
    const byStatus = new Map<string, RecordedInputs>(responses.map((r) => [r.inputs.statusCode, r.inputs]));
    assert.equal(byStatus.get("200")?.selectionPattern, "2\\d{2}", "200 only for SQS's 2xx");
    assert.equal(byStatus.get("503")?.selectionPattern, undefined, "everything else falls to the 503");
    assert.deepEqual([...byStatus.keys()].sort(), ["200", "503"]);
  });

  test("GET /messages/{id} reads the table directly, strongly consistent; DynamoDB's refusals are never a 404", () => {
    const i = integration("get-message");
    assert.equal(i.uri, "arn:aws:apigateway:eu-west-1:dynamodb:action/GetItem");
    assert.match(i.requestTemplates["application/json"], new RegExp(`^\\{"TableName":"${settings.tableName}",`));
    const responses = all("aws:apigateway/integrationResponse:IntegrationResponse").filter((r) =>
      r.name.startsWith("pi-get-message-"),
    );
    assert.deepEqual(responses.map((r) => [r.inputs.statusCode, r.inputs.selectionPattern]).sort(), [
      ["200", "2\\d{2}"],
      ["502", undefined],
    ]);
    const statuses = all("aws:apigateway/methodResponse:MethodResponse").filter((r) => r.name.startsWith("pi-get-message-"));
    assert.deepEqual(
      statuses.map((r) => r.inputs.statusCode).sort(),
      ["200", "404", "429", "502"],
      "404 and 429 are set by the templates",
    );
  });

  test("GET / and the page's assets come from the private bucket, decoded to bytes", () => {
    const bucket = one("aws:s3/bucket:Bucket");
    const name = `${bucket.inputs.bucketPrefix}20250101000000000000000001`;
    assert.equal(integration("page-index").uri, `arn:aws:apigateway:eu-west-1:s3:path/${name}/index.html`);
    assert.equal(integration("page-asset").uri, `arn:aws:apigateway:eu-west-1:s3:path/${name}/{key}`);
    assert.deepEqual(integration("page-asset").requestParameters, {
      "integration.request.path.key": "method.request.path.proxy",
    });
    for (const route of ["page-index", "page-asset"]) {
      const ok = mocks.named("aws:apigateway/integrationResponse:IntegrationResponse", `pi-${route}-200-response`).inputs;
      assert.equal(ok.contentHandling, "CONVERT_TO_BINARY");
      assert.equal(ok.responseParameters["method.response.header.Content-Type"], "integration.response.header.Content-Type");
    }
    assert.equal(
      one("aws:apigateway/restApi:RestApi").inputs.binaryMediaTypes,
      undefined,
      "no binary media types: JSON requests stay text",
    );
  });

  // The values as API Gateway takes them: static values between one pair of single quotes,
  // the quotes inside kept (see securityHeaders.ts). Written out here, not imported.
  const PAGE_CSP =
    "'default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; " +
    "img-src 'self'; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'; " +
    "frame-ancestors 'none''";
  const RESOURCE_CSP = "'default-src 'none'; frame-ancestors 'none''";
  const securityHeaders = (prefix: string, csp: string) => ({
    [`${prefix}.Content-Security-Policy`]: csp,
    [`${prefix}.X-Content-Type-Options`]: "'nosniff'",
    [`${prefix}.Referrer-Policy`]: "'no-referrer'",
  });

  test("the page's document gets the page's security headers, as the local stack sends them", () => {
    const ok = mocks.named("aws:apigateway/integrationResponse:IntegrationResponse", "pi-page-index-200-response").inputs;
    assert.deepEqual(ok.responseParameters, {
      "method.response.header.Content-Type": "integration.response.header.Content-Type",
      ...securityHeaders("method.response.header", PAGE_CSP),
    });
  });

  test("every other answer of every route gets the headers that load and frame nothing", () => {
    const responses = all("aws:apigateway/integrationResponse:IntegrationResponse").filter(
      (r) => r.name !== "pi-page-index-200-response",
    );
    assert.equal(responses.length, 9, "send 200/503, get 200/502, page index 404/502, page asset 200/404/502");
    for (const r of responses) {
      const { "method.response.header.Content-Type": _contentType, ...headers } = r.inputs.responseParameters;
      assert.deepEqual(headers, securityHeaders("method.response.header", RESOURCE_CSP), r.name);
    }
    for (const r of all("aws:apigateway/response:Response")) {
      assert.deepEqual(r.inputs.responseParameters, securityHeaders("gatewayresponse.header", RESOURCE_CSP), r.name);
    }
  });

  test("every method response declares the headers its integration responses map (API Gateway maps only declared ones)", () => {
    const methodResponses = all("aws:apigateway/methodResponse:MethodResponse");
    for (const r of all("aws:apigateway/integrationResponse:IntegrationResponse")) {
      const declared = methodResponses.find((m) => m.name === r.name.replace(/-response$/, ""));
      assert.ok(declared, `a method response for ${r.name}`);
      assert.deepEqual(
        Object.keys(declared.inputs.responseParameters).sort(),
        Object.keys(r.inputs.responseParameters).sort(),
        r.name,
      );
      assert.ok(Object.values(declared.inputs.responseParameters).every((v) => v === true));
    }
    for (const status of ["413", "404", "429"]) {
      const overridden = methodResponses.filter((m) => m.name.endsWith(`-${status}`));
      assert.ok(overridden.length > 0, status);
      for (const m of overridden) {
        assert.deepEqual(
          Object.keys(m.inputs.responseParameters).sort(),
          Object.keys(securityHeaders("method.response.header", "")).sort(),
          m.name,
        );
      }
    }
  });

  test("bad bodies get the contract's 400 shape from a gateway response", () => {
    const types = all("aws:apigateway/response:Response").map((r) => [r.inputs.responseType, r.inputs.statusCode]);
    assert.deepEqual(types.sort(), [
      ["BAD_REQUEST_BODY", "400"],
      ["MISSING_AUTHENTICATION_TOKEN", "404"],
      ["REQUEST_TOO_LARGE", "413"],
      ["THROTTLED", "429"],
      ["UNSUPPORTED_MEDIA_TYPE", "415"],
    ]);
  });

  test("the stage writes JSON access logs with the VPC endpoint of each request", () => {
    const stage = one("aws:apigateway/stage:Stage").inputs;
    assert.equal(
      stage.accessLogSettings.destinationArn,
      "arn:aws:logs:eu-west-1:123456789012:log-group:/private-ingest/test/api-access",
    );
    assert.equal(JSON.parse(stage.accessLogSettings.format).vpceId, "$context.identity.vpceId");
    assert.match(one("aws:apigateway/deployment:Deployment").inputs.triggers.definition, /^[0-9a-f]{64}$/);
  });
});

describe("the queue, the Lambda, the table and the topic", () => {
  const queue = () => mocks.named("aws:sqs/queue:Queue", "pi-queue").inputs;
  const dlq = () => mocks.named("aws:sqs/queue:Queue", "pi-dlq").inputs;

  test("the queue must redrive to the DLQ after maxReceiveCount receives", () => {
    assert.deepEqual(JSON.parse(queue().redrivePolicy), {
      deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:orders-dlq",
      maxReceiveCount: 4,
    });
    assert.equal(dlq().name, "orders-dlq");
  });

  test("the DLQ keeps messages 14 days (SQS's longest), longer than the queue's 4 days", () => {
    // Written out, not imported from the program: 14 and 4 days in seconds.
    assert.equal(dlq().messageRetentionSeconds, 1_209_600);
    assert.equal(queue().messageRetentionSeconds, 345_600);
  });

  test("the visibility timeout is six times the Lambda's 30 s timeout", () => {
    const fn = one("aws:lambda/function:Function").inputs;
    assert.equal(fn.timeout, 30);
    assert.equal(queue().visibilityTimeoutSeconds, 180);
  });

  test("the queue takes bodies up to the contract's limit: SQS's 256 KiB", () => {
    // Written out, not read from the core: the contract says 256 KiB, SQS's largest message.
    assert.equal(queue().maxMessageSize, 262_144);
  });

  test("the event source mapping reports batch item failures, with the configured batch size and concurrency", () => {
    const esm = one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
    assert.deepEqual(esm.functionResponseTypes, ["ReportBatchItemFailures"]);
    assert.equal(esm.eventSourceArn, "arn:aws:sqs:eu-west-1:123456789012:orders");
    assert.equal(esm.batchSize, 5);
    assert.deepEqual(esm.scalingConfig, { maximumConcurrency: 5 });
  });

  test("the Lambda is Rust on provided.al2023/arm64 in the private subnets, told its table and topic", () => {
    const fn = one("aws:lambda/function:Function").inputs;
    assert.equal(fn.runtime, "provided.al2023");
    assert.deepEqual(fn.architectures, ["arm64"]);
    assert.equal(fn.handler, "bootstrap");
    assert.equal(fn.memorySize, settings.lambdaMemoryMb);
    assert.deepEqual(fn.vpcConfig.subnetIds, settings.subnetIds);
    assert.deepEqual(fn.vpcConfig.securityGroupIds, [FAKE_IDS.processorSecurityGroup]);
    assert.deepEqual(fn.environment.variables, {
      TABLE_NAME: settings.tableName,
      IDEMPOTENCY_TABLE_NAME: settings.idempotencyTableName,
      TOPIC_ARN: `arn:aws:sns:eu-west-1:123456789012:${settings.topicName}`,
      NOTIFICATION_INCLUDES_DATA: "false",
      METRICS_NAMESPACE: "PrivateIngest",
      AWS_ENDPOINT_URL_SNS: `https://${FAKE_IDS.snsDns}`,
    });
    assert.equal(fn.loggingConfig.logGroup, "/private-ingest/test/lambda");
  });

  test("the table is keyed by the string id, on demand, with point-in-time recovery", () => {
    const table = mocks.named("aws:dynamodb/table:Table", "pi-table").inputs;
    assert.equal(table.name, settings.tableName);
    assert.equal(table.hashKey, "id");
    assert.deepEqual(table.attributes, [{ name: "id", type: "S" }]);
    assert.equal(table.billingMode, "PAY_PER_REQUEST");
    assert.equal(table.pointInTimeRecovery.enabled, true);
    assert.equal(table.ttl, undefined, "records are kept: no TTL");
  });

  test("the dedupe table is keyed by the Idempotency-Key, on demand, with point-in-time recovery and TTL on expires_at", () => {
    const table = mocks.named("aws:dynamodb/table:Table", "pi-idempotency-table").inputs;
    assert.equal(table.name, settings.idempotencyTableName);
    assert.equal(table.name, `${settings.tableName}-idempotency`);
    assert.equal(table.hashKey, "id");
    assert.deepEqual(table.attributes, [{ name: "id", type: "S" }]);
    assert.equal(table.billingMode, "PAY_PER_REQUEST");
    assert.equal(table.pointInTimeRecovery.enabled, true);
    assert.deepEqual(table.ttl, { attributeName: "expires_at", enabled: true });
    assert.equal(all("aws:dynamodb/table:Table").length, 2, "the record table and the dedupe table");
  });

  test("an in-progress dedupe claim outlives the invocation that wrote it", () => {
    // handler/src/bin/bootstrap.rs IN_PROGRESS_EXPIRY is 30 s: the Lambda must end by then.
    const timeout: number = one("aws:lambda/function:Function").inputs.timeout;
    assert.ok(timeout <= 30, `${timeout} s`);
  });

  test("the topic emails the subscriber", () => {
    const sub = one("aws:sns/topicSubscription:TopicSubscription").inputs;
    assert.equal(sub.protocol, "email");
    assert.equal(sub.endpoint, settings.subscriptionEmail);
    assert.equal(one("aws:sns/topic:Topic").inputs.name, settings.topicName);
  });

  test("the VPC endpoints: execute-api and SNS inside the subnets without private DNS, DynamoDB on the route tables", () => {
    const endpoints = new Map<string, RecordedInputs>(
      all("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => [e.inputs.serviceName, e.inputs]),
    );
    const endpoint = (service: string) => {
      const e = endpoints.get(`com.amazonaws.eu-west-1.${service}`);
      assert.ok(e, `a ${service} endpoint`);
      return e;
    };
    for (const service of ["execute-api", "sns"]) {
      const e = endpoint(service);
      assert.equal(e.vpcEndpointType, "Interface");
      assert.equal(e.privateDnsEnabled, false, `${service}: private DNS would capture every workload's calls`);
      assert.deepEqual(e.subnetIds, settings.subnetIds);
      assert.deepEqual(e.securityGroupIds, [FAKE_IDS.endpointsSecurityGroup]);
    }
    const dynamodb = endpoint("dynamodb");
    assert.equal(dynamodb.vpcEndpointType, "Gateway");
    assert.deepEqual(dynamodb.routeTableIds, settings.routeTableIds);
  });

  test("alarms on dead letters and Lambda errors notify the topic", () => {
    const alarms = new Map<string, RecordedInputs>(
      all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.inputs.metricName, a.inputs]),
    );
    const alarm = (metric: string) => {
      const a = alarms.get(metric);
      assert.ok(a, `an alarm on ${metric}`);
      return a;
    };
    const topicArn = `arn:aws:sns:eu-west-1:123456789012:${settings.topicName}`;
    const dead = alarm("ApproximateNumberOfMessagesVisible");
    assert.deepEqual(dead.dimensions, { QueueName: "orders-dlq" });
    assert.equal(dead.threshold, 0);
    assert.equal(dead.comparisonOperator, "GreaterThanThreshold");
    assert.deepEqual(dead.alarmActions, [topicArn]);
    const errors = alarm("Errors");
    assert.equal(errors.namespace, "AWS/Lambda");
    assert.deepEqual(errors.alarmActions, [topicArn]);
  });
});

describe("encryption is on everywhere", () => {
  test("both queues use SSE, both tables SSE, the topic the stack's key", () => {
    for (const q of all("aws:sqs/queue:Queue")) assert.equal(q.inputs.sqsManagedSseEnabled, true, q.name);
    for (const t of all("aws:dynamodb/table:Table")) assert.equal(t.inputs.serverSideEncryption.enabled, true, t.name);
    assert.equal(
      one("aws:sns/topic:Topic").inputs.kmsMasterKeyId,
      "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    );
  });

  test("the bucket encrypts at rest, the log groups with the stack's rotating key", () => {
    const sse = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs;
    assert.equal(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    const groups = all("aws:cloudwatch/logGroup:LogGroup");
    assert.equal(groups.length, 3, "the Lambda's, the access logs and the execution logs");
    for (const g of groups) {
      assert.match(g.inputs.kmsKeyId, /^arn:aws:kms:/, g.name);
      assert.equal(g.inputs.retentionInDays, settings.logRetentionDays, g.name);
    }
    assert.equal(one("aws:kms/key:Key").inputs.enableKeyRotation, true);
  });

  test("every resource policy refuses requests without TLS", () => {
    const docs = [
      ...all("aws:sqs/queuePolicy:QueuePolicy"),
      one("aws:sns/topicPolicy:TopicPolicy"),
      one("aws:s3/bucketPolicy:BucketPolicy"),
    ].map((r) => parsed(r));
    assert.equal(docs.length, 4);
    for (const doc of docs) {
      assert.ok(doc.Statement.some((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
    }
  });
});
