/**
 * Pulumi mocks standing in for AWS, for the tests, `npm run preview:offline` and the
 * CloudFormation rendering: every resource's inputs are recorded with the id and outputs
 * AWS would give it (ARNs, ids, DNS entries) derived from its inputs, and the only data
 * sources answered are the four the stack reads. Any other call throws, so a new
 * data-source lookup fails loudly instead of getting an invented answer.
 */

import * as pulumi from "@pulumi/pulumi";

/**
 * A resource's inputs as Pulumi's mocks hand them over: untyped (`MockResourceArgs.inputs`
 * is `any` in Pulumi's own types), so the tests read them as the JSON they are.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the type Pulumi's mock API gives these values
export type RecordedInputs = Record<string, any>;

/** One declared resource: its type token, logical name, the inputs Pulumi would send, and what the mocks answered. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: RecordedInputs;
  /** The id the mocks gave it (its physical id in AWS). */
  readonly id: string;
  /** The outputs the mocks computed (ARNs, URLs, DNS entries), beside the inputs. */
  readonly outputs: Record<string, unknown>;
}

/** What the fake account looks like. */
export const FAKE_ACCOUNT = {
  accountId: "123456789012",
  region: "eu-west-1",
  partition: "aws",
  vpcCidr: "10.20.0.0/16",
  /** A secondary block associated with the VPC: the endpoints must accept it too. */
  secondaryVpcCidr: "100.64.0.0/20",
} as const;

/** The VPC's attributes `aws.ec2.getVpc` answers; tests turn the DNS ones off. */
export interface FakeVpc {
  readonly enableDnsSupport: boolean;
  readonly enableDnsHostnames: boolean;
}

/** Ids the mocks hand out, so tests can check that policies name them. */
export const FAKE_IDS = {
  executeApiEndpoint: "vpce-0e1a2b3c4d5e6f701",
  snsEndpoint: "vpce-0e1a2b3c4d5e6f702",
  dynamodbEndpoint: "vpce-0e1a2b3c4d5e6f703",
  dynamodbPrefixList: "pl-6da54004",
  endpointsSecurityGroup: "sg-0a1b2c3d4e5f60718",
  processorSecurityGroup: "sg-0a1b2c3d4e5f60719",
  snsDns: "vpce-0e1a2b3c4d5e6f702-ijklmnop.sns.eu-west-1.vpce.amazonaws.com",
  restApi: "a1b2c3d4e5",
  executeApiDns: "vpce-0e1a2b3c4d5e6f701-abcdefgh.execute-api.eu-west-1.vpce.amazonaws.com",
  executeApiZone: "Z1YSHQZHG15GKL",
} as const;

type Outputs = Record<string, unknown>;

function serviceEndpointId(serviceName: string): string {
  if (serviceName.endsWith(".execute-api")) return FAKE_IDS.executeApiEndpoint;
  if (serviceName.endsWith(".sns")) return FAKE_IDS.snsEndpoint;
  if (serviceName.endsWith(".dynamodb")) return FAKE_IDS.dynamodbEndpoint;
  throw new Error(`the mocks know no VPC endpoint service ${serviceName}`);
}

/** The outputs AWS computes for a resource of `type` declared with `inputs`. */
function computedOutputs(type: string, name: string, inputs: RecordedInputs): { id: string; outputs: Outputs } {
  const { accountId: account, region, partition } = FAKE_ACCOUNT;
  const arn = (service: string, resource: string, regional = true) =>
    `arn:${partition}:${service}:${regional ? region : ""}:${regional ? account : ""}:${resource}`;
  switch (type) {
    case "aws:sqs/queue:Queue":
      return {
        id: `https://sqs.${region}.amazonaws.com/${account}/${inputs.name}`,
        outputs: { arn: arn("sqs", inputs.name), url: `https://sqs.${region}.amazonaws.com/${account}/${inputs.name}` },
      };
    case "aws:dynamodb/table:Table":
      return { id: inputs.name, outputs: { arn: arn("dynamodb", `table/${inputs.name}`) } };
    case "aws:sns/topic:Topic":
      return { id: arn("sns", inputs.name), outputs: { arn: arn("sns", inputs.name) } };
    case "aws:kms/key:Key":
      return {
        id: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        outputs: { arn: arn("kms", "key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0") },
      };
    case "aws:ec2/securityGroup:SecurityGroup": {
      const id = name.endsWith("-processor") ? FAKE_IDS.processorSecurityGroup : FAKE_IDS.endpointsSecurityGroup;
      return { id, outputs: { arn: arn("ec2", `security-group/${id}`) } };
    }
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const id = serviceEndpointId(inputs.serviceName);
      const interfaceDns =
        id === FAKE_IDS.executeApiEndpoint
          ? [{ dnsName: FAKE_IDS.executeApiDns, hostedZoneId: FAKE_IDS.executeApiZone }]
          : id === FAKE_IDS.snsEndpoint
            ? [{ dnsName: FAKE_IDS.snsDns, hostedZoneId: FAKE_IDS.executeApiZone }]
            : [];
      return {
        id,
        outputs: {
          arn: arn("ec2", `vpc-endpoint/${id}`),
          dnsEntries: interfaceDns,
          prefixListId: id === FAKE_IDS.dynamodbEndpoint ? FAKE_IDS.dynamodbPrefixList : "",
        },
      };
    }
    case "aws:iam/role:Role":
      return { id: name, outputs: { arn: `arn:${partition}:iam::${account}:role/${name}`, name } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return {
        id: inputs.name ?? name,
        outputs: { arn: arn("logs", `log-group:${inputs.name ?? name}`), name: inputs.name ?? name },
      };
    case "aws:lambda/function:Function":
      return { id: name, outputs: { arn: arn("lambda", `function:${name}`), name } };
    case "aws:s3/bucket:Bucket": {
      const bucket = `${inputs.bucketPrefix ?? name}20250101000000000000000001`;
      return { id: bucket, outputs: { bucket, arn: `arn:${partition}:s3:::${bucket}` } };
    }
    case "aws:apigateway/restApi:RestApi":
      return {
        id: FAKE_IDS.restApi,
        outputs: {
          // Pulumi names the API after its logical name (with a random suffix in AWS).
          name,
          rootResourceId: "root00",
          executionArn: arn("execute-api", FAKE_IDS.restApi),
          arn: `arn:${partition}:apigateway:${region}::/restapis/${FAKE_IDS.restApi}`,
        },
      };
    case "aws:apigateway/resource:Resource":
      return { id: `${name}-id`, outputs: { path: `/${inputs.pathPart}` } };
    case "aws:apigateway/domainName:DomainName":
      return {
        id: `${inputs.domainName}/abcde12345`,
        outputs: {
          domainNameId: "abcde12345",
          arn: `arn:${partition}:apigateway:${region}:${account}:/domainnames/${inputs.domainName}+abcde12345`,
        },
      };
    default:
      return { id: `${name}-id`, outputs: {} };
  }
}

/** The data sources the stack reads, by token. */
function lookup(token: string, inputs: RecordedInputs, vpc: FakeVpc): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: FAKE_ACCOUNT.accountId,
        arn: `arn:aws:iam::${FAKE_ACCOUNT.accountId}:user/deployer`,
        id: FAKE_ACCOUNT.accountId,
        userId: "AIDAEXAMPLE",
      };
    case "aws:index/getRegion:getRegion":
      return { region: FAKE_ACCOUNT.region, name: FAKE_ACCOUNT.region, id: FAKE_ACCOUNT.region };
    case "aws:index/getPartition:getPartition":
      return { partition: FAKE_ACCOUNT.partition, dnsSuffix: "amazonaws.com", id: FAKE_ACCOUNT.partition };
    case "aws:ec2/getVpc:getVpc":
      return {
        id: inputs.id,
        cidrBlock: FAKE_ACCOUNT.vpcCidr,
        cidrBlockAssociations: [
          { associationId: "vpc-cidr-assoc-01", cidrBlock: FAKE_ACCOUNT.vpcCidr, state: "associated" },
          { associationId: "vpc-cidr-assoc-02", cidrBlock: FAKE_ACCOUNT.secondaryVpcCidr, state: "associated" },
          { associationId: "vpc-cidr-assoc-03", cidrBlock: "192.168.0.0/24", state: "disassociated" },
        ],
        enableDnsSupport: vpc.enableDnsSupport,
        enableDnsHostnames: vpc.enableDnsHostnames,
      };
    default:
      throw new Error(
        `unexpected data-source call ${token}(${JSON.stringify(inputs)}): the stack reads only the account, region, partition and VPC`,
      );
  }
}

/** Mocks that record what the program declares. */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: string[] = [];

  constructor(private readonly vpc: FakeVpc = { enableDnsSupport: true, enableDnsHostnames: true }) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: RecordedInputs } {
    const { id, outputs } = computedOutputs(args.type, args.name, args.inputs);
    this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, id, outputs });
    return { id, state: { ...args.inputs, ...outputs } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.calls.push(args.token);
    return lookup(args.token, args.inputs, this.vpc);
  }

  /** Recorded resources of one type. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type`, failing when there is not exactly one. */
  only(type: string): RecordedResource {
    const found = this.ofType(type);
    if (found.length !== 1) {
      throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
  }

  /** The resource of `type` named `name`. */
  named(type: string, name: string): RecordedResource {
    const found = this.ofType(type).find((r) => r.name === name);
    if (!found)
      throw new Error(
        `no ${type} named ${name}; have ${this.ofType(type)
          .map((r) => r.name)
          .join(", ")}`,
      );
    return found;
  }
}

/**
 * Resolves once every resource registration the program started has reached the mocks.
 * Pulumi drains the same queue before it disconnects from the engine; `waitForRPCs` is
 * what `runtime.disconnect` awaits, kept out of the typings as internal.
 */
export async function settled(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function") {
    throw new Error("@pulumi/pulumi no longer has runtime.waitForRPCs; update settled() in recordingMocks.ts");
  }
  await runtime.waitForRPCs();
}

/** The value of an output, once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
