/**
 * What watches the stack, under mocks: every dashboard widget names a metric that exists
 * (one the Lambda's EMF line writes, or an AWS metric with the dimensions AWS publishes
 * it under, naming this stack's resources), every alarm tells the topic and says what to
 * do, and X-Ray is on, with the permission it needs, unless the settings turn it off.
 */

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { contract } from "../../wasm/pkg-node/private_ingest_wasm";
import { MAX_ALARM_DESCRIPTION } from "../alarm";
import type { DashboardBody, DashboardMetric } from "../observability";
import type { PolicyDocument } from "../policies";
import type { RecordedResource } from "../tools/recordingMocks";
import { type DeclaredStack, declareStack } from "./stackUnderMocks";

/**
 * The AWS metrics the stack may name, with the dimensions AWS publishes them under
 * (CloudWatch's metric references for API Gateway REST APIs, SQS and Lambda).
 */
const AWS_METRICS: Readonly<Record<string, { metrics: readonly string[]; dimensions: readonly string[] }>> = {
  "AWS/ApiGateway": {
    metrics: ["Count", "4XXError", "5XXError", "Latency", "IntegrationLatency"],
    dimensions: ["ApiName", "Stage"],
  },
  "AWS/SQS": {
    metrics: ["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateAgeOfOldestMessage"],
    dimensions: ["QueueName"],
  },
  "AWS/Lambda": { metrics: ["Errors", "Throttles", "Duration", "ConcurrentExecutions"], dimensions: ["FunctionName"] },
};

const metrics = contract().metrics;
/** What the Lambda's EMF line writes (handler/src/metrics/emf.rs, from the same contract). */
const EMF_METRICS = [
  metrics.stored,
  metrics.alreadyStored,
  metrics.notified,
  metrics.alreadyNotified,
  metrics.rejected,
  metrics.itemFailures,
  metrics.batchSize,
  metrics.batchDurationMs,
  metrics.messageAgeMs,
].map((m) => m.name);

interface Named {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
}

function named(row: DashboardMetric): Named {
  const [namespace, metric, ...rest] = row;
  const pairs = rest.filter((x): x is string => typeof x === "string");
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
  return { namespace, metric, dimensions };
}

/** Why `n` is not a metric this stack has, or undefined when it is one. */
function problem(n: Named, stack: DeclaredStack, names: Record<string, string>): string | undefined {
  const keys = Object.keys(n.dimensions).sort();
  if (n.namespace === stack.settings.metricsNamespace) {
    if (!EMF_METRICS.includes(n.metric)) return `${n.metric} is not written by the Lambda's EMF line`;
    if (keys.join() !== metrics.dimension) return `${n.metric}: EMF dimensions are [${metrics.dimension}], not [${keys}]`;
  } else {
    const known = AWS_METRICS[n.namespace];
    if (!known) return `${n.namespace} is neither an AWS namespace the stack uses nor its EMF namespace`;
    if (!known.metrics.includes(n.metric)) return `${n.namespace} has no metric ${n.metric}`;
    if (keys.join() !== [...known.dimensions].sort().join()) return `${n.namespace} ${n.metric}: dimensions [${keys}]`;
  }
  for (const [dimension, value] of Object.entries(n.dimensions)) {
    if (dimension !== "QueueName" && names[dimension] !== undefined && value !== names[dimension])
      return `${dimension}=${value}, the stack's is ${names[dimension]}`;
    if (dimension === "QueueName" && ![names.QueueName, names.DeadLetterQueueName].includes(value)) return `no queue ${value}`;
  }
  return undefined;
}

function declaredNames(stack: DeclaredStack): Record<string, string> {
  const { mocks, settings } = stack;
  return {
    ApiName: mocks.only("aws:apigateway/restApi:RestApi").outputs.name as string,
    Stage: mocks.only("aws:apigateway/stage:Stage").inputs.stageName,
    FunctionName: mocks.only("aws:lambda/function:Function").outputs.name as string,
    QueueName: settings.queueName,
    DeadLetterQueueName: settings.deadLetterQueueName,
  };
}

function dashboard(stack: DeclaredStack): DashboardBody {
  return JSON.parse(stack.mocks.only("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
}

const rowsOf = (body: DashboardBody): Named[] => body.widgets.flatMap((w) => w.properties.metrics.map(named));

describe("with the default settings", () => {
  let stack: DeclaredStack;
  let names: Record<string, string>;
  let alarms: RecordedResource[];
  before(async () => {
    stack = await declareStack();
    names = declaredNames(stack);
    alarms = stack.mocks.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
  });

  test("every dashboard widget names a metric that exists, under this stack's names", () => {
    const body = dashboard(stack);
    assert.equal(body.widgets.length, 12);
    for (const w of body.widgets) {
      assert.equal(w.properties.region, "eu-west-1", w.properties.title);
      assert.ok(w.properties.metrics.length > 0, w.properties.title);
      for (const row of w.properties.metrics) {
        assert.equal(problem(named(row), stack, names), undefined, `${w.properties.title}: ${JSON.stringify(row)}`);
      }
    }
  });

  test("the dashboard shows what the issue asks: the API, the queue, the dead letters, the Lambda and each EMF count", () => {
    const shown = new Set(
      rowsOf(dashboard(stack)).map((n) => `${n.namespace} ${n.metric} ${Object.values(n.dimensions).join(",")}`),
    );
    const api = `${names.ApiName},${names.Stage}`;
    for (const expected of [
      `AWS/ApiGateway Count ${api}`,
      `AWS/ApiGateway 4XXError ${api}`,
      `AWS/ApiGateway 5XXError ${api}`,
      `AWS/ApiGateway Latency ${api}`,
      `AWS/SQS ApproximateNumberOfMessagesVisible ${names.QueueName}`,
      `AWS/SQS ApproximateAgeOfOldestMessage ${names.QueueName}`,
      `AWS/SQS ApproximateNumberOfMessagesVisible ${names.DeadLetterQueueName}`,
      `AWS/Lambda Errors ${names.FunctionName}`,
      `AWS/Lambda Duration ${names.FunctionName}`,
      `AWS/Lambda ConcurrentExecutions ${names.FunctionName}`,
      ...EMF_METRICS.map((m) => `PrivateIngest ${m} ${names.FunctionName}`),
    ])
      assert.ok(shown.has(expected), `the dashboard shows ${expected}`);
  });

  test("the oldest-message graph draws the alarm's threshold", () => {
    const widget = dashboard(stack).widgets.find((w) =>
      w.properties.metrics.some((r) => r[1] === "ApproximateAgeOfOldestMessage"),
    )!;
    assert.deepEqual(widget.properties.annotations, { horizontal: [{ label: "alarm", value: 300 }] });
  });

  test("five alarms, each on a metric that exists, telling the topic when it fires and recovers, with a runbook line", () => {
    const topic = `arn:aws:sns:eu-west-1:123456789012:${stack.settings.topicName}`;
    assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), [
      "5XXError",
      "ApproximateAgeOfOldestMessage",
      "ApproximateNumberOfMessagesVisible",
      "Errors",
      "Rejected",
    ]);
    for (const a of alarms) {
      const n = { namespace: a.inputs.namespace, metric: a.inputs.metricName, dimensions: a.inputs.dimensions };
      assert.equal(problem(n, stack, names), undefined, a.name);
      assert.deepEqual(a.inputs.alarmActions, [topic], a.name);
      assert.deepEqual(a.inputs.okActions, [topic], a.name);
      assert.match(a.inputs.alarmDescription, /^private-ingest: .+ Runbook: .+/, a.name);
      assert.ok(a.inputs.alarmDescription.length <= MAX_ALARM_DESCRIPTION, a.name);
    }
  });

  test("the dead letters' runbook names the project's own dlq commands", () => {
    const deadLetters = alarms.find((a) => a.inputs.metricName === "ApproximateNumberOfMessagesVisible")!.inputs;
    assert.match(deadLetters.alarmDescription, /private-ingest dlq inspect --stack-outputs/);
    assert.match(deadLetters.alarmDescription, /private-ingest dlq redrive --stack-outputs/);
  });

  test("the oldest message alarms past five minutes, any rejected body alarms, and so does a 5xx share over 5%", () => {
    const on = (metric: string) => alarms.find((a) => a.inputs.metricName === metric)!.inputs;
    const oldest = on("ApproximateAgeOfOldestMessage");
    assert.deepEqual([oldest.statistic, oldest.threshold, oldest.dimensions], ["Maximum", 300, { QueueName: names.QueueName }]);
    const rejected = on("Rejected");
    assert.deepEqual(
      [rejected.namespace, rejected.statistic, rejected.threshold, rejected.comparisonOperator, rejected.dimensions],
      ["PrivateIngest", "Sum", 0, "GreaterThanThreshold", { FunctionName: names.FunctionName }],
    );
    const errors = on("5XXError");
    assert.deepEqual([errors.statistic, errors.threshold, errors.period], ["Average", 0.05, 300]);
  });

  test("X-Ray is on for the function and the stage, and the function's role may send its segments", () => {
    assert.deepEqual(stack.mocks.only("aws:lambda/function:Function").inputs.tracingConfig, { mode: "Active" });
    assert.equal(stack.mocks.only("aws:apigateway/stage:Stage").inputs.xrayTracingEnabled, true);
    const role: PolicyDocument = JSON.parse(stack.mocks.named("aws:iam/rolePolicy:RolePolicy", "pi-lambda-policy").inputs.policy);
    assert.deepEqual(role.Statement.find((s) => s.Sid === "SendTraceSegments")?.Action, [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
    ]);
  });

  test("the Lambda writes its metrics to the namespace the dashboard and alarms read", () => {
    assert.equal(
      stack.mocks.only("aws:lambda/function:Function").inputs.environment.variables.METRICS_NAMESPACE,
      "PrivateIngest",
    );
  });
});

describe("with tracing off, another namespace and a longer wait", () => {
  let stack: DeclaredStack;
  before(async () => {
    stack = await declareStack({ tracing: "false", metricsNamespace: "Team/Ingest", oldestMessageAlarmSeconds: "900" });
  });

  test("no X-Ray on the function or the stage, and no X-Ray permission", () => {
    assert.deepEqual(stack.mocks.only("aws:lambda/function:Function").inputs.tracingConfig, { mode: "PassThrough" });
    assert.equal(stack.mocks.only("aws:apigateway/stage:Stage").inputs.xrayTracingEnabled, false);
    const role: PolicyDocument = JSON.parse(stack.mocks.named("aws:iam/rolePolicy:RolePolicy", "pi-lambda-policy").inputs.policy);
    assert.ok(role.Statement.every((s) => !JSON.stringify(s.Action).includes("xray:")));
  });

  test("the Lambda, the dashboard and the rejected alarm all use the namespace set", () => {
    assert.equal(stack.mocks.only("aws:lambda/function:Function").inputs.environment.variables.METRICS_NAMESPACE, "Team/Ingest");
    const emfRows = rowsOf(dashboard(stack)).filter((n) => !n.namespace.startsWith("AWS/"));
    assert.equal(emfRows.length, 10, "6 counts, batch size and duration, message age p50 and p99");
    assert.ok(emfRows.every((n) => n.namespace === "Team/Ingest"));
    const names = declaredNames(stack);
    for (const n of rowsOf(dashboard(stack))) assert.equal(problem(n, stack, names), undefined, JSON.stringify(n));
    const rejected = stack.mocks
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .find((a) => a.inputs.metricName === "Rejected")!;
    assert.equal(rejected.inputs.namespace, "Team/Ingest");
  });

  test("the oldest-message alarm and its line on the graph follow the setting", () => {
    const oldest = stack.mocks
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .find((a) => a.inputs.metricName === "ApproximateAgeOfOldestMessage")!;
    assert.equal(oldest.inputs.threshold, 900);
    assert.match(oldest.inputs.alarmDescription, /longer than 900 s/);
  });
});
