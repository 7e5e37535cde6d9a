/** EC2: security groups, their rules, VPC endpoints (their policies fold in). */

import { type Mapping, outputs } from "./mapping";
import { type CfnValue, type Inputs, type RenderContext, renamed } from "./template";

/** What an ingress and an egress rule both say: the group, why, the protocol and ports. */
function ruleProperties(i: Inputs, c: RenderContext): Record<string, CfnValue> {
  return {
    GroupId: c.ref(i.take("securityGroupId")),
    Description: i.take("description"),
    IpProtocol: i.take("ipProtocol"),
    FromPort: i.take("fromPort"),
    ToPort: i.take("toPort"),
  };
}

export const NETWORK_MAPPINGS: Readonly<Record<string, Mapping>> = {
  "aws:ec2/securityGroup:SecurityGroup": {
    kind: "resource",
    type: "AWS::EC2::SecurityGroup",
    properties: (i) => ({ GroupDescription: i.take("description"), VpcId: i.take("vpcId") }),
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
    kind: "resource",
    type: "AWS::EC2::SecurityGroupIngress",
    properties: (i, c) => ({
      ...ruleProperties(i, c),
      CidrIp: i.take("cidrIpv4"),
      SourceSecurityGroupId: c.ref(i.take("referencedSecurityGroupId")),
    }),
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
    kind: "resource",
    type: "AWS::EC2::SecurityGroupEgress",
    properties: (i, c) => ({
      ...ruleProperties(i, c),
      DestinationSecurityGroupId: c.ref(i.take("referencedSecurityGroupId")),
      DestinationPrefixListId: i.take("prefixListId"),
    }),
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    kind: "resource",
    type: "AWS::EC2::VPCEndpoint",
    properties: (i, c) => ({
      VpcId: i.take("vpcId"),
      ServiceName: i.take("serviceName"),
      VpcEndpointType: i.take("vpcEndpointType"),
      RouteTableIds: i.take("routeTableIds"),
      PrivateDnsEnabled: i.take("privateDnsEnabled"),
      SubnetIds: i.take("subnetIds"),
      SecurityGroupIds: c.refs(i.take("securityGroupIds")),
    }),
    attributes: (r) => outputs(r, {}),
  },
  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": {
    kind: "fold",
    fold: (i, c) => {
      const endpoint = c.resource(c.logicalIdOf(i.take("vpcEndpointId")));
      endpoint.Properties.PolicyDocument = c.policy(i.take("policy"), i.resource.name, "resource");
    },
  },
};

/** Route 53's alias record. */
export const DNS_MAPPINGS: Readonly<Record<string, Mapping>> = {
  "aws:route53/record:Record": {
    kind: "resource",
    type: "AWS::Route53::RecordSet",
    properties: (i) => ({
      HostedZoneId: i.take("zoneId"),
      Name: i.take("name"),
      Type: i.take("type"),
      AliasTarget: renamed(
        i.take("aliases")?.[0],
        { name: "DNSName", zoneId: "HostedZoneId", evaluateTargetHealth: "EvaluateTargetHealth" },
        i.resource.name,
      ),
    }),
  },
};
