/** Lambda: the function and its event source mapping. */

import { type Mapping, outputs } from "./mapping";
import { renamed } from "./template";

export const PROCESSOR_MAPPINGS: Readonly<Record<string, Mapping>> = {
  "aws:lambda/function:Function": {
    kind: "resource",
    type: "AWS::Lambda::Function",
    properties: (i, c) => {
      // Rendering, not the program: Pulumi uploads the zip itself (a FileArchive);
      // CloudFormation needs an S3 location, stood in for here.
      i.ignore("code", "Pulumi uploads the FileArchive; the template names a stand-in S3 location");
      const environment = i.take("environment") as { variables: Record<string, string> } | undefined;
      const vpc = i.take("vpcConfig") as { subnetIds: string[]; securityGroupIds: string[] };
      return {
        Description: i.take("description"),
        Runtime: i.take("runtime"),
        Architectures: i.take("architectures"),
        Handler: i.take("handler"),
        Code: { S3Bucket: "private-ingest-artifacts", S3Key: "bootstrap.zip" },
        MemorySize: i.take("memorySize"),
        Timeout: i.take("timeout"),
        Role: c.ref(i.take("role")),
        Environment: environment && {
          Variables: Object.fromEntries(Object.entries(environment.variables).map(([k, v]) => [k, c.ref(v)])),
        },
        VpcConfig: { SubnetIds: vpc.subnetIds, SecurityGroupIds: c.refs(vpc.securityGroupIds) },
        LoggingConfig: renamed(i.take("loggingConfig"), { logFormat: "LogFormat", logGroup: "LogGroup" }, i.resource.name),
        TracingConfig: renamed(i.take("tracingConfig"), { mode: "Mode" }, i.resource.name),
      };
    },
    attributes: (r) => outputs(r, { arn: "Arn" }),
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    kind: "resource",
    type: "AWS::Lambda::EventSourceMapping",
    properties: (i, c) => ({
      EventSourceArn: c.ref(i.take("eventSourceArn")),
      FunctionName: c.ref(i.take("functionName")),
      BatchSize: i.take("batchSize"),
      FunctionResponseTypes: i.take("functionResponseTypes"),
      ScalingConfig: renamed(i.take("scalingConfig"), { maximumConcurrency: "MaximumConcurrency" }, i.resource.name),
    }),
  },
};
