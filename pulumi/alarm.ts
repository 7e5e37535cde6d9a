/**
 * One CloudWatch alarm shape for the stack: a metric over a minute above a threshold,
 * with both the alarm and the recovery sent to the notification topic.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlarmSpec {
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
  readonly statistic: "Maximum" | "Sum";
  /** The alarm fires when the statistic goes above this. */
  readonly threshold: number;
  readonly topicArn: pulumi.Input<string>;
}

export function alarm(name: string, spec: AlarmSpec, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: { ...spec.dimensions },
      statistic: spec.statistic,
      period: 60,
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
