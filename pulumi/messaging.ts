/**
 * Messaging: the stack's KMS key, the notification topic and its email subscription, the
 * queue and its dead-letter queue, and their resource policies (TLS only; the alarms
 * may publish); the record table and the notify route's dedupe table. Names come from the
 * stack settings; the dead-letter queue's and the dedupe table's from the core.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract, limits } from "../wasm/pkg-node/private_ingest_wasm";
import * as policies from "./policies";
import type { Where } from "./stackContext";

/** SQS's longest retention: the dead letters wait 14 days for someone to look. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * The main queue keeps messages 4 days (SQS's default). Lower than the DLQ's on purpose:
 * a dead letter keeps its original enqueue time, so a DLQ with a shorter retention would
 * drop it early.
 */
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 60 * 60;

export interface MessagingArgs {
  readonly where: Where;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly topicName: string;
  readonly subscriptionEmail: string;
  readonly maxReceiveCount: number;
  /** AWS's guidance: at least six times the consuming function's timeout. */
  readonly visibilityTimeoutSeconds: number;
}

export interface Messaging {
  /** Encrypts the topic and the log groups. */
  readonly key: aws.kms.Key;
  readonly topic: aws.sns.Topic;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
}

export function messaging(name: string, args: MessagingArgs, opts: pulumi.ComponentResourceOptions): Messaging {
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: "private-ingest: encrypts the notification topic and the log groups",
      enableKeyRotation: true,
      policy: JSON.stringify(policies.stackKeyPolicy(args.where)),
    },
    opts,
  );

  const topic = new aws.sns.Topic(`${name}-topic`, { name: args.topicName, kmsMasterKeyId: key.arn }, opts);
  new aws.sns.TopicPolicy(
    `${name}-topic-policy`,
    {
      arn: topic.arn,
      policy: topic.arn.apply((arn) => JSON.stringify(policies.topicPolicy(arn, args.where))),
    },
    opts,
  );
  new aws.sns.TopicSubscription(
    `${name}-email`,
    {
      topic: topic.arn,
      protocol: "email",
      endpoint: args.subscriptionEmail,
    },
    opts,
  );

  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-dlq`,
    {
      name: args.deadLetterQueueName,
      messageRetentionSeconds: DLQ_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
    },
    opts,
  );
  const queue = new aws.sqs.Queue(
    `${name}-queue`,
    {
      name: args.queueName,
      visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
      messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
      // The contract's body limit (256 KiB, from the core). SQS counts the message
      // attributes too, so a body within ~90 bytes of the limit is refused (413) here.
      maxMessageSize: limits().maxBodyBytes,
      sqsManagedSseEnabled: true,
      redrivePolicy: deadLetterQueue.arn.apply((arn) =>
        JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: args.maxReceiveCount }),
      ),
    },
    opts,
  );
  for (const [suffix, q] of [
    ["queue", queue],
    ["dlq", deadLetterQueue],
  ] as const) {
    new aws.sqs.QueuePolicy(
      `${name}-${suffix}-policy`,
      {
        queueUrl: q.url,
        policy: q.arn.apply((arn) => JSON.stringify(policies.queuePolicy(arn))),
      },
      opts,
    );
  }
  return { key, topic, queue, deadLetterQueue };
}

/** The record table: keyed by the message id, on demand, encrypted, point-in-time recovery. */
export function recordTable(name: string, tableName: string, opts: pulumi.ComponentResourceOptions): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    `${name}-table`,
    {
      name: tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    },
    opts,
  );
}

/**
 * The notify route's dedupe table: one marker per `Idempotency-Key` (partition key `id`),
 * written and read by the Lambda only (claim, complete, release). On demand, encrypted,
 * point-in-time recovery like the record table; DynamoDB's TTL deletes a marker once its
 * `expires_at` (epoch seconds, 24 hours after the notification) has passed. The Lambda
 * treats an expired marker as absent, so TTL's lag (up to a few days) changes nothing but
 * the table's size.
 */
export function idempotencyTable(name: string, tableName: string, opts: pulumi.ComponentResourceOptions): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    `${name}-idempotency-table`,
    {
      name: tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      ttl: { attributeName: contract().idempotency.expiresAtAttribute, enabled: true },
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    },
    opts,
  );
}
