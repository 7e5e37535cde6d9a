/**
 * Processor: the Rust Lambda that drains the queue into the table or the topic, its
 * role, its log group and the event source mapping that feeds it. (What watches it is in
 * observability.ts.)
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract } from "../wasm/pkg-node/private_ingest_wasm";
import * as policies from "./policies";
import type { Where } from "./stackContext";

/** The names of the Lambda's environment variables: the core's, which the handler reads. */
const variables = contract().functionEnvironment;

/**
 * The Lambda's timeout. A batch is at most 10 messages (the batchSize setting), each one
 * DynamoDB PutItem or SNS Publish (with an Idempotency-Key: up to three DynamoDB calls
 * around the Publish) run concurrently with the SDK's retries: seconds, not tens of
 * seconds, so 30 s leaves room for a cold start in the VPC. A dedupe claim holds its key
 * for the bootstrap's IN_PROGRESS_EXPIRY (30 s), which must be at least this: by then the
 * invocation that claimed the key has ended.
 */
export const LAMBDA_TIMEOUT_SECONDS = 30;

/**
 * AWS's guidance for a queue that feeds Lambda: a visibility timeout of at least six
 * times the function's timeout, so a batch being retried by Lambda is not redelivered.
 */
export const VISIBILITY_TIMEOUT_SECONDS = 6 * LAMBDA_TIMEOUT_SECONDS;

export interface ProcessorArgs {
  readonly where: Where;
  /** The stack's name: the log group's name carries it, so two stacks never share one. */
  readonly stack: string;
  readonly lambdaZipPath: string;
  readonly lambdaMemoryMb: number;
  readonly batchSize: number;
  readonly maxConcurrency: number;
  readonly logRetentionDays: number;
  readonly notificationIncludesData: boolean;
  /** X-Ray active tracing (the `tracing` setting). */
  readonly tracing: boolean;
  /** Where the function's EMF metrics go (the `metricsNamespace` setting). */
  readonly metricsNamespace: string;
  /** The routing rules as compact JSON (`routingRules`, checked by the core); null: none. */
  readonly routingRules: string | null;
  readonly subnetIds: readonly string[];
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly snsEndpointUrl: pulumi.Input<string>;
  readonly key: aws.kms.Key;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly table: aws.dynamodb.Table;
  /** The notify route's dedupe table (one marker per Idempotency-Key). */
  readonly idempotencyTable: aws.dynamodb.Table;
  readonly topic: aws.sns.Topic;
}

export interface Processor {
  readonly function: aws.lambda.Function;
  readonly logGroup: aws.cloudwatch.LogGroup;
}

export function processor(name: string, args: ProcessorArgs, opts: pulumi.ComponentResourceOptions): Processor {
  const { partition, region, accountId } = args.where;
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-lambda-logs`,
    {
      name: `/private-ingest/${args.stack}/lambda`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.key.arn,
    },
    opts,
  );
  const ec2 = `arn:${partition}:ec2:${region}:${accountId}`;
  const role = new aws.iam.Role(
    `${name}-lambda-role`,
    {
      description: "private-ingest Lambda: PutItem on the table, dedupe markers, Publish on the topic, its own logs and ENIs",
      assumeRolePolicy: JSON.stringify(policies.assumeRolePolicy("lambda.amazonaws.com")),
    },
    opts,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-lambda-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([
          args.table.arn,
          args.idempotencyTable.arn,
          args.topic.arn,
          args.key.arn,
          args.queue.arn,
          logGroup.arn,
          args.securityGroup.arn,
        ])
        .apply(([tableArn, idempotencyTableArn, topicArn, keyArn, queueArn, logGroupArn, securityGroupArn]) =>
          JSON.stringify(
            policies.lambdaExecutionPolicy({
              tableArn,
              idempotencyTableArn,
              topicArn,
              topicKeyArn: keyArn,
              queueArn,
              logGroupArn,
              securityGroupArn,
              subnetArns: args.subnetIds.map((id) => `${ec2}:subnet/${id}`),
              networkInterfacesArn: `${ec2}:network-interface/*`,
              tracing: args.tracing,
            }),
          ),
        ),
    },
    opts,
  );
  const fn = new aws.lambda.Function(
    `${name}-processor`,
    {
      description: "private-ingest: stores or notifies each queued message (Rust, handle_batch)",
      runtime: "provided.al2023",
      architectures: ["arm64"],
      handler: "bootstrap",
      code: new pulumi.asset.FileArchive(args.lambdaZipPath),
      memorySize: args.lambdaMemoryMb,
      timeout: LAMBDA_TIMEOUT_SECONDS,
      role: role.arn,
      environment: {
        variables: {
          [variables.tableName]: args.table.name,
          [variables.idempotencyTableName]: args.idempotencyTable.name,
          [variables.topicArn]: args.topic.arn,
          [variables.notificationIncludesData]: String(args.notificationIncludesData),
          [variables.metricsNamespace]: args.metricsNamespace,
          // Rules in the environment: changing them updates the configuration, no build.
          ...(args.routingRules === null ? {} : { [variables.routingRules]: args.routingRules }),
          // The SDK's service-specific endpoint: SNS through this stack's endpoint only.
          AWS_ENDPOINT_URL_SNS: args.snsEndpointUrl,
        },
      },
      vpcConfig: { subnetIds: [...args.subnetIds], securityGroupIds: [args.securityGroup.id] },
      // JSON lets Lambda filter by level (its application log level reaches the function as
      // AWS_LAMBDA_LOG_LEVEL); the batch's EMF line is JSON and carries no level, so it stays.
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      // Active: Lambda samples and records each invocation, and continues the trace the API
      // started through SQS (API -> SQS -> Lambda on the service map).
      tracingConfig: { mode: args.tracing ? "Active" : "PassThrough" },
    },
    { ...opts, dependsOn: [rolePolicy] },
  );
  new aws.lambda.EventSourceMapping(
    `${name}-queue-to-processor`,
    {
      eventSourceArn: args.queue.arn,
      functionName: fn.arn,
      batchSize: args.batchSize,
      // A failed message is retried alone; the others of its batch are deleted.
      functionResponseTypes: ["ReportBatchItemFailures"],
      // However fast the queue fills, at most this many invocations write to the table and
      // the topic at once.
      scalingConfig: { maximumConcurrency: args.maxConcurrency },
    },
    opts,
  );

  return { function: fn, logGroup };
}
