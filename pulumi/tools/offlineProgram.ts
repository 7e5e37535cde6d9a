/**
 * Runs the real program (index.ts) against the recording mocks with given stack
 * settings, the way `pulumi preview` would run it but with no engine, provider or
 * credentials. Used by `npm run preview:offline`, the CloudFormation rendering and the
 * program tests.
 */

import * as pulumi from "@pulumi/pulumi";
import type { PrivateIngestOutputs } from "../privateIngest";
import { RecordingMocks, settled } from "./recordingMocks";

/** The project name in Pulumi.yaml: config keys are `<project>:<key>`. */
export const PROJECT = "private-ingest";

/** Settings as `pulumi config set` stores them: strings, lists as JSON text. */
export function asPulumiConfig(settings: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      `${PROJECT}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** What running the program produced: the declared resources and the stack's exports. */
export interface OfflineRun {
  readonly mocks: RecordingMocks;
  readonly exports: PrivateIngestOutputs;
}

/**
 * Runs index.ts's program under mocks as a preview of stack `stack`. Pulumi's runtime
 * state is per process: one run per process (the tests run each file in its own).
 */
export async function runProgramOffline(
  settings: Readonly<Record<string, unknown>>,
  mocks: RecordingMocks = new RecordingMocks(),
  stack = "offline",
): Promise<OfflineRun> {
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, true);
  pulumi.runtime.setAllConfig(asPulumiConfig(settings));
  const program: { default: () => Promise<PrivateIngestOutputs> } = await import("../index.js");
  const exports = await program.default();
  await settled();
  return { mocks, exports };
}
