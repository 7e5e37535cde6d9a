/**
 * What a platform team watches: one CloudWatch dashboard (the API, the queue and its
 * dead letters, the Lambda, and the Lambda's own EMF counts of what became of each
 * message) and the alarms that tell the topic when something is off, each with its
 * runbook line. Metric names come from the core's contract (the Wasm module's
 * `contract().metrics`), the same names the Lambda writes.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract, type ContractMetric } from "../wasm/pkg-node/private_ingest_wasm";
import { alarm } from "./alarm";

/** What the dashboard and alarms watch, by name. */
export interface WatchedNames {
  readonly region: string;
  /** The Lambda's EMF namespace (the `metricsNamespace` setting). */
  readonly metricsNamespace: string;
  readonly apiName: string;
  readonly stageName: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly functionName: string;
  /** The oldest-message alarm's threshold, in seconds (drawn on its graph too). */
  readonly oldestMessageAlarmSeconds: number;
}

/** One row of a metric widget: `[namespace, metric, dimension, value, ..., {stat, label}]`. */
export type DashboardMetric = [string, string, ...(string | { stat: string; label: string })[]];

export interface MetricWidget {
  readonly type: "metric";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly stacked: boolean;
    readonly period: number;
    readonly metrics: DashboardMetric[];
    readonly annotations?: { horizontal: Array<{ label: string; value: number }> };
  };
}

export interface DashboardBody {
  readonly widgets: MetricWidget[];
}

/** API 5xx share (of all requests, over five minutes) above which its alarm fires. */
export const API_5XX_RATE_THRESHOLD = 0.05;

/** Graphs are drawn per minute, the finest period of the AWS metrics they show. */
const PERIOD_SECONDS = 60;
/** Three widgets a row on CloudWatch's 24-unit grid. */
const WIDGET_WIDTH = 8;
const WIDGET_HEIGHT = 6;

/** The dashboard's widgets, in reading order: a request's way through the stack. */
export function dashboardBody(n: WatchedNames): DashboardBody {
  const m = contract().metrics;
  const api = (metric: string, stat: string, label: string): DashboardMetric => [
    "AWS/ApiGateway",
    metric,
    "ApiName",
    n.apiName,
    "Stage",
    n.stageName,
    { stat, label },
  ];
  const queue = (queueName: string, metric: string, stat: string, label: string): DashboardMetric => [
    "AWS/SQS",
    metric,
    "QueueName",
    queueName,
    { stat, label },
  ];
  const lambda = (metric: string, stat: string, label: string): DashboardMetric => [
    "AWS/Lambda",
    metric,
    "FunctionName",
    n.functionName,
    { stat, label },
  ];
  const emf = (metric: ContractMetric, stat: string, label: string): DashboardMetric => [
    n.metricsNamespace,
    metric.name,
    m.dimension,
    n.functionName,
    { stat, label },
  ];

  const graphs: Array<[string, DashboardMetric[], MetricWidget["properties"]["annotations"]?]> = [
    ["API requests", [api("Count", "Sum", "requests")]],
    [
      "API errors",
      [api("4XXError", "Sum", "4xx (refused: the caller's request)"), api("5XXError", "Sum", "5xx (not queued: send again)")],
    ],
    [
      "API latency (ms)",
      [api("Latency", "p50", "p50"), api("Latency", "p99", "p99"), api("IntegrationLatency", "p99", "SQS SendMessage p99")],
    ],
    [
      "Queue depth",
      [
        queue(n.queueName, "ApproximateNumberOfMessagesVisible", "Maximum", "waiting"),
        queue(n.queueName, "ApproximateNumberOfMessagesNotVisible", "Maximum", "in flight"),
      ],
    ],
    [
      "Oldest message on the queue (s)",
      [queue(n.queueName, "ApproximateAgeOfOldestMessage", "Maximum", "age")],
      { horizontal: [{ label: "alarm", value: n.oldestMessageAlarmSeconds }] },
    ],
    ["Dead-letter queue", [queue(n.deadLetterQueueName, "ApproximateNumberOfMessagesVisible", "Maximum", "dead letters")]],
    ["Lambda errors and throttles", [lambda("Errors", "Sum", "failed invocations"), lambda("Throttles", "Sum", "throttled")]],
    [
      "Lambda duration (ms)",
      [lambda("Duration", "p50", "p50"), lambda("Duration", "p99", "p99"), lambda("Duration", "Maximum", "max")],
    ],
    ["Lambda concurrency", [lambda("ConcurrentExecutions", "Maximum", "invocations at once")]],
    [
      "Messages by outcome",
      [
        emf(m.stored, "Sum", "stored"),
        emf(m.alreadyStored, "Sum", "already stored"),
        emf(m.notified, "Sum", "notified"),
        emf(m.alreadyNotified, "Sum", "already notified"),
        emf(m.rejected, "Sum", "rejected"),
        emf(m.itemFailures, "Sum", "item failures"),
      ],
    ],
    ["Batches", [emf(m.batchSize, "Average", "messages per batch"), emf(m.batchDurationMs, "p99", "batch duration p99 (ms)")]],
    ["Message age when the Lambda took it (ms)", [emf(m.messageAgeMs, "p50", "p50"), emf(m.messageAgeMs, "p99", "p99")]],
  ];
  return {
    widgets: graphs.map(([title, metrics, annotations], i) => ({
      type: "metric",
      x: (i % 3) * WIDGET_WIDTH,
      y: Math.floor(i / 3) * WIDGET_HEIGHT,
      width: WIDGET_WIDTH,
      height: WIDGET_HEIGHT,
      properties: {
        title,
        region: n.region,
        view: "timeSeries",
        stacked: false,
        period: PERIOD_SECONDS,
        metrics,
        ...(annotations ? { annotations } : {}),
      },
    })),
  };
}

export interface ObservabilityArgs {
  readonly region: string;
  readonly stack: string;
  readonly metricsNamespace: string;
  readonly oldestMessageAlarmSeconds: number;
  readonly topicArn: pulumi.Input<string>;
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly queueName: pulumi.Input<string>;
  readonly deadLetterQueueName: pulumi.Input<string>;
  readonly functionName: pulumi.Input<string>;
}

export interface Observability {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

export function observability(name: string, args: ObservabilityArgs, opts: pulumi.ComponentResourceOptions): Observability {
  const m = contract().metrics;
  const dashboard = new aws.cloudwatch.Dashboard(
    `${name}-dashboard`,
    {
      dashboardName: `private-ingest-${args.stack}`,
      dashboardBody: pulumi
        .all([args.apiName, args.stageName, args.queueName, args.deadLetterQueueName, args.functionName])
        .apply(([apiName, stageName, queueName, deadLetterQueueName, functionName]) =>
          JSON.stringify(
            dashboardBody({
              region: args.region,
              metricsNamespace: args.metricsNamespace,
              apiName,
              stageName,
              queueName,
              deadLetterQueueName,
              functionName,
              oldestMessageAlarmSeconds: args.oldestMessageAlarmSeconds,
            }),
          ),
        ),
    },
    opts,
  );

  const topicArn = args.topicArn;
  const alarms = [
    alarm(
      `${name}-dead-letters`,
      {
        description: "messages reached the dead-letter queue (processing failed maxReceiveCount times).",
        runbook:
          "group them with private-ingest dlq inspect --stack-outputs <outputs.json>, find why in the Lambda's log by " +
          "message_id (outcome failed), fix the cause, then move them back with private-ingest dlq redrive " +
          "--stack-outputs <outputs.json> (SQS's StartMessageMoveTask).",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.deadLetterQueueName },
        statistic: "Maximum",
        threshold: 0,
        topicArn,
      },
      opts,
    ),
    alarm(
      `${name}-processor-errors`,
      {
        description: "the Lambda failed whole invocations (a crash, a timeout, or a record without a message id).",
        runbook:
          "read the Lambda's log for the invocation's error; its batch is redelivered whole, so a lasting error ends in the dead-letter queue.",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: args.functionName },
        statistic: "Sum",
        threshold: 0,
        topicArn,
      },
      opts,
    ),
    alarm(
      `${name}-oldest-message`,
      {
        description: `a message has waited on the queue longer than ${args.oldestMessageAlarmSeconds} s: the Lambda is not keeping up, or not running.`,
        runbook:
          "check the dashboard's Lambda errors, throttles and concurrency; raise maxConcurrency if it is pinned at the limit, " +
          "or fix what fails the invocations.",
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: args.queueName },
        statistic: "Maximum",
        threshold: args.oldestMessageAlarmSeconds,
        topicArn,
      },
      opts,
    ),
    alarm(
      `${name}-rejected`,
      {
        description:
          "the Lambda rejected a message body: it bypassed the API's validator, or the API's model and the core's contract drifted apart.",
        runbook:
          "read the rejected notification on the topic (it names each error); compare the API's request model with " +
          "the core's requestSchema() and redeploy, or find who writes to the queue directly.",
        namespace: args.metricsNamespace,
        metricName: m.rejected.name,
        dimensions: { [m.dimension]: args.functionName },
        statistic: "Sum",
        threshold: 0,
        topicArn,
      },
      opts,
    ),
    // The Average of 5XXError is the share of requests answered 5xx (API Gateway's metrics).
    alarm(
      `${name}-api-5xx-rate`,
      {
        description: `more than ${API_5XX_RATE_THRESHOLD * 100}% of API requests were answered 5xx over five minutes: messages were not queued.`,
        runbook:
          "callers must send again; read the API's access log (integrationStatus, errorMessage) for SendMessage's refusal: " +
          "the queue's policy, its KMS key, or SQS throttling.",
        namespace: "AWS/ApiGateway",
        metricName: "5XXError",
        dimensions: { ApiName: args.apiName, Stage: args.stageName },
        statistic: "Average",
        threshold: API_5XX_RATE_THRESHOLD,
        periodSeconds: 300,
        topicArn,
      },
      opts,
    ),
  ];
  return { dashboard, alarms };
}
