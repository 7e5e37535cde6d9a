/**
 * One CloudWatch alarm shape for the stack: a metric over a period above a threshold,
 * with both the alarm and the recovery sent to the notification topic, and a description
 * that says what happened and what to do (its runbook line).
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlarmSpec {
  /** What the alarm means, one sentence. */
  readonly description: string;
  /** What the person who gets it does first. */
  readonly runbook: string;
  readonly namespace: pulumi.Input<string>;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
  readonly statistic: "Maximum" | "Sum" | "Average";
  /** The alarm fires when the statistic goes above this. */
  readonly threshold: number;
  /** Seconds per evaluated period; 60 unless a rate needs a longer window. */
  readonly periodSeconds?: number;
  readonly topicArn: pulumi.Input<string>;
}

/** CloudWatch's limit on an alarm's description. */
export const MAX_ALARM_DESCRIPTION = 1024;

/** The description an alarm carries: what it means, then its runbook line. */
export function alarmDescription(spec: Pick<AlarmSpec, "description" | "runbook">): string {
  const text = `private-ingest: ${spec.description} Runbook: ${spec.runbook}`;
  if (text.length > MAX_ALARM_DESCRIPTION) throw new Error(`alarm description over ${MAX_ALARM_DESCRIPTION} characters: ${text}`);
  return text;
}

export function alarm(name: string, spec: AlarmSpec, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: alarmDescription(spec),
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: { ...spec.dimensions },
      statistic: spec.statistic,
      period: spec.periodSeconds ?? 60,
      evaluationPeriods: 1,
      threshold: spec.threshold,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      // The same topic hears when it is over, so nobody chases a problem that has passed.
      alarmActions: [spec.topicArn],
      okActions: [spec.topicArn],
    },
    opts,
  );
}
