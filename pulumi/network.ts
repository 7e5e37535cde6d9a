/**
 * Network: the two security groups and the three VPC endpoints the stack adds to the
 * VPC. Interface endpoints (execute-api, SNS) accept HTTPS from every CIDR block of the
 * VPC; the Lambda's group accepts nothing and may only reach those endpoints and
 * DynamoDB's gateway. The endpoints' policies come later (`endpointPolicies`), once the
 * table, topic, API and domain they name exist.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as policy from "./endpointPolicies";
import type { VpcFacts, Where } from "./stackContext";

/** HTTPS: every service the stack talks to inside the VPC. */
const HTTPS = 443;

export interface NetworkArgs {
  readonly where: Where;
  readonly vpc: VpcFacts;
  readonly routeTableIds: readonly string[];
  readonly subnetIds: readonly string[];
  /** Private DNS on the execute-api endpoint: off unless the stack settings ask for it. */
  readonly executeApiPrivateDns: boolean;
}

export interface Network {
  /** The interface endpoints' group: HTTPS in from the VPC. */
  readonly endpointsSecurityGroup: aws.ec2.SecurityGroup;
  /** The Lambda's group: no way in; HTTPS out to the endpoints and DynamoDB only. */
  readonly processorSecurityGroup: aws.ec2.SecurityGroup;
  readonly executeApiEndpoint: aws.ec2.VpcEndpoint;
  readonly snsEndpoint: aws.ec2.VpcEndpoint;
  readonly dynamodbEndpoint: aws.ec2.VpcEndpoint;
  /** `https://<the SNS endpoint's own DNS name>`: the Lambda's SNS endpoint URL. */
  readonly snsEndpointUrl: pulumi.Output<string>;
}

/**
 * EC2 accepts only these characters in security group and rule descriptions
 * (CreateSecurityGroup's GroupDescription): an apostrophe fails the deployment while the
 * provider's preview passes. Tests hold every description to it.
 */
export const EC2_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

export function network(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions): Network {
  const service = (s: string) => `com.amazonaws.${args.where.region}.${s}`;
  const dynamodbEndpoint = new aws.ec2.VpcEndpoint(
    `${name}-dynamodb-endpoint`,
    {
      vpcId: args.vpc.id,
      serviceName: service("dynamodb"),
      vpcEndpointType: "Gateway",
      routeTableIds: [...args.routeTableIds],
    },
    opts,
  );

  const endpointsSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-endpoints`,
    {
      vpcId: args.vpc.id,
      description: "private-ingest: HTTPS from the VPC to the execute-api and SNS interface endpoints",
    },
    opts,
  );
  const processorSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-processor`,
    {
      vpcId: args.vpc.id,
      description: "private-ingest: the Lambda, HTTPS out to the interface endpoints and DynamoDB only",
    },
    opts,
  );

  // Separate rules: the two groups name each other, which inline rules cannot do.
  args.vpc.cidrBlocks.forEach((cidrIpv4, i) => {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-endpoints-from-vpc-${i}`,
      {
        securityGroupId: endpointsSecurityGroup.id,
        description: `HTTPS from the VPC CIDR block ${cidrIpv4}`,
        ipProtocol: "tcp",
        fromPort: HTTPS,
        toPort: HTTPS,
        cidrIpv4,
      },
      opts,
    );
  });
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-endpoints-from-processor`,
    {
      securityGroupId: endpointsSecurityGroup.id,
      description: "HTTPS from the Lambda",
      ipProtocol: "tcp",
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: processorSecurityGroup.id,
    },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-processor-to-endpoints`,
    {
      securityGroupId: processorSecurityGroup.id,
      description: "HTTPS to the interface endpoints",
      ipProtocol: "tcp",
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: endpointsSecurityGroup.id,
    },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-processor-to-dynamodb`,
    {
      securityGroupId: processorSecurityGroup.id,
      description: "HTTPS to DynamoDB through the gateway endpoint",
      ipProtocol: "tcp",
      fromPort: HTTPS,
      toPort: HTTPS,
      prefixListId: dynamodbEndpoint.prefixListId,
    },
    opts,
  );

  const interfaceEndpoint = (s: string, privateDnsEnabled: boolean) =>
    new aws.ec2.VpcEndpoint(
      `${name}-${s}-endpoint`,
      {
        vpcId: args.vpc.id,
        serviceName: service(s),
        vpcEndpointType: "Interface",
        privateDnsEnabled,
        subnetIds: [...args.subnetIds],
        securityGroupIds: [endpointsSecurityGroup.id],
      },
      opts,
    );
  // The custom domain's alias targets the endpoint's own DNS name, so private DNS is not
  // needed; with it, a VPC that already has an execute-api endpoint refuses this one and
  // every workload's calls to public APIs' default endpoints would break.
  const executeApiEndpoint = interfaceEndpoint("execute-api", args.executeApiPrivateDns);
  // The Lambda reaches SNS by the endpoint's own name (AWS_ENDPOINT_URL_SNS), so the
  // endpoint and its policy never capture other workloads' SNS calls.
  const snsEndpoint = interfaceEndpoint("sns", false);
  const snsEndpointUrl = snsEndpoint.dnsEntries.apply((entries) => `https://${entries[0].dnsName}`);

  return { endpointsSecurityGroup, processorSecurityGroup, executeApiEndpoint, snsEndpoint, dynamodbEndpoint, snsEndpointUrl };
}

/** What the endpoints' policies name, once those resources exist. */
export interface EndpointPolicyTargets {
  readonly tableArn: pulumi.Input<string>;
  readonly idempotencyTableArn: pulumi.Input<string>;
  readonly topicArn: pulumi.Input<string>;
  readonly executionArn: pulumi.Input<string>;
  /** The private custom domain's execute-api ARN (`arn:...:execute-api:...:/domainnames/<name>+<id>`). */
  readonly domainInvokeArn: pulumi.Input<string>;
  /** Signed callers of the API (AWS_IAM authorization) must be of this account. */
  readonly signedApiCallers: boolean;
}

/** Each endpoint lets through only this stack's tables, topic, API and domain. */
export function endpointPolicies(
  name: string,
  net: Network,
  where: Where,
  targets: EndpointPolicyTargets,
  opts: pulumi.ComponentResourceOptions,
): void {
  const attach = (suffix: string, endpoint: aws.ec2.VpcEndpoint, document: pulumi.Output<policy.PolicyDocumentJson>) =>
    new aws.ec2.VpcEndpointPolicy(`${name}-${suffix}-endpoint-policy`, { vpcEndpointId: endpoint.id, policy: document }, opts);
  attach(
    "dynamodb",
    net.dynamodbEndpoint,
    pulumi
      .all([targets.tableArn, targets.idempotencyTableArn])
      .apply(([table, dedupe]) => JSON.stringify(policy.dynamodbEndpointPolicy(table, dedupe, where.accountId))),
  );
  attach(
    "sns",
    net.snsEndpoint,
    pulumi.output(targets.topicArn).apply((arn) => JSON.stringify(policy.snsEndpointPolicy(arn, where.accountId))),
  );
  attach(
    "execute-api",
    net.executeApiEndpoint,
    pulumi
      .all([targets.executionArn, targets.domainInvokeArn])
      .apply(([api, domain]) =>
        JSON.stringify(policy.executeApiEndpointPolicy(api, domain, targets.signedApiCallers ? where.accountId : undefined)),
      ),
  );
}
