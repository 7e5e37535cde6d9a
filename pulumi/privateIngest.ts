/**
 * `private-ingest:stack:PrivateIngest`: the whole private ingestion pipeline of
 * ARCHITECTURE.md as one component. Read top-down it follows a request: the network (VPC
 * endpoints and security groups), the queue and the topic, the table, the Lambda that
 * drains the queue into one or the other, the private REST API, its private custom
 * domain, what watches it all (a dashboard and alarms), and the endpoints' policies
 * naming what the stack created. Each part is a
 * function in a file named after its AWS concept, returning typed outputs.
 */

import * as pulumi from "@pulumi/pulumi";
import { idempotencyTable, messaging, recordTable } from "./messaging";
import { endpointPolicies, network } from "./network";
import { observability } from "./observability";
import { pageBucket } from "./pageBucket";
import { privateDomain } from "./privateDomain";
import { processor, VISIBILITY_TIMEOUT_SECONDS } from "./processor";
import { restApi } from "./restApi";
import { routingRulesAsset, type RoutingRules } from "./routingRules";
import type { BuildArtifacts, StackSettings } from "./settings";
import type { VpcFacts, Where } from "./stackContext";

export interface PrivateIngestArgs {
  readonly settings: StackSettings;
  readonly artifacts: BuildArtifacts;
  readonly where: Where;
  readonly vpc: VpcFacts;
  /** The Pulumi stack's name: physical names that are not settings carry it. */
  readonly stack: string;
  /** The `routingRules` setting, checked by the core; none: the routing on `Insert`. */
  readonly routingRules?: RoutingRules | null;
}

/** The two requests of the original pattern's README, for the curl outputs. */
export const ORIGINAL_TEST_BODIES = ['{"Insert": "DynamoDB"}', '{"Insert": "Dynamoooo"}'] as const;

/** What a user needs to reach and watch the stack. */
export interface PrivateIngestOutputs {
  /** `https://<customDomainName>/`: the API and the test page, from inside the VPC. */
  readonly privateUrl: pulumi.Output<string>;
  /** The original pattern's two tests, as curl commands to run from a host in the VPC. */
  readonly curlStore: pulumi.Output<string>;
  readonly curlNotify: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  /** The notify route's dedupe table (Idempotency-Key markers, TTL on expires_at). */
  readonly idempotencyTableName: pulumi.Output<string>;
  readonly topicArn: pulumi.Output<string>;
  readonly executeApiVpcEndpointId: pulumi.Output<string>;
  readonly restApiId: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /** The CloudWatch dashboard of the stack. */
  readonly dashboardName: pulumi.Output<string>;
}

export class PrivateIngest extends pulumi.ComponentResource implements PrivateIngestOutputs {
  public readonly privateUrl: pulumi.Output<string>;
  public readonly curlStore: pulumi.Output<string>;
  public readonly curlNotify: pulumi.Output<string>;
  public readonly queueUrl: pulumi.Output<string>;
  public readonly deadLetterQueueUrl: pulumi.Output<string>;
  public readonly tableName: pulumi.Output<string>;
  public readonly idempotencyTableName: pulumi.Output<string>;
  public readonly topicArn: pulumi.Output<string>;
  public readonly executeApiVpcEndpointId: pulumi.Output<string>;
  public readonly restApiId: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly dashboardName: pulumi.Output<string>;
  /** The API deployment's trigger: a hash of every input of every API part. */
  public readonly apiFingerprint: pulumi.Output<string>;
  /** What `apiFingerprint` hashes. */
  public readonly apiFingerprintDefinition: pulumi.Output<readonly unknown[]>;

  constructor(name: string, args: PrivateIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("private-ingest:stack:PrivateIngest", name, {}, opts);
    const parent = { parent: this };
    const { settings: s, where, stack } = args;

    const net = network(
      name,
      {
        where,
        vpc: args.vpc,
        routeTableIds: s.routeTableIds,
        subnetIds: s.subnetIds,
        executeApiPrivateDns: s.executeApiPrivateDns,
      },
      parent,
    );
    const msg = messaging(
      name,
      {
        where,
        queueName: s.queueName,
        deadLetterQueueName: s.deadLetterQueueName,
        topicName: s.topicName,
        subscriptionEmail: s.subscriptionEmail,
        maxReceiveCount: s.maxReceiveCount,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      },
      parent,
    );
    const table = recordTable(name, s.tableName, parent);
    const dedupeTable = idempotencyTable(name, s.idempotencyTableName, parent);
    const fn = processor(
      name,
      {
        where,
        stack,
        lambdaZipPath: args.artifacts.lambdaZipPath,
        lambdaMemoryMb: s.lambdaMemoryMb,
        batchSize: s.batchSize,
        maxConcurrency: s.maxConcurrency,
        logRetentionDays: s.logRetentionDays,
        notificationIncludesData: s.notificationIncludesData,
        tracing: s.tracing,
        metricsNamespace: s.metricsNamespace,
        routingRules: args.routingRules?.compact ?? null,
        subnetIds: s.subnetIds,
        securityGroup: net.processorSecurityGroup,
        snsEndpointUrl: net.snsEndpointUrl,
        key: msg.key,
        queue: msg.queue,
        deadLetterQueue: msg.deadLetterQueue,
        table,
        idempotencyTable: dedupeTable,
        topic: msg.topic,
      },
      parent,
    );
    const api = restApi(
      name,
      {
        where,
        stack,
        executeApiEndpoint: net.executeApiEndpoint,
        queue: msg.queue,
        table,
        tableName: s.tableName,
        page: pageBucket(
          name,
          args.artifacts.webDistDir,
          [routingRulesAsset(args.routingRules ?? null, s.notificationIncludesData)],
          parent,
        ),
        key: msg.key,
        authorization: s.apiAuthorization,
        throttlingRateLimit: s.throttlingRateLimit,
        throttlingBurstLimit: s.throttlingBurstLimit,
        executionLoggingLevel: s.executionLoggingLevel,
        logRetentionDays: s.logRetentionDays,
        manageApiGatewayAccount: s.manageApiGatewayAccount,
        tracing: s.tracing,
      },
      parent,
    );
    const domain = privateDomain(
      name,
      {
        where,
        domainName: s.customDomainName,
        certificateArn: s.certificateArn,
        privateHostedZoneId: s.privateHostedZoneId,
        executeApiEndpoint: net.executeApiEndpoint,
        api: api.api,
        stage: api.stage,
      },
      parent,
    );
    const watched = observability(
      name,
      {
        region: where.region,
        stack,
        metricsNamespace: s.metricsNamespace,
        oldestMessageAlarmSeconds: s.oldestMessageAlarmSeconds,
        topicArn: msg.topic.arn,
        apiName: api.api.name,
        stageName: api.stage.stageName,
        queueName: msg.queue.name,
        deadLetterQueueName: msg.deadLetterQueue.name,
        functionName: fn.function.name,
      },
      parent,
    );
    endpointPolicies(
      name,
      net,
      where,
      {
        tableArn: table.arn,
        idempotencyTableArn: dedupeTable.arn,
        topicArn: msg.topic.arn,
        executionArn: api.api.executionArn,
        domainInvokeArn: domain.invokeArn,
        signedApiCallers: s.apiAuthorization === "AWS_IAM",
      },
      parent,
    );

    const url = `https://${s.customDomainName}`;
    this.privateUrl = pulumi.output(`${url}/`);
    [this.curlStore, this.curlNotify] = ORIGINAL_TEST_BODIES.map((body) =>
      pulumi.output(`curl -X POST -H "Content-Type: application/json" -d '${body}' ${url}/send-message`),
    );
    this.queueUrl = msg.queue.url;
    this.deadLetterQueueUrl = msg.deadLetterQueue.url;
    this.tableName = table.name;
    this.idempotencyTableName = dedupeTable.name;
    this.topicArn = msg.topic.arn;
    this.executeApiVpcEndpointId = net.executeApiEndpoint.id;
    this.restApiId = api.api.id;
    this.functionName = fn.function.name;
    this.dashboardName = watched.dashboard.dashboardName;
    this.apiFingerprint = api.fingerprint;
    this.apiFingerprintDefinition = api.definition;
    this.registerOutputs({
      privateUrl: this.privateUrl,
      curlStore: this.curlStore,
      curlNotify: this.curlNotify,
      queueUrl: this.queueUrl,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      tableName: this.tableName,
      idempotencyTableName: this.idempotencyTableName,
      topicArn: this.topicArn,
      executeApiVpcEndpointId: this.executeApiVpcEndpointId,
      restApiId: this.restApiId,
      functionName: this.functionName,
      dashboardName: this.dashboardName,
    });
  }
}
