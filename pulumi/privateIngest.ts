//! `private-ingest:stack:PrivateIngest`: the whole private ingestion pipeline of
//! DESIGN.md as one component. Read top-down it follows a request: the VPC endpoints and
//! their security group, the private REST API and its three routes (send, read a record,
//! the test page), the private custom domain and its DNS record, the queue and its
//! dead-letter queue, the Lambda that drains it into the table or the topic, and the
//! alarms. Everything is private, encrypted, and allowed only what it uses; the policies
//! come from ./policies.ts and the API's mapping templates from ./mappingTemplates.ts.

import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { limits, requestSchema } from "../wasm/pkg-node/private_ingest_wasm";
import * as templates from "./mappingTemplates";
import * as policies from "./policies";
import type { BuildArtifacts, StackSettings } from "./settings";
import { readWebAssets } from "./webAssets";

export interface PrivateIngestArgs extends StackSettings, BuildArtifacts {}

/**
 * The Lambda's timeout. A batch is at most 10 messages (the batchSize setting), each one
 * DynamoDB PutItem or SNS Publish run concurrently with the SDK's retries: seconds, not
 * tens of seconds, so 30 s leaves room for a cold start in the VPC.
 */
export const LAMBDA_TIMEOUT_SECONDS = 30;

/**
 * AWS's guidance for a queue that feeds Lambda: a visibility timeout of at least six
 * times the function's timeout, so a batch being retried by Lambda is not redelivered.
 */
export const VISIBILITY_TIMEOUT_SECONDS = 6 * LAMBDA_TIMEOUT_SECONDS;

/** SQS's longest retention: the dead letters wait 14 days for someone to look. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * The main queue keeps messages 4 days (SQS's default). Lower than the DLQ's on purpose:
 * a dead letter keeps its original enqueue time, so a DLQ with a shorter retention would
 * drop it early.
 */
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 60 * 60;

/** The suffix the core reserves room for in `queueName` (core/src/stack_config.rs DLQ_SUFFIX). */
export const DLQ_SUFFIX = "-dlq";

/** The stage behind the custom domain (callers never see its name: the domain maps to it at `/`). */
export const STAGE_NAME = "prod";

/** The two requests of the original pattern's README, for the curl outputs. */
export const ORIGINAL_TEST_BODIES = ['{"Insert": "DynamoDB"}', '{"Insert": "Dynamoooo"}'] as const;

/** A JSON access-log line per request: who (which VPC endpoint), what, and how it ended. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  vpceId: "$context.identity.vpceId",
  sourceIp: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integration.status",
  errorMessage: "$context.error.message",
});

/** An integration response of one route. */
interface ResponseSpec {
  readonly statusCode: string;
  /** Regex on the service's HTTP status; absent for the default response. */
  readonly selectionPattern?: string;
  readonly template?: string;
  readonly contentHandling?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One method of the API and its AWS service integration. */
interface RouteSpec {
  readonly name: string;
  readonly resourceId: pulumi.Input<string>;
  readonly httpMethod: "GET" | "POST";
  readonly methodParameters?: Readonly<Record<string, boolean>>;
  readonly requestModels?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly requestValidatorId?: pulumi.Input<string>;
  readonly uri: pulumi.Input<string>;
  readonly integrationHttpMethod: "GET" | "POST";
  readonly credentials: pulumi.Input<string>;
  readonly integrationParameters?: Readonly<Record<string, string>>;
  readonly requestTemplate?: pulumi.Input<string>;
  /** Method response statuses beyond the integration responses' (set by `responseOverride`). */
  readonly overrideStatuses?: readonly string[];
  readonly responses: readonly ResponseSpec[];
}

export class PrivateIngest extends pulumi.ComponentResource {
  /** `https://<customDomainName>/`: the API and the test page, from inside the VPC. */
  public readonly privateUrl: pulumi.Output<string>;
  /** The original pattern's two tests, as curl commands to run from a host in the VPC. */
  public readonly curlStore: pulumi.Output<string>;
  public readonly curlNotify: pulumi.Output<string>;
  public readonly queueUrl: pulumi.Output<string>;
  public readonly deadLetterQueueUrl: pulumi.Output<string>;
  public readonly tableName: pulumi.Output<string>;
  public readonly topicArn: pulumi.Output<string>;
  public readonly executeApiVpcEndpointId: pulumi.Output<string>;
  public readonly restApiId: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;

  /** Everything that decides what a deployment of the API serves: its hash redeploys the stage. */
  private readonly apiDefinition: pulumi.Input<unknown>[] = [];
  /** Every method-level resource the deployment must come after. */
  private readonly apiParts: pulumi.Resource[] = [];

  constructor(name: string, args: PrivateIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("private-ingest:stack:PrivateIngest", name, {}, opts);
    const parent = { parent: this };

    // ---- Where we are -------------------------------------------------------------
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const region = aws.getRegionOutput({}, parent).region;
    const partition = aws.getPartitionOutput({}, parent).partition;
    const vpcCidr = aws.ec2.getVpcOutput({ id: args.vpcId }, parent).cidrBlock;
    const where = pulumi.all([partition, region, account]).apply(([p, r, a]) => ({
      partition: p,
      region: r,
      accountId: a,
    }));

    // ---- The key that encrypts the topic and the log groups -------------------------
    const key = new aws.kms.Key(`${name}-key`, {
      description: "private-ingest: encrypts the notification topic and the log groups",
      enableKeyRotation: true,
      policy: where.apply((w) => JSON.stringify(policies.stackKeyPolicy(w))),
    }, parent);

    // ---- Network: one security group, three VPC endpoints ---------------------------
    const dynamodbEndpoint = new aws.ec2.VpcEndpoint(`${name}-dynamodb-endpoint`, {
      vpcId: args.vpcId,
      serviceName: pulumi.interpolate`com.amazonaws.${region}.dynamodb`,
      vpcEndpointType: "Gateway",
      routeTableIds: [...args.routeTableIds],
    }, parent);

    const securityGroup = new aws.ec2.SecurityGroup(`${name}-endpoints`, {
      vpcId: args.vpcId,
      description: "private-ingest: HTTPS from the VPC to the interface endpoints; the Lambda's HTTPS to them and to DynamoDB",
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [vpcCidr], description: "HTTPS from the VPC" }],
      egress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [vpcCidr], description: "HTTPS to the interface endpoints" },
        {
          protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: [dynamodbEndpoint.prefixListId],
          description: "HTTPS to DynamoDB through the gateway endpoint",
        },
      ],
    }, parent);

    const interfaceEndpoint = (service: string) =>
      new aws.ec2.VpcEndpoint(`${name}-${service}-endpoint`, {
        vpcId: args.vpcId,
        serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: [...args.subnetIds],
        securityGroupIds: [securityGroup.id],
      }, parent);
    const executeApiEndpoint = interfaceEndpoint("execute-api");
    interfaceEndpoint("sns");

    // ---- Notifications: the topic and its email subscription ------------------------
    const topic = new aws.sns.Topic(`${name}-topic`, {
      name: args.topicName,
      kmsMasterKeyId: key.arn,
    }, parent);
    new aws.sns.TopicPolicy(`${name}-topic-policy`, {
      arn: topic.arn,
      policy: pulumi.all([topic.arn, where]).apply(([arn, w]) => JSON.stringify(policies.topicPolicy(arn, w))),
    }, parent);
    new aws.sns.TopicSubscription(`${name}-email`, {
      topic: topic.arn,
      protocol: "email",
      endpoint: args.subscriptionEmail,
    }, parent);

    // ---- The queue and its dead-letter queue ----------------------------------------
    const deadLetters = new aws.sqs.Queue(`${name}-dlq`, {
      name: `${args.queueName}${DLQ_SUFFIX}`,
      messageRetentionSeconds: DLQ_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
    }, parent);
    const queue = new aws.sqs.Queue(`${name}-queue`, {
      name: args.queueName,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
      // The contract's body limit (256 KiB, from the core). SQS counts the message
      // attributes too, so a body within ~90 bytes of the limit is refused (413) here.
      maxMessageSize: limits().maxBodyBytes,
      sqsManagedSseEnabled: true,
      redrivePolicy: deadLetters.arn.apply((arn) =>
        JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: args.maxReceiveCount })),
    }, parent);
    for (const [suffix, q] of [["queue", queue], ["dlq", deadLetters]] as const) {
      new aws.sqs.QueuePolicy(`${name}-${suffix}-policy`, {
        queueUrl: q.url,
        policy: q.arn.apply((arn) => JSON.stringify(policies.queuePolicy(arn))),
      }, parent);
    }

    // ---- The record table -----------------------------------------------------------
    const table = new aws.dynamodb.Table(`${name}-table`, {
      name: args.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    }, parent);

    // ---- The Lambda that drains the queue -------------------------------------------
    const lambdaLogs = new aws.cloudwatch.LogGroup(`${name}-lambda-logs`, {
      name: `/private-ingest/${name}/lambda`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: key.arn,
    }, parent);
    const lambdaRole = new aws.iam.Role(`${name}-lambda-role`, {
      description: "private-ingest Lambda: PutItem on the table, Publish on the topic, its own logs and ENIs",
      assumeRolePolicy: JSON.stringify(policies.assumeRolePolicy("lambda.amazonaws.com")),
    }, parent);
    const lambdaPolicy = new aws.iam.RolePolicy(`${name}-lambda-policy`, {
      role: lambdaRole.id,
      policy: pulumi
        .all([table.arn, topic.arn, key.arn, queue.arn, lambdaLogs.arn, securityGroup.arn, where])
        .apply(([tableArn, topicArn, keyArn, queueArn, logGroupArn, securityGroupArn, w]) => {
          const ec2 = `arn:${w.partition}:ec2:${w.region}:${w.accountId}`;
          return JSON.stringify(policies.lambdaExecutionPolicy({
            tableArn, topicArn, topicKeyArn: keyArn, queueArn, logGroupArn, securityGroupArn,
            subnetArns: args.subnetIds.map((id) => `${ec2}:subnet/${id}`),
            networkInterfacesArn: `${ec2}:network-interface/*`,
          }));
        }),
    }, parent);
    const fn = new aws.lambda.Function(`${name}-processor`, {
      description: "private-ingest: stores or notifies each queued message (Rust, handle_batch)",
      runtime: "provided.al2023",
      architectures: ["arm64"],
      handler: "bootstrap",
      code: new pulumi.asset.FileArchive(args.lambdaZipPath),
      memorySize: args.lambdaMemoryMb,
      timeout: LAMBDA_TIMEOUT_SECONDS,
      role: lambdaRole.arn,
      environment: { variables: { TABLE_NAME: table.name, TOPIC_ARN: topic.arn } },
      vpcConfig: { subnetIds: [...args.subnetIds], securityGroupIds: [securityGroup.id] },
      loggingConfig: { logFormat: "JSON", logGroup: lambdaLogs.name },
    }, { parent: this, dependsOn: [lambdaPolicy] });
    new aws.lambda.EventSourceMapping(`${name}-queue-to-processor`, {
      eventSourceArn: queue.arn,
      functionName: fn.arn,
      batchSize: args.batchSize,
      // A failed message is retried alone; the others of its batch are deleted.
      functionResponseTypes: ["ReportBatchItemFailures"],
    }, parent);

    // ---- Alarms, to the same topic ----------------------------------------------------
    new aws.cloudwatch.MetricAlarm(`${name}-dead-letters`, {
      alarmDescription: "private-ingest: messages reached the dead-letter queue (processing failed maxReceiveCount times)",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: deadLetters.name },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    }, parent);
    new aws.cloudwatch.MetricAlarm(`${name}-processor-errors`, {
      alarmDescription: "private-ingest: the Lambda failed whole invocations",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn.name },
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topic.arn],
    }, parent);

    // ---- The private REST API --------------------------------------------------------
    const api = new aws.apigateway.RestApi(`${name}-api`, {
      description: "private-ingest: send messages and read records, only through the VPC endpoint",
      endpointConfiguration: { types: "PRIVATE", vpcEndpointIds: [executeApiEndpoint.id] },
    }, parent);
    const apiPolicy = new aws.apigateway.RestApiPolicy(`${name}-api-policy`, {
      restApiId: api.id,
      policy: pulumi.all([api.executionArn, executeApiEndpoint.id]).apply(([arn, vpce]) =>
        JSON.stringify(policies.privateApiPolicy(arn, vpce))),
    }, parent);
    this.apiParts.push(apiPolicy);
    this.apiDefinition.push(apiPolicy.policy);

    const integrationRole = (route: string, purpose: string, document: pulumi.Output<policies.PolicyDocument>) => {
      const role = new aws.iam.Role(`${name}-api-${route}-role`, {
        description: `private-ingest API Gateway: ${purpose}`,
        assumeRolePolicy: JSON.stringify(policies.assumeRolePolicy("apigateway.amazonaws.com")),
      }, parent);
      const rolePolicy = new aws.iam.RolePolicy(`${name}-api-${route}-policy`, {
        role: role.id,
        policy: document.apply((d) => JSON.stringify(d)),
      }, parent);
      this.apiParts.push(rolePolicy);
      return role;
    };
    const serviceUri = (service: string, path: pulumi.Input<string>) =>
      pulumi.interpolate`arn:${partition}:apigateway:${region}:${service}:${path}`;

    // POST /send-message -> SQS SendMessage, validated against the core's schema.
    const model = new aws.apigateway.Model(`${name}-send-message-model`, {
      restApi: api.id,
      name: "SendMessageRequest",
      contentType: "application/json",
      schema: JSON.stringify(requestSchema()),
    }, parent);
    const validator = new aws.apigateway.RequestValidator(`${name}-validator`, {
      restApi: api.id,
      name: "body-and-parameters",
      validateRequestBody: true,
      validateRequestParameters: true,
    }, parent);
    const sendMessage = new aws.apigateway.Resource(`${name}-send-message`, {
      restApi: api.id, parentId: api.rootResourceId, pathPart: "send-message",
    }, parent);
    this.route(name, api, {
      name: "send-message",
      resourceId: sendMessage.id,
      httpMethod: "POST",
      requestModels: { "application/json": model.name },
      requestValidatorId: validator.id,
      uri: serviceUri("sqs", pulumi.interpolate`path/${account}/${queue.name}`),
      integrationHttpMethod: "POST",
      credentials: integrationRole("send", "SendMessage on the queue",
        queue.arn.apply(policies.sendMessageRolePolicy)).arn,
      integrationParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
      requestTemplate: templates.SEND_MESSAGE_REQUEST,
      overrideStatuses: ["413"],
      responses: [
        { statusCode: "200", selectionPattern: "2\\d{2}", template: templates.SEND_MESSAGE_OK },
        { statusCode: "502", template: templates.sendMessageFailed(limits().maxBodyBytes) },
      ],
    });

    // GET /messages/{id} -> DynamoDB GetItem.
    const messages = new aws.apigateway.Resource(`${name}-messages`, {
      restApi: api.id, parentId: api.rootResourceId, pathPart: "messages",
    }, parent);
    const message = new aws.apigateway.Resource(`${name}-message`, {
      restApi: api.id, parentId: messages.id, pathPart: "{id}",
    }, parent);
    this.route(name, api, {
      name: "get-message",
      resourceId: message.id,
      httpMethod: "GET",
      methodParameters: { "method.request.path.id": true },
      requestValidatorId: validator.id,
      uri: serviceUri("dynamodb", "action/GetItem"),
      integrationHttpMethod: "POST",
      credentials: integrationRole("read", "GetItem on the table",
        table.arn.apply(policies.readRecordRolePolicy)).arn,
      requestTemplate: templates.getItemRequest(args.tableName),
      responses: [
        { statusCode: "200", selectionPattern: "2\\d{2}", template: templates.getItemFound(limits().maxDepth) },
        { statusCode: "404", selectionPattern: "4\\d{2}", template: templates.NOT_FOUND_BODY },
        { statusCode: "502", template: templates.GET_ITEM_FAILED },
      ],
    });

    // GET / and GET /{proxy+} -> the test page in a private bucket.
    const bucket = this.pageBucket(name, args.webDistDir);
    const pageRole = integrationRole("page", "GetObject on the test page's bucket",
      bucket.arn.apply(policies.readPageRolePolicy));
    const pageResponses: ResponseSpec[] = [
      {
        statusCode: "200",
        selectionPattern: "2\\d{2}",
        contentHandling: "CONVERT_TO_BINARY",
        headers: { "method.response.header.Content-Type": "integration.response.header.Content-Type" },
      },
      { statusCode: "404", selectionPattern: "4\\d{2}", template: templates.NOT_FOUND_BODY },
      { statusCode: "502", template: templates.PAGE_FAILED },
    ];
    this.route(name, api, {
      name: "page-index",
      resourceId: api.rootResourceId,
      httpMethod: "GET",
      uri: serviceUri("s3", pulumi.interpolate`path/${bucket.bucket}/index.html`),
      integrationHttpMethod: "GET",
      credentials: pageRole.arn,
      responses: pageResponses,
    });
    const asset = new aws.apigateway.Resource(`${name}-page-asset`, {
      restApi: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}",
    }, parent);
    this.route(name, api, {
      name: "page-asset",
      resourceId: asset.id,
      httpMethod: "GET",
      methodParameters: { "method.request.path.proxy": true },
      uri: serviceUri("s3", pulumi.interpolate`path/${bucket.bucket}/{key}`),
      integrationHttpMethod: "GET",
      credentials: pageRole.arn,
      integrationParameters: { "integration.request.path.key": "method.request.path.proxy" },
      responses: pageResponses,
    });

    // API Gateway's own refusals, in the contract's shapes.
    for (const r of templates.gatewayResponses(limits().maxBodyBytes)) {
      const response = new aws.apigateway.Response(`${name}-${r.responseType.toLowerCase().replace(/_/g, "-")}`, {
        restApiId: api.id,
        responseType: r.responseType,
        statusCode: r.statusCode,
        responseTemplates: { "application/json": r.template },
      }, parent);
      this.apiParts.push(response);
      this.apiDefinition.push(r);
    }

    // ---- Deployment, stage and access logs --------------------------------------------
    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-api-access-logs`, {
      name: `/private-ingest/${name}/api-access`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: key.arn,
    }, parent);
    const apiLoggingRole = new aws.iam.Role(`${name}-apigateway-logging-role`, {
      description: "API Gateway (this account and region): write REST API access logs",
      assumeRolePolicy: JSON.stringify(policies.assumeRolePolicy("apigateway.amazonaws.com")),
    }, parent);
    const apiLoggingPolicy = new aws.iam.RolePolicy(`${name}-apigateway-logging-policy`, {
      role: apiLoggingRole.id,
      policy: where.apply((w) => JSON.stringify(policies.apiGatewayLoggingPolicy(w.partition, w.region, w.accountId))),
    }, parent);
    // API Gateway refuses a stage with access logs until the region has a logging role.
    const apiAccount = new aws.apigateway.Account(`${name}-apigateway-account`, {
      cloudwatchRoleArn: apiLoggingRole.arn,
    }, { parent: this, dependsOn: [apiLoggingPolicy] });

    const deployment = new aws.apigateway.Deployment(`${name}-deployment`, {
      restApi: api.id,
      description: "private-ingest",
      triggers: {
        definition: pulumi.output(this.apiDefinition).apply((d) =>
          crypto.createHash("sha256").update(JSON.stringify(d)).digest("hex")),
      },
    }, { parent: this, dependsOn: this.apiParts });
    const stage = new aws.apigateway.Stage(`${name}-stage`, {
      restApi: api.id,
      deployment: deployment.id,
      stageName: STAGE_NAME,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
    }, { parent: this, dependsOn: [apiAccount] });

    // ---- The private custom domain ----------------------------------------------------
    const domain = new aws.apigateway.DomainName(`${name}-domain`, {
      domainName: args.customDomainName,
      certificateArn: args.certificateArn,
      endpointConfiguration: { types: "PRIVATE" },
      securityPolicy: "TLS_1_2",
      policy: executeApiEndpoint.id.apply((vpce) => JSON.stringify(policies.privateDomainPolicy(vpce))),
    }, parent);
    new aws.apigateway.DomainNameAccessAssociation(`${name}-domain-access`, {
      domainNameArn: domain.arn,
      accessAssociationSource: executeApiEndpoint.id,
      accessAssociationSourceType: "VPCE",
    }, parent);
    new aws.apigateway.BasePathMapping(`${name}-domain-mapping`, {
      domainName: domain.domainName,
      domainNameId: domain.domainNameId,
      restApi: api.id,
      stageName: stage.stageName,
    }, parent);
    new aws.route53.Record(`${name}-domain-record`, {
      zoneId: args.privateHostedZoneId,
      name: args.customDomainName,
      type: "A",
      aliases: [{
        name: executeApiEndpoint.dnsEntries.apply((entries) => entries[0].dnsName),
        zoneId: executeApiEndpoint.dnsEntries.apply((entries) => entries[0].hostedZoneId),
        evaluateTargetHealth: false,
      }],
    }, parent);

    // ---- Outputs ------------------------------------------------------------------------
    const url = `https://${args.customDomainName}`;
    this.privateUrl = pulumi.output(`${url}/`);
    [this.curlStore, this.curlNotify] = ORIGINAL_TEST_BODIES.map((body) =>
      pulumi.output(`curl -X POST -H "Content-Type: application/json" -d '${body}' ${url}/send-message`));
    this.queueUrl = queue.url;
    this.deadLetterQueueUrl = deadLetters.url;
    this.tableName = table.name;
    this.topicArn = topic.arn;
    this.executeApiVpcEndpointId = executeApiEndpoint.id;
    this.restApiId = api.id;
    this.functionName = fn.name;
    this.registerOutputs({
      privateUrl: this.privateUrl,
      curlStore: this.curlStore,
      curlNotify: this.curlNotify,
      queueUrl: this.queueUrl,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      tableName: this.tableName,
      topicArn: this.topicArn,
      executeApiVpcEndpointId: this.executeApiVpcEndpointId,
      restApiId: this.restApiId,
      functionName: this.functionName,
    });
  }

  /** The private bucket holding the test page, with the page's files (when it is built). */
  private pageBucket(name: string, webDistDir: string): aws.s3.Bucket {
    const parent = { parent: this };
    const bucket = new aws.s3.Bucket(`${name}-page`, { bucketPrefix: "private-ingest-page-", forceDestroy: true }, parent);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-page-public-access`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, parent);
    new aws.s3.BucketOwnershipControls(`${name}-page-ownership`, {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-page-encryption`, {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, parent);
    new aws.s3.BucketPolicy(`${name}-page-policy`, {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(policies.pageBucketPolicy(arn))),
    }, { parent: this, dependsOn: [publicAccess] });

    const assets = readWebAssets(webDistDir);
    for (const file of assets) {
      new aws.s3.BucketObjectv2(`${name}-page-${file.key}`, {
        bucket: bucket.id,
        key: file.key,
        content: file.base64,
        contentType: file.contentType,
        // Served through API Gateway only; it caches nothing itself.
        cacheControl: file.key === "index.html" ? "no-cache" : "public, max-age=300",
      }, parent);
    }
    this.apiDefinition.push(assets.map(({ key, sha256 }) => ({ key, sha256 })));
    return bucket;
  }

  /** One method, its integration, and its method and integration responses. */
  private route(name: string, api: aws.apigateway.RestApi, spec: RouteSpec): void {
    const parent = { parent: this };
    const prefix = `${name}-${spec.name}`;
    const method = new aws.apigateway.Method(`${prefix}-method`, {
      restApi: api.id,
      resourceId: spec.resourceId,
      httpMethod: spec.httpMethod,
      // The API and domain policies admit only the VPC endpoint; no caller identity on top.
      authorization: "NONE",
      requestParameters: spec.methodParameters ? { ...spec.methodParameters } : undefined,
      requestModels: spec.requestModels ? { ...spec.requestModels } : undefined,
      requestValidatorId: spec.requestValidatorId,
    }, parent);
    const integration = new aws.apigateway.Integration(`${prefix}-integration`, {
      restApi: api.id,
      resourceId: spec.resourceId,
      httpMethod: method.httpMethod,
      type: "AWS",
      integrationHttpMethod: spec.integrationHttpMethod,
      uri: spec.uri,
      credentials: spec.credentials,
      requestParameters: spec.integrationParameters ? { ...spec.integrationParameters } : undefined,
      requestTemplates: spec.requestTemplate ? { "application/json": spec.requestTemplate } : undefined,
      // A request whose Content-Type has no template is refused (415), never passed on raw.
      passthroughBehavior: spec.requestTemplate ? "NEVER" : "WHEN_NO_MATCH",
    }, parent);
    this.apiParts.push(method, integration);
    this.apiDefinition.push(spec.name, spec.uri, spec.requestTemplate ?? null, spec.integrationParameters ?? null);

    const statuses = [...new Set([...spec.responses.map((r) => r.statusCode), ...(spec.overrideStatuses ?? [])])];
    const methodResponses = new Map<string, aws.apigateway.MethodResponse>();
    for (const statusCode of statuses) {
      const headers = spec.responses.find((r) => r.statusCode === statusCode)?.headers;
      methodResponses.set(statusCode, new aws.apigateway.MethodResponse(`${prefix}-${statusCode}`, {
        restApi: api.id,
        resourceId: spec.resourceId,
        httpMethod: method.httpMethod,
        statusCode,
        responseParameters: headers
          ? Object.fromEntries(Object.keys(headers).map((h) => [h, true]))
          : undefined,
      }, parent));
    }
    for (const r of spec.responses) {
      const response = new aws.apigateway.IntegrationResponse(`${prefix}-${r.statusCode}-response`, {
        restApi: api.id,
        resourceId: spec.resourceId,
        httpMethod: method.httpMethod,
        statusCode: r.statusCode,
        selectionPattern: r.selectionPattern,
        contentHandling: r.contentHandling,
        responseParameters: r.headers ? { ...r.headers } : undefined,
        responseTemplates: r.template ? { "application/json": r.template } : undefined,
      }, { parent: this, dependsOn: [integration, methodResponses.get(r.statusCode)!] });
      this.apiParts.push(response);
      this.apiDefinition.push(r);
    }
  }
}
