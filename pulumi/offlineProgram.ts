//! Runs the real program (index.ts) against the recording mocks with a given config,
//! the way `pulumi preview` would run it but with no engine, provider or credentials.
//! Used by `npm run preview:offline` and by the program tests.

import * as pulumi from "@pulumi/pulumi";
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
  readonly exports: Record<string, unknown>;
}

/** Loads index.ts under mocks (once per process: Node caches the module) as a preview. */
export async function runProgramOffline(
  settings: Readonly<Record<string, unknown>>,
  mocks: RecordingMocks = new RecordingMocks(),
): Promise<OfflineRun> {
  await pulumi.runtime.setMocks(mocks, PROJECT, "offline", true);
  pulumi.runtime.setAllConfig(asPulumiConfig(settings));
  const exports: Record<string, unknown> = await import("./index.js");
  await settled();
  return { mocks, exports };
}
