/** KMS, SNS, SQS, DynamoDB, S3, CloudWatch Logs, alarms and the dashboard, IAM. */

import { type Mapping, outputs } from "./mapping";
import { renamed } from "./template";

export const MESSAGING_MAPPINGS: Readonly<Record<string, Mapping>> = {
  "aws:kms/key:Key": {
    kind: "resource",
    type: "AWS::KMS::Key",
    properties: (i, c) => ({
      Description: i.take("description"),
      EnableKeyRotation: i.take("enableKeyRotation"),
      KeyPolicy: c.policy(i.take("policy"), i.resource.name, "resource"),
    }),
    attributes: (r) => outputs(r, { arn: "Arn" }),
  },
  "aws:sns/topic:Topic": {
    kind: "resource",
    type: "AWS::SNS::Topic",
    properties: (i, c) => ({ TopicName: i.take("name"), KmsMasterKeyId: c.ref(i.take("kmsMasterKeyId")) }),
    attributes: (r) => outputs(r, { arn: "Ref", name: "TopicName" }),
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    kind: "resource",
    type: "AWS::SNS::TopicPolicy",
    properties: (i, c) => ({
      Topics: [c.ref(i.take("arn"))],
      PolicyDocument: c.policy(i.take("policy"), i.resource.name, "resource"),
    }),
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    kind: "resource",
    type: "AWS::SNS::Subscription",
    properties: (i, c) => ({ TopicArn: c.ref(i.take("topic")), Protocol: i.take("protocol"), Endpoint: i.take("endpoint") }),
  },
  "aws:sqs/queue:Queue": {
    kind: "resource",
    type: "AWS::SQS::Queue",
    properties: (i, c) => {
      const redrive = i.take("redrivePolicy");
      const parsed = redrive === undefined ? undefined : JSON.parse(redrive);
      return {
        QueueName: i.take("name"),
        MessageRetentionPeriod: i.take("messageRetentionSeconds"),
        VisibilityTimeout: i.take("visibilityTimeoutSeconds"),
        MaximumMessageSize: i.take("maxMessageSize"),
        SqsManagedSseEnabled: i.take("sqsManagedSseEnabled"),
        RedrivePolicy: parsed && {
          deadLetterTargetArn: c.ref(parsed.deadLetterTargetArn),
          maxReceiveCount: parsed.maxReceiveCount,
        },
      };
    },
    attributes: (r) => outputs(r, { arn: "Arn", url: "Ref", name: "QueueName" }),
  },
  "aws:sqs/queuePolicy:QueuePolicy": {
    kind: "resource",
    type: "AWS::SQS::QueuePolicy",
    properties: (i, c) => ({
      Queues: [c.ref(i.take("queueUrl"))],
      PolicyDocument: c.policy(i.take("policy"), i.resource.name, "resource"),
    }),
  },
  "aws:dynamodb/table:Table": {
    kind: "resource",
    type: "AWS::DynamoDB::Table",
    properties: (i) => ({
      TableName: i.take("name"),
      BillingMode: i.take("billingMode"),
      KeySchema: [{ AttributeName: i.take("hashKey"), KeyType: "HASH" }],
      AttributeDefinitions: (i.take("attributes") as Array<{ name: string; type: string }>).map((a) => ({
        AttributeName: a.name,
        AttributeType: a.type,
      })),
      SSESpecification: renamed(i.take("serverSideEncryption"), { enabled: "SSEEnabled" }, i.resource.name),
      PointInTimeRecoverySpecification: renamed(
        i.take("pointInTimeRecovery"),
        { enabled: "PointInTimeRecoveryEnabled" },
        i.resource.name,
      ),
      TimeToLiveSpecification: renamed(i.take("ttl"), { attributeName: "AttributeName", enabled: "Enabled" }, i.resource.name),
    }),
    attributes: (r) => outputs(r, { arn: "Arn" }),
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    kind: "resource",
    type: "AWS::Logs::LogGroup",
    properties: (i, c) => ({
      LogGroupName: c.ref(i.take("name")),
      RetentionInDays: i.take("retentionInDays"),
      KmsKeyId: c.ref(i.take("kmsKeyId")),
    }),
    attributes: (r) => outputs(r, { arn: "Arn" }),
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    kind: "resource",
    type: "AWS::CloudWatch::Alarm",
    properties: (i, c) => ({
      AlarmDescription: i.take("alarmDescription"),
      Namespace: i.take("namespace"),
      MetricName: i.take("metricName"),
      Dimensions: Object.entries(i.take("dimensions") as Record<string, string>).map(([Name, Value]) => ({
        Name,
        Value: c.ref(Value),
      })),
      Statistic: i.take("statistic"),
      Period: i.take("period"),
      EvaluationPeriods: i.take("evaluationPeriods"),
      Threshold: i.take("threshold"),
      ComparisonOperator: i.take("comparisonOperator"),
      TreatMissingData: i.take("treatMissingData"),
      AlarmActions: c.refs(i.take("alarmActions")),
      OKActions: c.refs(i.take("okActions")),
    }),
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    kind: "resource",
    type: "AWS::CloudWatch::Dashboard",
    properties: (i) => ({ DashboardName: i.take("dashboardName"), DashboardBody: i.take("dashboardBody") }),
  },
  "aws:iam/role:Role": {
    kind: "resource",
    type: "AWS::IAM::Role",
    properties: (i, c) => ({
      Description: i.take("description"),
      AssumeRolePolicyDocument: c.policy(i.take("assumeRolePolicy"), i.resource.name, "trust"),
    }),
    attributes: (r) => outputs(r, { arn: "Arn" }),
  },
  // checkov never reads AWS::IAM::RolePolicy: inline policies go into their role.
  "aws:iam/rolePolicy:RolePolicy": {
    kind: "fold",
    fold: (i, c) => {
      const role = c.resource(c.logicalIdOf(i.take("role")));
      const policies = (role.Properties.Policies ??= []) as unknown[];
      policies.push({
        PolicyName: c.logicalId(i.resource),
        PolicyDocument: c.policy(i.take("policy"), i.resource.name, "identity"),
      });
    },
  },
};

/** The page bucket: its access block, ownership and encryption fold into it. */
export const BUCKET_MAPPINGS: Readonly<Record<string, Mapping>> = {
  "aws:s3/bucket:Bucket": {
    kind: "resource",
    type: "AWS::S3::Bucket",
    properties: (i) => {
      i.ignore("bucketPrefix", "CloudFormation names a bucket itself when BucketName is absent, as a prefix does");
      i.ignore("forceDestroy", "Pulumi empties the bucket on destroy; CloudFormation has no such property");
      return {};
    },
    attributes: (r) => outputs(r, { arn: "Arn", bucket: "Ref" }),
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    kind: "fold",
    fold: (i, c) => {
      c.resource(c.logicalIdOf(i.take("bucket"))).Properties.PublicAccessBlockConfiguration = {
        BlockPublicAcls: i.take("blockPublicAcls"),
        BlockPublicPolicy: i.take("blockPublicPolicy"),
        IgnorePublicAcls: i.take("ignorePublicAcls"),
        RestrictPublicBuckets: i.take("restrictPublicBuckets"),
      };
    },
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    kind: "fold",
    fold: (i, c) => {
      c.resource(c.logicalIdOf(i.take("bucket"))).Properties.OwnershipControls = {
        Rules: [renamed(i.take("rule"), { objectOwnership: "ObjectOwnership" }, i.resource.name)],
      };
    },
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    kind: "fold",
    fold: (i, c) => {
      const rules = i.take("rules") as Array<{ applyServerSideEncryptionByDefault: Record<string, unknown> }>;
      c.resource(c.logicalIdOf(i.take("bucket"))).Properties.BucketEncryption = {
        ServerSideEncryptionConfiguration: rules.map((r) => ({
          ServerSideEncryptionByDefault: renamed(
            r.applyServerSideEncryptionByDefault,
            { sseAlgorithm: "SSEAlgorithm" },
            i.resource.name,
          ),
        })),
      };
    },
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    kind: "resource",
    type: "AWS::S3::BucketPolicy",
    properties: (i, c) => ({
      Bucket: c.ref(i.take("bucket")),
      PolicyDocument: c.policy(i.take("policy"), i.resource.name, "resource"),
    }),
  },
  "aws:s3/bucketObjectv2:BucketObjectv2": {
    kind: "skip",
    reason: "the page's files are data in the bucket, not infrastructure: CloudFormation has no resource type for an S3 object",
  },
};
