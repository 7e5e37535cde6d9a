/** Runs `npm run preview:offline -- --json` in a child process (Pulumi's runtime is per process). */

import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { RecordedResource } from "../tools/recordingMocks";

/** The preview of stack `stack` from the settings file `config`, as JSON. */
export function previewJson(stack: string, config?: string): RecordedResource[] {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", "tools/preview-offline.ts", "--json", "--stack", stack, ...(config ? ["--config", config] : [])],
    {
      cwd: path.join(__dirname, ".."),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
      maxBuffer: 64 << 20,
    },
  );
  return JSON.parse(out);
}
