/**
 * The Pulumi program: the core checks the stack settings, the program looks up where it
 * deploys (account, region, the VPC) and checks the VPC can hold the stack, all before
 * a single resource is declared; then it declares the stack and exports what a user
 * needs to reach it.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PrivateIngest, type PrivateIngestOutputs } from "./privateIngest";
import { loadStack, projectConfig, StackConfigError } from "./settings";
import { vpcProblems, type VpcFacts, type Where } from "./stackContext";

/** Where the stack deploys and the VPC's facts, read from AWS once. */
async function lookUp(vpcId: string): Promise<{ where: Where; vpc: VpcFacts }> {
  const [identity, region, partition, vpc] = await Promise.all([
    aws.getCallerIdentity({}),
    aws.getRegion({}),
    aws.getPartition({}),
    aws.ec2.getVpc({ id: vpcId }),
  ]);
  const associated = vpc.cidrBlockAssociations.filter((a) => a.state === "associated").map((a) => a.cidrBlock);
  return {
    where: { partition: partition.partition, region: region.region, accountId: identity.accountId },
    vpc: {
      id: vpc.id,
      cidrBlocks: [...new Set([vpc.cidrBlock, ...associated])],
      enableDnsSupport: vpc.enableDnsSupport,
      enableDnsHostnames: vpc.enableDnsHostnames,
    },
  };
}

/** The program: stops with every problem at once (a RunError prints without a stack trace). */
async function main(): Promise<PrivateIngestOutputs> {
  const stack = pulumi.getStack();
  let loaded;
  try {
    loaded = loadStack(projectConfig(pulumi.runtime.allConfig(), pulumi.getProject()), stack, {
      repoRoot: path.resolve(__dirname, ".."),
      exists: fs.existsSync,
      dryRun: pulumi.runtime.isDryRun(),
    });
  } catch (e) {
    if (e instanceof StackConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  const { settings, artifacts, warnings, routingRules } = loaded;
  const { where, vpc } = await lookUp(settings.vpcId);
  const vpcErrors = vpcProblems(vpc);
  if (vpcErrors.length > 0) throw new pulumi.RunError(new StackConfigError(vpcErrors).message);
  for (const warning of warnings) pulumi.log.warn(warning);

  const s = new PrivateIngest("private-ingest", { settings, artifacts, where, vpc, stack, routingRules });
  return {
    privateUrl: s.privateUrl,
    curlStore: s.curlStore,
    curlNotify: s.curlNotify,
    queueUrl: s.queueUrl,
    deadLetterQueueUrl: s.deadLetterQueueUrl,
    tableName: s.tableName,
    idempotencyTableName: s.idempotencyTableName,
    topicArn: s.topicArn,
    executeApiVpcEndpointId: s.executeApiVpcEndpointId,
    restApiId: s.restApiId,
    functionName: s.functionName,
    dashboardName: s.dashboardName,
  };
}

export = main;
