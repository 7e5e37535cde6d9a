/**
 * `npm run preview:offline [-- --json] [-- --config FILE] [-- --stack NAME]`: what
 * `pulumi up` would create, without the Pulumi CLI, AWS credentials or network. Runs the
 * program under mocks with sample-config.json (or FILE) as stack `offline` (or NAME) and
 * prints every declared resource: a table by default, or with `--json` every resource
 * whole, `[{type, name, inputs, id, outputs}]` (nothing shortened: reviewers and the
 * CloudFormation rendering read it).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { runProgramOffline } from "./offlineProgram";
import { RecordingMocks } from "./recordingMocks";

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: readonly string[]): Promise<void> {
  const configFile = flag(argv, "--config") ?? path.join(__dirname, "..", "sample-config.json");
  const stack = flag(argv, "--stack") ?? "offline";
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  const { mocks } = await runProgramOffline(settings, new RecordingMocks(), stack);
  if (argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(mocks.resources, null, 2)}\n`);
    return;
  }
  const width = Math.max(...mocks.resources.map((r) => r.type.length));
  for (const r of mocks.resources) process.stdout.write(`${r.type.padEnd(width)}  ${r.name}\n`);
  process.stdout.write(`${mocks.resources.length} resources (stack ${stack}, settings: ${configFile})\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
