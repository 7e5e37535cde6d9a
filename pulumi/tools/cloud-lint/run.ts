/**
 * `make test-cloud-lint`: what AWS would accept, checked offline. For the sample stack
 * settings and the opt-in ones, renders the program as CloudFormation
 * (../cfn/render-template.ts), then runs cfn-lint (AWS's resource schemas), checkov's
 * CloudFormation checks (skips reviewed in checkov-skips.json) and parliament over every
 * policy document (known false positives in parliament-known.json). Finally proves the
 * tier bites: a security group description with an apostrophe and an invalid enum must
 * fail cfn-lint. Tools come from CLOUD_LINT_BIN (mk/cloud-lint.mk installs them).
 */

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const PULUMI_DIR = path.resolve(__dirname, "..", "..");
const OUT = path.join(PULUMI_DIR, ".cloud-lint");
const BIN = process.env.CLOUD_LINT_BIN ?? "";
/** cfn-lint checks region-specific schemas; the mocks' account lives here. */
const REGION = "eu-west-1";

/** The stacks rendered: the sample settings, and AWS_IAM with every opt-in on. */
const RUNS = [
  { label: "sample", stack: "dev", config: path.join(PULUMI_DIR, "sample-config.json") },
  { label: "opt-in", stack: "prod", config: path.join(__dirname, "opt-in-settings.json") },
] as const;

function tool(name: string): string {
  const file = path.join(BIN, name);
  if (!BIN || !fs.existsSync(file))
    throw new Error(`${name} is not installed in CLOUD_LINT_BIN (${BIN || "unset"}); run make tools-cloud-lint`);
  return file;
}

/** Runs `command`, returning stdout whatever the exit code (the linters exit non-zero on findings). */
function run(command: string, args: readonly string[], cwd = PULUMI_DIR): { stdout: string; status: number } {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 256 << 20, timeout: 600_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, status: r.status ?? 1 };
}

interface CfnLintMatch {
  Level: string;
  Rule: { Id: string };
  Message: string;
  Location: { Path: (string | number)[] };
}

function cfnLint(template: string): CfnLintMatch[] {
  const { stdout } = run(tool("cfn-lint"), ["--regions", REGION, "--format", "json", "--", template]);
  return stdout.trim() === "" ? [] : JSON.parse(stdout);
}

interface CheckovReport {
  summary: { passed: number; failed: number; resource_count: number };
  results: { failed_checks?: Array<{ check_id: string; resource: string; check_name: string }> };
}

/** Every check on `template`; the reviewed skips are applied by the caller, so each is seen to fire. */
function checkov(template: string): CheckovReport {
  const { stdout } = run(tool("checkov"), ["-f", template, "--framework", "cloudformation", "--skip-download", "-o", "json"]);
  const parsed = JSON.parse(stdout);
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

interface KnownFinding {
  issue: string;
  file: string;
  detail: string;
  reason: string;
}
interface ParliamentFinding {
  issue: string;
  detail: unknown;
  file: string;
}

function parliament(policyDir: string): ParliamentFinding[] {
  const findings: ParliamentFinding[] = [];
  for (const file of fs.readdirSync(policyDir).sort()) {
    const text = fs.readFileSync(path.join(policyDir, file), "utf8");
    const { stdout } = run(tool("parliament"), ["--string", text, "--json"]);
    for (const line of stdout.split("\n").filter((l) => l.trim())) findings.push({ ...JSON.parse(line), file });
  }
  return findings;
}

function main(): void {
  const skips: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, "checkov-skips.json"), "utf8"));
  const skipIds = Object.keys(skips).filter((k) => k !== "//");
  for (const id of skipIds) if (skips[id].trim().length < 20) throw new Error(`checkov-skips.json: ${id} needs its reason`);
  const known: KnownFinding[] = JSON.parse(fs.readFileSync(path.join(__dirname, "parliament-known.json"), "utf8"));
  const problems: string[] = [];
  const skipsUsed = new Set<string>();
  const { stdout: rules } = run(tool("cfn-lint"), ["--list-rules"]);
  const ruleCount = rules.split("\n").filter((l) => /^[EWI]\d{4}\b/.test(l.trim())).length;

  for (const r of RUNS) {
    const dir = path.join(OUT, r.label);
    execFileSync(
      process.execPath,
      ["--import", "tsx", "tools/cfn/render-template.ts", "--config", r.config, "--stack", r.stack, "--out", dir],
      { cwd: PULUMI_DIR, stdio: ["ignore", "inherit", "pipe"] },
    );
    const template = path.join(dir, "template.json");
    const resources = Object.keys(JSON.parse(fs.readFileSync(template, "utf8")).Resources).length;

    const lint = cfnLint(template);
    for (const m of lint) problems.push(`${r.label}: cfn-lint ${m.Rule.Id} ${m.Message} at ${m.Location.Path.join("/")}`);
    console.log(
      `${r.label}: cfn-lint ${ruleCount} rules over ${resources} resources: ${lint.filter((m) => m.Level === "Error").length} errors, ${lint.filter((m) => m.Level !== "Error").length} warnings`,
    );

    const report = checkov(template);
    const failed = report.results.failed_checks ?? [];
    const suppressed = failed.filter((c) => skipIds.includes(c.check_id));
    for (const c of suppressed) skipsUsed.add(c.check_id);
    for (const c of failed.filter((f) => !skipIds.includes(f.check_id))) {
      problems.push(`${r.label}: checkov ${c.check_id} ${c.resource}: ${c.check_name}`);
    }
    const s = report.summary;
    console.log(
      `${r.label}: checkov ${s.passed + s.failed} results: ${s.passed} passed, ${suppressed.length} suppressed ` +
        `(${[...new Set(suppressed.map((c) => c.check_id))].length} checks, reasons in checkov-skips.json), ${failed.length - suppressed.length} failed`,
    );

    const findings = parliament(path.join(dir, "policies"));
    const unexplained = findings.filter(
      (f) => !known.some((k) => k.issue === f.issue && f.file.includes(k.file) && JSON.stringify(f.detail).includes(k.detail)),
    );
    for (const f of unexplained) problems.push(`${r.label}: parliament ${f.issue} in ${f.file}: ${JSON.stringify(f.detail)}`);
    const policyCount = fs.readdirSync(path.join(dir, "policies")).length;
    console.log(
      `${r.label}: parliament over ${policyCount} policies: ${findings.length} findings, ${findings.length - unexplained.length} known false positives (parliament-known.json), ${unexplained.length} unexplained`,
    );
  }
  for (const id of skipIds) if (!skipsUsed.has(id)) problems.push(`checkov-skips.json: ${id} no longer fires; remove it`);

  // The tier bites: the deploy-breaking description of issue 10 and an invalid enum.
  const sample = JSON.parse(fs.readFileSync(path.join(OUT, "sample", "template.json"), "utf8"));
  const resources = Object.values(sample.Resources) as Array<{ Type: string; Properties: Record<string, unknown> }>;
  resources.find((x) => x.Type === "AWS::EC2::SecurityGroup")!.Properties.GroupDescription = "the Lambda's HTTPS";
  resources.find((x) => x.Type === "AWS::DynamoDB::Table")!.Properties.BillingMode = "ON_DEMAND";
  const bitten = path.join(OUT, "bite-template.json");
  fs.writeFileSync(bitten, JSON.stringify(sample, null, 2));
  const caught = new Set(
    cfnLint(bitten)
      .filter((m) => m.Level === "Error")
      .map((m) => m.Rule.Id),
  );
  for (const rule of ["E3031", "E3030"]) {
    if (!caught.has(rule)) problems.push(`the tier does not bite: cfn-lint missed ${rule} in ${bitten}`);
  }
  console.log(
    `bite check: an apostrophe in a security group description and BillingMode ON_DEMAND fail cfn-lint with ${[...caught].sort().join(", ")}`,
  );

  if (problems.length > 0) {
    console.error(`make test-cloud-lint: ${problems.length} problems\n${problems.map((p) => `  ${p}`).join("\n")}`);
    process.exitCode = 1;
    return;
  }
  console.log("make test-cloud-lint: cfn-lint, checkov and parliament passed on both stacks, and the tier bites");
}

main();
