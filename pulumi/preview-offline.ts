//! `npm run preview:offline [-- --json] [-- --config FILE]`: what `pulumi up` would create,
//! without the Pulumi CLI, AWS credentials or network. Runs the program under mocks with
//! sample-config.json (or FILE) and prints every declared resource: a table by default,
//! `[{type, name, inputs}]` with `--json`. Long inputs (the page's base64 files) are cut
//! to 200 characters so the listing stays readable.

import * as fs from "node:fs";
import * as path from "node:path";
import { runProgramOffline } from "./offlineProgram";

const LONGEST_STRING = 200;

function shorten(value: unknown): unknown {
  if (typeof value === "string" && value.length > LONGEST_STRING) {
    return `${value.slice(0, LONGEST_STRING)}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) return value.map(shorten);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  }
  return value;
}

async function main(argv: readonly string[]): Promise<void> {
  const json = argv.includes("--json");
  const configFlag = argv.indexOf("--config");
  const configFile = configFlag >= 0 ? argv[configFlag + 1] : path.join(__dirname, "sample-config.json");
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  const { mocks } = await runProgramOffline(settings);
  const resources = mocks.resources.map(({ type, name, inputs }) => ({ type, name, inputs: shorten(inputs) }));
  if (json) {
    process.stdout.write(`${JSON.stringify(resources, null, 2)}\n`);
    return;
  }
  const width = Math.max(...resources.map((r) => r.type.length));
  for (const r of resources) process.stdout.write(`${r.type.padEnd(width)}  ${r.name}\n`);
  process.stdout.write(`${resources.length} resources (config: ${configFile})\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
