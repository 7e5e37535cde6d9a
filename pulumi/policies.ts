/**
 * IAM and resource policies of the stack, as pure functions of the ARNs and ids they name.
 * No Pulumi here: each builder returns a plain policy document, so the rules (least
 * privilege, only the VPC endpoint may call, TLS only) are unit-tested without a
 * deployment, and the stack only serialises what these return. The VPC endpoints'
 * policies are in ./endpointPolicies.ts.
 */

/** The IAM policy language version every document uses. */
const VERSION = "2012-10-17";

export type Principal = "*" | { readonly Service: string } | { readonly AWS: string };

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action: string | readonly string[];
  /** Absent only in trust policies, where IAM forbids it. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: typeof VERSION;
  readonly Statement: readonly PolicyStatement[];
}

function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: VERSION, Statement: statements };
}

/** The EC2 Describe calls Lambda makes to place its ENIs. */
export const EC2_DESCRIBE_ACTIONS: readonly string[] = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"];

/** What Lambda's X-Ray daemon calls to send the function's trace segments (AWSXRayDaemonWriteAccess's writes). */
export const XRAY_WRITE_ACTIONS: readonly string[] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/**
 * Actions that have no resource-level permissions (EC2's Describe calls, X-Ray's
 * writes): IAM only accepts `"Resource": "*"` for them. Tests use this list as the one
 * allowed exception to "no wildcard resource".
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = [...EC2_DESCRIBE_ACTIONS, ...XRAY_WRITE_ACTIONS];

/** Trust policy: only `service` (for example `lambda.amazonaws.com`) may assume the role. */
export function assumeRolePolicy(service: string): PolicyDocument {
  return policy({
    Sid: "TrustedService",
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
  });
}

/**
 * Denies `execute-api:Invoke` on `resource` to every request that did not come through
 * `vpceId`. `invoker` is who may call: anyone in the VPC (`"*"`, authorization NONE) or,
 * with AWS_IAM authorization, this account's principals (`{ AWS: <account root> }`).
 */
function onlyThroughEndpoint(resource: string, vpceId: string, invoker: Principal = "*"): PolicyStatement[] {
  return [
    {
      Sid: "InvokeFromTheVpc",
      Effect: "Allow",
      Principal: invoker,
      Action: "execute-api:Invoke",
      Resource: resource,
    },
    {
      Sid: "DenyEverySourceButTheVpcEndpoint",
      Effect: "Deny",
      Principal: "*",
      Action: "execute-api:Invoke",
      Resource: resource,
      Condition: { StringNotEquals: { "aws:SourceVpce": vpceId } },
    },
  ];
}

/**
 * The private REST API's resource policy: every stage, method and path of this API
 * (`<execution ARN>/*`), and only through the execute-api VPC endpoint.
 */
export function privateApiPolicy(executionArn: string, vpceId: string, invoker: Principal = "*"): PolicyDocument {
  return policy(...onlyThroughEndpoint(`${executionArn}/*`, vpceId, invoker));
}

/** The API policy's invoker under AWS_IAM authorization: this account's principals only. */
export function accountPrincipal(partition: string, accountId: string): Principal {
  return { AWS: `arn:${partition}:iam::${accountId}:root` };
}

/**
 * The private custom domain's policy. A domain's policy cannot name the domain's own ARN
 * before it exists; `execute-api:/*` is API Gateway's documented way to say "this domain".
 */
export function privateDomainPolicy(vpceId: string): PolicyDocument {
  return policy(...onlyThroughEndpoint("execute-api:/*", vpceId));
}

/** What the processing Lambda may touch, each by ARN. */
export interface LambdaPolicyTargets {
  readonly tableArn: string;
  /** The notify route's dedupe table (one marker per Idempotency-Key). */
  readonly idempotencyTableArn: string;
  readonly topicArn: string;
  /** The key that encrypts the topic: publishing to an SSE topic needs GenerateDataKey and Decrypt. */
  readonly topicKeyArn: string;
  readonly queueArn: string;
  readonly logGroupArn: string;
  readonly subnetArns: readonly string[];
  readonly securityGroupArn: string;
  /** `arn:<partition>:ec2:<region>:<account>:network-interface/*`. */
  readonly networkInterfacesArn: string;
  /** X-Ray active tracing is on: the function may send its trace segments. */
  readonly tracing: boolean;
}

/**
 * The three calls the Lambda makes on the dedupe table: claim (a conditional PutItem),
 * complete (UpdateItem) and release (DeleteItem). No read: a failed claim returns the
 * marker itself (ReturnValuesOnConditionCheckFailure).
 */
export const DEDUPE_TABLE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] as const;

/**
 * The Lambda's permissions: PutItem on the table, the three dedupe calls on the dedupe
 * table, Publish on the topic, its own logs, and
 * what the event source mapping and VPC networking need (receive/delete on the queue; the
 * ENIs Lambda places in the given subnets with the given security group). No managed
 * policy: AWSLambdaVPCAccessExecutionRole would grant ENI and log actions on `*`.
 */
export function lambdaExecutionPolicy(t: LambdaPolicyTargets): PolicyDocument {
  return policy(
    {
      Sid: "StoreRecords",
      Effect: "Allow",
      Action: "dynamodb:PutItem",
      Resource: t.tableArn,
    },
    {
      Sid: "DedupeNotificationsByIdempotencyKey",
      Effect: "Allow",
      Action: [...DEDUPE_TABLE_ACTIONS],
      Resource: t.idempotencyTableArn,
    },
    {
      Sid: "PublishNotifications",
      Effect: "Allow",
      Action: "sns:Publish",
      Resource: t.topicArn,
    },
    {
      Sid: "UseTheTopicKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: t.topicKeyArn,
    },
    {
      Sid: "ConsumeTheQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: t.queueArn,
    },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${t.logGroupArn}:*`,
    },
    {
      Sid: "CreateEnisInTheGivenSubnets",
      Effect: "Allow",
      Action: "ec2:CreateNetworkInterface",
      Resource: [...t.subnetArns, t.securityGroupArn, t.networkInterfacesArn],
    },
    {
      Sid: "ManageOwnEnis",
      Effect: "Allow",
      Action: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: t.networkInterfacesArn,
    },
    {
      Sid: "DescribeNetworkForEnis",
      Effect: "Allow",
      Action: [...EC2_DESCRIBE_ACTIONS],
      Resource: "*",
    },
    ...(t.tracing
      ? [{ Sid: "SendTraceSegments", Effect: "Allow" as const, Action: [...XRAY_WRITE_ACTIONS], Resource: "*" }]
      : []),
  );
}

/** API Gateway's role for `POST /send-message`: SendMessage on the queue, nothing else. */
export function sendMessageRolePolicy(queueArn: string): PolicyDocument {
  return policy({
    Sid: "SendToTheQueue",
    Effect: "Allow",
    Action: "sqs:SendMessage",
    Resource: queueArn,
  });
}

/** API Gateway's role for `GET /messages/{id}`: GetItem on the table, nothing else. */
export function readRecordRolePolicy(tableArn: string): PolicyDocument {
  return policy({
    Sid: "ReadRecords",
    Effect: "Allow",
    Action: "dynamodb:GetItem",
    Resource: tableArn,
  });
}

/** API Gateway's role for the test page: GetObject on the page bucket's objects. */
export function readPageRolePolicy(bucketArn: string): PolicyDocument {
  return policy({
    Sid: "ReadThePage",
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: `${bucketArn}/*`,
  });
}

/**
 * The account-level role API Gateway uses to write access and execution logs (one per
 * region and account, shared by every REST API there, so it names the region's log
 * groups rather than this stack's only). Only with `manageApiGatewayAccount`.
 * `logs:DescribeLogGroups` is left out: it is granted only on `*`, and writing logs never
 * needs it.
 */
export function apiGatewayLoggingPolicy(partition: string, region: string, accountId: string): PolicyDocument {
  return policy({
    Sid: "WriteApiLogs",
    Effect: "Allow",
    Action: [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
      "logs:GetLogEvents",
      "logs:FilterLogEvents",
    ],
    Resource: `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
  });
}

/** Who the stack's key serves. */
export interface KeyPolicyContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * The customer managed key that encrypts the topic and the log groups. A key policy's
 * `Resource: "*"` means "this key". CloudWatch alarms cannot publish to a topic encrypted
 * with the AWS managed `alias/aws/sns` key (its policy cannot be changed), which is why
 * the stack has a key of its own.
 */
export function stackKeyPolicy(c: KeyPolicyContext): PolicyDocument {
  return policy(
    {
      // AWS's default key policy statement: without it IAM policies (the Lambda's
      // GenerateDataKey on the topic key) cannot grant use of the key.
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${c.partition}:iam::${c.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      // SNS's documented statement for CloudWatch alarms publishing to an encrypted topic
      // (kms:GenerateDataKey*), scoped to this account's alarms.
      Sid: "CloudWatchAlarmsPublishToTheTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:${c.partition}:cloudwatch:${c.region}:${c.accountId}:alarm:*` },
        StringEquals: { "aws:SourceAccount": c.accountId },
      },
    },
    {
      Sid: "CloudWatchLogsEncryptOwnLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${c.region}.amazonaws.com` },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${c.partition}:logs:${c.region}:${c.accountId}:log-group:*`,
        },
      },
    },
  );
}

/** Refuses any request on `resources` that is not made over TLS. */
export function denyInsecureTransport(actions: string, resources: readonly string[]): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: actions,
    Resource: resources.length === 1 ? resources[0] : resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** The topic's policy: this account's CloudWatch alarms may publish; TLS only. */
export function topicPolicy(topicArn: string, c: KeyPolicyContext): PolicyDocument {
  return policy(
    {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:${c.partition}:cloudwatch:${c.region}:${c.accountId}:alarm:*` },
        StringEquals: { "aws:SourceAccount": c.accountId },
      },
    },
    denyInsecureTransport("sns:Publish", [topicArn]),
  );
}

/** A queue's policy: TLS only (access is granted by the roles' identity policies). */
export function queuePolicy(queueArn: string): PolicyDocument {
  return policy(denyInsecureTransport("sqs:*", [queueArn]));
}

/** The page bucket's policy: TLS only (only the API's page role reads it, by its identity policy). */
export function pageBucketPolicy(bucketArn: string): PolicyDocument {
  return policy(denyInsecureTransport("s3:*", [bucketArn, `${bucketArn}/*`]));
}

/** Every statement's actions, as a list. */
export function actionsOf(s: PolicyStatement): readonly string[] {
  return typeof s.Action === "string" ? [s.Action] : s.Action;
}

/** Every statement's resources, as a list. */
export function resourcesOf(s: PolicyStatement): readonly string[] {
  if (s.Resource === undefined) return [];
  return typeof s.Resource === "string" ? [s.Resource] : s.Resource;
}
