/**
 * `node --import tsx tools/cfn/render-template.ts --config FILE --stack NAME --out DIR`:
 * runs the program under mocks and writes `template.json` (CloudFormation) and
 * `policies/*.json` (every policy document, for parliament) into DIR.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { runProgramOffline } from "../offlineProgram";
import { RecordingMocks } from "../recordingMocks";
import { render } from "./template";

function flag(argv: readonly string[], name: string): string {
  const i = argv.indexOf(name);
  if (i < 0 || argv[i + 1] === undefined) throw new Error(`${name} is required`);
  return argv[i + 1];
}

async function main(argv: readonly string[]): Promise<void> {
  const settings = JSON.parse(fs.readFileSync(flag(argv, "--config"), "utf8"));
  const out = flag(argv, "--out");
  const { mocks } = await runProgramOffline(settings, new RecordingMocks(), flag(argv, "--stack"));
  const rendering = render(mocks.resources);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, "policies"), { recursive: true });
  fs.writeFileSync(path.join(out, "template.json"), `${JSON.stringify(rendering.template, null, 2)}\n`);
  rendering.policies.forEach((p, n) => {
    fs.writeFileSync(
      path.join(out, "policies", `${String(n).padStart(2, "0")}-${p.kind}-${p.where}.json`),
      `${JSON.stringify(p.document, null, 2)}\n`,
    );
  });
  const count = Object.keys(rendering.template.Resources).length;
  process.stdout.write(
    `rendered ${mocks.resources.length} Pulumi resources as ${count} CloudFormation resources and ${rendering.policies.length} policies into ${out}\n`,
  );
  for (const [type, why] of rendering.skipped) process.stdout.write(`  not rendered: ${type}: ${why}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
