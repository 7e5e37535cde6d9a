/**
 * What the program knows about where it deploys before it declares anything: the
 * account, region and partition, and the VPC's facts the stack depends on. Looked up
 * once by index.ts, then passed as plain values, so every ARN is built without waiting.
 */

/** The account, region and partition the stack deploys to. */
export interface Where {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** The VPC's facts the stack depends on (from `aws.ec2.getVpc`). */
export interface VpcFacts {
  readonly id: string;
  /** Every IPv4 CIDR block associated with the VPC, the primary one first. */
  readonly cidrBlocks: readonly string[];
  readonly enableDnsSupport: boolean;
  readonly enableDnsHostnames: boolean;
}

/**
 * Why the VPC cannot hold the stack, `vpcId: <reason>` each; empty when it can. The
 * interface endpoints' DNS names and the private hosted zone's alias record resolve only
 * with both DNS attributes on (API Gateway's private custom domain prerequisites); a "VPC
 * only" VPC has hostnames off, and the deployment would fail half-way.
 */
export function vpcProblems(vpc: VpcFacts): string[] {
  const off = (["enableDnsSupport", "enableDnsHostnames"] as const).filter((attribute) => !vpc[attribute]);
  if (off.length === 0) return [];
  return [
    `vpcId: ${vpc.id} has ${off.map((a) => `${a}=false`).join(" and ")}; the VPC endpoints and the private ` +
      `hosted zone need enableDnsSupport and enableDnsHostnames both true ` +
      `(aws ec2 modify-vpc-attribute --vpc-id ${vpc.id} --enable-dns-hostnames '{"Value":true}', and the same for --enable-dns-support)`,
  ];
}
