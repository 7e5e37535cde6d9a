/**
 * The private REST API: its policy, the request model and validator, the three routes
 * (send a message, read a record, the test page), API Gateway's own refusals in the
 * contract's shapes, and the deployment, stage, method settings and logs. A deployment
 * is redeployed whenever any input of any part changes (its fingerprint covers them all).
 */

import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract, limits, requestSchema, type JsonSchema } from "../wasm/pkg-node/private_ingest_wasm";
import { ApiPartsBuilder, route, type ApiParts, type ResponseSpec } from "./apiRoute";
import * as templates from "./mappingTemplates";
import type { PageBucket } from "./pageBucket";
import * as policies from "./policies";
import { PAGE_HEADERS, RESOURCE_HEADERS, staticHeaders } from "./securityHeaders";
import type { Where } from "./stackContext";
import type { ApiAuthorization, ExecutionLoggingLevel } from "./settings";

/** The stage behind the custom domain (callers never see its name: the domain maps to it at `/`). */
export const STAGE_NAME = "prod";

/** A JSON access-log line per request: who (which VPC endpoint), what, and how it ended. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  vpceId: "$context.identity.vpceId",
  sourceIp: "$context.identity.sourceIp",
  caller: "$context.identity.caller",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integration.status",
  errorMessage: "$context.error.message",
});

export interface RestApiArgs {
  readonly where: Where;
  readonly stack: string;
  readonly executeApiEndpoint: aws.ec2.VpcEndpoint;
  readonly queue: aws.sqs.Queue;
  readonly table: aws.dynamodb.Table;
  /** The table's name (a stack setting): the GetItem template names it. */
  readonly tableName: string;
  readonly page: PageBucket;
  readonly key: aws.kms.Key;
  readonly authorization: ApiAuthorization;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly executionLoggingLevel: ExecutionLoggingLevel;
  readonly logRetentionDays: number;
  readonly manageApiGatewayAccount: boolean;
  /** X-Ray tracing on the stage (the `tracing` setting): the trace starts here. */
  readonly tracing: boolean;
  /** The request model's schema: the core's, unless a test swaps it. */
  readonly requestSchema?: JsonSchema;
}

export interface RestApi {
  readonly api: aws.apigateway.RestApi;
  readonly stage: aws.apigateway.Stage;
  readonly deployment: aws.apigateway.Deployment;
  /** Every input of every part the deployment serves, and their hash (the deployment's trigger). */
  readonly definition: pulumi.Output<readonly unknown[]>;
  readonly fingerprint: pulumi.Output<string>;
}

export function restApi(name: string, args: RestApiArgs, opts: pulumi.ComponentResourceOptions): RestApi {
  const { partition, region, accountId } = args.where;
  const api = new aws.apigateway.RestApi(
    `${name}-api`,
    {
      description: "private-ingest: send messages and read records, only through the VPC endpoint",
      endpointConfiguration: { types: "PRIVATE", vpcEndpointIds: [args.executeApiEndpoint.id] },
    },
    opts,
  );
  const parts = new ApiPartsBuilder();
  const invoker = args.authorization === "AWS_IAM" ? policies.accountPrincipal(partition, accountId) : "*";
  parts.add(
    aws.apigateway.RestApiPolicy,
    `${name}-api-policy`,
    {
      restApiId: api.id,
      policy: pulumi
        .all([api.executionArn, args.executeApiEndpoint.id])
        .apply(([arn, vpce]) => JSON.stringify(policies.privateApiPolicy(arn, vpce, invoker))),
    },
    opts,
  );

  const integrationRole = (suffix: string, purpose: string, document: pulumi.Output<policies.PolicyDocument>) => {
    const role = new aws.iam.Role(
      `${name}-api-${suffix}-role`,
      {
        description: `private-ingest API Gateway: ${purpose}`,
        assumeRolePolicy: JSON.stringify(policies.assumeRolePolicy("apigateway.amazonaws.com")),
      },
      opts,
    );
    parts.add(
      aws.iam.RolePolicy,
      `${name}-api-${suffix}-policy`,
      {
        role: role.id,
        policy: document.apply((d) => JSON.stringify(d)),
      },
      opts,
    );
    return role;
  };
  const serviceUri = (service: string, path: pulumi.Input<string>) =>
    pulumi.interpolate`arn:${partition}:apigateway:${region}:${service}:${path}`;
  const resource = (suffix: string, parentId: pulumi.Input<string>, pathPart: string) =>
    parts.add(aws.apigateway.Resource, `${name}-${suffix}`, { restApi: api.id, parentId, pathPart }, opts);
  // The page is static and loads in a browser, which cannot sign requests: its routes stay
  // open to the VPC endpoint; the authorization setting guards the API's own routes.
  const authorization = args.authorization;

  // POST /send-message -> SQS SendMessage, validated against the core's schema.
  const model = parts.add(
    aws.apigateway.Model,
    `${name}-send-message-model`,
    {
      restApi: api.id,
      name: "SendMessageRequest",
      contentType: "application/json",
      schema: JSON.stringify(args.requestSchema ?? requestSchema()),
    },
    opts,
  );
  const validator = parts.add(
    aws.apigateway.RequestValidator,
    `${name}-validator`,
    {
      restApi: api.id,
      name: "body-and-parameters",
      validateRequestBody: true,
      validateRequestParameters: true,
    },
    opts,
  );
  parts.include(
    route(
      name,
      {
        name: "send-message",
        restApi: api.id,
        resourceId: resource("send-message", api.rootResourceId, "send-message").id,
        httpMethod: "POST",
        authorization,
        // Optional: declared so the API documents it; the mapping templates read it whatever
        // its case. Its shape is the Lambda's core's to check (the API cannot).
        methodParameters: { [`method.request.header.${contract().idempotency.header}`]: false },
        requestModels: { "application/json": model.name },
        requestValidatorId: validator.id,
        uri: serviceUri("sqs", pulumi.interpolate`path/${accountId}/${args.queue.name}`),
        integrationHttpMethod: "POST",
        credentials: integrationRole("send", "SendMessage on the queue", args.queue.arn.apply(policies.sendMessageRolePolicy))
          .arn,
        integrationParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
        requestTemplate: templates.SEND_MESSAGE_REQUEST,
        overrideStatuses: ["413"],
        responses: [
          { statusCode: "200", selectionPattern: "2\\d{2}", template: templates.SEND_MESSAGE_OK },
          { statusCode: templates.NOT_QUEUED_STATUS, template: templates.SEND_MESSAGE_FAILED },
        ],
        securityHeaders: RESOURCE_HEADERS,
      },
      opts,
    ),
  );

  // GET /messages/{id} -> DynamoDB GetItem.
  const messages = resource("messages", api.rootResourceId, "messages");
  parts.include(
    route(
      name,
      {
        name: "get-message",
        restApi: api.id,
        resourceId: resource("message", messages.id, "{id}").id,
        httpMethod: "GET",
        authorization,
        methodParameters: { "method.request.path.id": true },
        requestValidatorId: validator.id,
        uri: serviceUri("dynamodb", "action/GetItem"),
        integrationHttpMethod: "POST",
        credentials: integrationRole("read", "GetItem on the table", args.table.arn.apply(policies.readRecordRolePolicy)).arn,
        requestTemplate: templates.getItemRequest(args.tableName),
        // 404 only for an absent item, 429 for DynamoDB's throttling (row 7 of issue 10).
        overrideStatuses: [templates.NOT_FOUND_STATUS, "429"],
        responses: [
          { statusCode: "200", selectionPattern: "2\\d{2}", template: templates.getItemFound(limits().maxDepth) },
          { statusCode: templates.RECORD_NOT_READ_STATUS, template: templates.GET_ITEM_REFUSED },
        ],
        securityHeaders: RESOURCE_HEADERS,
      },
      opts,
    ),
  );

  // GET / and GET /{proxy+} -> the test page in the private bucket.
  const pageRole = integrationRole(
    "page",
    "GetObject on the test page's bucket",
    args.page.bucket.arn.apply(policies.readPageRolePolicy),
  );
  // The page's own document gets the page's policy; its assets (scripts, styles, the
  // .wasm) get the one for everything else, as on the local stack.
  const pageResponses = (okHeaders: typeof PAGE_HEADERS): ResponseSpec[] => [
    {
      statusCode: "200",
      selectionPattern: "2\\d{2}",
      contentHandling: "CONVERT_TO_BINARY",
      headers: { "method.response.header.Content-Type": "integration.response.header.Content-Type" },
      securityHeaders: okHeaders,
    },
    { statusCode: templates.NOT_FOUND_STATUS, selectionPattern: "4\\d{2}", template: templates.NOT_FOUND_BODY },
    { statusCode: templates.PAGE_NOT_READ_STATUS, template: templates.PAGE_FAILED },
  ];
  parts.include(
    route(
      name,
      {
        name: "page-index",
        restApi: api.id,
        resourceId: api.rootResourceId,
        httpMethod: "GET",
        authorization: "NONE",
        uri: serviceUri("s3", pulumi.interpolate`path/${args.page.bucket.bucket}/index.html`),
        integrationHttpMethod: "GET",
        credentials: pageRole.arn,
        responses: pageResponses(PAGE_HEADERS),
        securityHeaders: RESOURCE_HEADERS,
      },
      opts,
    ),
  );
  parts.include(
    route(
      name,
      {
        name: "page-asset",
        restApi: api.id,
        resourceId: resource("page-asset", api.rootResourceId, "{proxy+}").id,
        httpMethod: "GET",
        authorization: "NONE",
        methodParameters: { "method.request.path.proxy": true },
        uri: serviceUri("s3", pulumi.interpolate`path/${args.page.bucket.bucket}/{key}`),
        integrationHttpMethod: "GET",
        credentials: pageRole.arn,
        integrationParameters: { "integration.request.path.key": "method.request.path.proxy" },
        responses: pageResponses(RESOURCE_HEADERS),
        securityHeaders: RESOURCE_HEADERS,
      },
      opts,
    ),
  );
  parts.addDefinition({ page: args.page.files });

  // API Gateway's own refusals, in the contract's shapes, with its headers.
  for (const r of templates.GATEWAY_RESPONSES) {
    parts.add(
      aws.apigateway.Response,
      `${name}-${r.responseType.toLowerCase().replace(/_/g, "-")}`,
      {
        restApiId: api.id,
        responseType: r.responseType,
        statusCode: r.statusCode,
        responseParameters: staticHeaders("gatewayresponse.header", RESOURCE_HEADERS),
        responseTemplates: { "application/json": r.template },
      },
      opts,
    );
  }

  const served = parts.build();
  return { api, ...stage(name, api, served, args, opts) };
}

/** The deployment of everything `served`, its stage, method settings and logs. */
function stage(
  name: string,
  api: aws.apigateway.RestApi,
  served: ApiParts,
  args: RestApiArgs,
  opts: pulumi.ComponentResourceOptions,
) {
  const definition = pulumi.output(served.definition as unknown[]);
  const fingerprint = definition.apply((d) => crypto.createHash("sha256").update(JSON.stringify(d)).digest("hex"));
  const deployment = new aws.apigateway.Deployment(
    `${name}-deployment`,
    {
      restApi: api.id,
      description: "private-ingest",
      triggers: { definition: fingerprint },
    },
    { ...opts, dependsOn: [...served.resources] },
  );

  const logGroup = (suffix: string, logGroupName: pulumi.Input<string>) =>
    new aws.cloudwatch.LogGroup(
      `${name}-${suffix}`,
      {
        name: logGroupName,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.key.arn,
      },
      opts,
    );
  const accessLogs = logGroup("api-access-logs", `/private-ingest/${args.stack}/api-access`);
  // API Gateway would create the execution log group itself on first use, unencrypted,
  // kept forever and left behind by `destroy`; the stack owns it instead.
  const executionLogs =
    args.executionLoggingLevel === "OFF"
      ? []
      : [logGroup("api-execution-logs", pulumi.interpolate`API-Gateway-Execution-Logs_${api.id}/${STAGE_NAME}`)];
  const account = args.manageApiGatewayAccount ? [apiGatewayAccount(name, args.where, opts)] : [];

  const apiStage = new aws.apigateway.Stage(
    `${name}-stage`,
    {
      restApi: api.id,
      deployment: deployment.id,
      stageName: STAGE_NAME,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      // API Gateway samples requests, and passes the trace on to SQS (the AWSTraceHeader
      // attribute), where the Lambda's event source mapping picks it up.
      xrayTracingEnabled: args.tracing,
    },
    { ...opts, dependsOn: [...account, ...executionLogs] },
  );
  new aws.apigateway.MethodSettings(
    `${name}-method-settings`,
    {
      restApi: api.id,
      stageName: apiStage.stageName,
      methodPath: "*/*",
      settings: {
        throttlingRateLimit: args.throttlingRateLimit,
        throttlingBurstLimit: args.throttlingBurstLimit,
        metricsEnabled: true,
        loggingLevel: args.executionLoggingLevel,
        // Full request and response bodies would copy callers' data into the logs.
        dataTraceEnabled: false,
      },
    },
    opts,
  );
  return { stage: apiStage, deployment, definition, fingerprint };
}

/**
 * The region's API Gateway CloudWatch role, owned by this stack only when the stack
 * settings say so (`manageApiGatewayAccount`). It is account-wide: `destroy` leaves it
 * (and its role) in place, since removing it would stop every API's logs in the region.
 */
function apiGatewayAccount(name: string, where: Where, opts: pulumi.ComponentResourceOptions): aws.apigateway.Account {
  const kept = { ...opts, retainOnDelete: true };
  const role = new aws.iam.Role(
    `${name}-apigateway-logging-role`,
    {
      description: "API Gateway (this account and region): write REST API access and execution logs",
      assumeRolePolicy: JSON.stringify(policies.assumeRolePolicy("apigateway.amazonaws.com")),
    },
    kept,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-apigateway-logging-policy`,
    {
      role: role.id,
      policy: JSON.stringify(policies.apiGatewayLoggingPolicy(where.partition, where.region, where.accountId)),
    },
    kept,
  );
  return new aws.apigateway.Account(
    `${name}-apigateway-account`,
    { cloudwatchRoleArn: role.arn },
    { ...kept, dependsOn: [rolePolicy] },
  );
}
