/**
 * The private custom domain: the domain name (PRIVATE, TLS 1.2, reachable only through
 * the execute-api endpoint), its mapping to the stage at `/`, the endpoint's access
 * association, and the private hosted zone's alias to the endpoint's own DNS name.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as policies from "./policies";
import type { Where } from "./stackContext";

export interface PrivateDomainArgs {
  readonly where: Where;
  readonly domainName: string;
  readonly certificateArn: string;
  readonly privateHostedZoneId: string;
  readonly executeApiEndpoint: aws.ec2.VpcEndpoint;
  readonly api: aws.apigateway.RestApi;
  readonly stage: aws.apigateway.Stage;
}

export interface PrivateDomain {
  readonly domain: aws.apigateway.DomainName;
  /** The domain's execute-api ARN, which endpoint policies name to let callers invoke it. */
  readonly invokeArn: pulumi.Output<string>;
}

export function privateDomain(name: string, args: PrivateDomainArgs, opts: pulumi.ComponentResourceOptions): PrivateDomain {
  const endpoint = args.executeApiEndpoint;
  const domain = new aws.apigateway.DomainName(
    `${name}-domain`,
    {
      domainName: args.domainName,
      certificateArn: args.certificateArn,
      endpointConfiguration: { types: "PRIVATE" },
      securityPolicy: "TLS_1_2",
      policy: endpoint.id.apply((vpce) => JSON.stringify(policies.privateDomainPolicy(vpce))),
    },
    opts,
  );
  new aws.apigateway.DomainNameAccessAssociation(
    `${name}-domain-access`,
    {
      domainNameArn: domain.arn,
      accessAssociationSource: endpoint.id,
      accessAssociationSourceType: "VPCE",
    },
    opts,
  );
  new aws.apigateway.BasePathMapping(
    `${name}-domain-mapping`,
    {
      domainName: domain.domainName,
      domainNameId: domain.domainNameId,
      restApi: args.api.id,
      stageName: args.stage.stageName,
    },
    opts,
  );
  new aws.route53.Record(
    `${name}-domain-record`,
    {
      zoneId: args.privateHostedZoneId,
      name: args.domainName,
      type: "A",
      aliases: [
        {
          name: endpoint.dnsEntries.apply((entries) => entries[0].dnsName),
          zoneId: endpoint.dnsEntries.apply((entries) => entries[0].hostedZoneId),
          evaluateTargetHealth: false,
        },
      ],
    },
    opts,
  );
  const { partition, region, accountId } = args.where;
  const invokeArn = domain.domainNameId.apply(
    (id) => `arn:${partition}:execute-api:${region}:${accountId}:/domainnames/${args.domainName}+${id}`,
  );
  return { domain, invokeArn };
}
