//! The Pulumi program: read the stack's config, have the shared core check it before
//! anything is declared, declare the stack, export what a user needs to reach it.

import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PrivateIngest } from "./privateIngest";
import { loadStack, projectConfig, StackConfigError } from "./settings";

function load() {
  try {
    return loadStack(projectConfig(pulumi.runtime.allConfig(), pulumi.getProject()), {
      repoRoot: path.resolve(__dirname, ".."),
      exists: fs.existsSync,
      dryRun: pulumi.runtime.isDryRun(),
    });
  } catch (e) {
    // A RunError stops `pulumi up` / `preview` with the message alone, no stack trace.
    if (e instanceof StackConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const { settings, artifacts, warnings } = load();
for (const warning of warnings) pulumi.log.warn(warning);

const stack = new PrivateIngest("private-ingest", { ...settings, ...artifacts });

export const privateUrl = stack.privateUrl;
export const curlStore = stack.curlStore;
export const curlNotify = stack.curlNotify;
export const queueUrl = stack.queueUrl;
export const deadLetterQueueUrl = stack.deadLetterQueueUrl;
export const tableName = stack.tableName;
export const topicArn = stack.topicArn;
export const executeApiVpcEndpointId = stack.executeApiVpcEndpointId;
export const restApiId = stack.restApiId;
export const functionName = stack.functionName;
