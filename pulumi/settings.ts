//! The stack's settings: the Pulumi config keys of the original pattern's parameters and
//! the processing knobs, checked by the shared core (`validateStackConfig` from the Wasm
//! module, the same rules everywhere) before any resource is declared, then typed, with
//! defaults filled in. A bad stack stops with every bad key and its reason at once.

import * as path from "node:path";
import { validateStackConfig } from "../wasm/pkg-node/private_ingest_wasm";

/** Validated, typed settings: what the component is built from. */
export interface StackSettings {
  readonly vpcId: string;
  readonly routeTableIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly customDomainName: string;
  readonly certificateArn: string;
  readonly privateHostedZoneId: string;
  readonly queueName: string;
  readonly tableName: string;
  readonly topicName: string;
  readonly subscriptionEmail: string;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Messages per Lambda invocation. */
  readonly batchSize: number;
  readonly lambdaMemoryMb: number;
  readonly logRetentionDays: number;
}

/** Defaults of the optional settings: the original template's names, and the local stack's processing defaults. */
export const DEFAULTS = {
  queueName: "MyCustomQueue",
  tableName: "MyCustomTable",
  topicName: "MyCustomTopic",
  maxReceiveCount: 5,
  batchSize: 10,
  // arm64 Rust with a few concurrent SDK calls per batch stays well under this.
  lambdaMemoryMb: 256,
  logRetentionDays: 30,
} as const;

/**
 * The one config key this program reads for itself rather than passing to the core: a
 * path on the deploying machine, not a property of the stack.
 */
export const LAMBDA_ZIP_KEY = "lambdaZip";

/** Where `make package` writes the Lambda (relative to the repository root). */
export const DEFAULT_LAMBDA_ZIP = path.join("target", "lambda", "bootstrap", "bootstrap.zip");

/** The stack cannot be deployed as configured; `problems` are `<key>: <reason>` lines. */
export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `the stack's config has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  ${p}`).join("\n") +
        "\nSet them with `pulumi config set <key> <value>` (see pulumi/README.md).",
    );
    this.name = "StackConfigError";
  }
}

/**
 * The settings of one project out of Pulumi's whole config (`<project>:<key>` → string).
 * Values set with `--path` or as YAML lists arrive as JSON text and are parsed; anything
 * else stays the string Pulumi stores (the core accepts numbers as digit strings).
 */
export function projectConfig(all: Readonly<Record<string, string>>, project: string): Record<string, unknown> {
  const prefix = `${project}:`;
  const config: Record<string, unknown> = {};
  for (const [fullKey, raw] of Object.entries(all)) {
    if (fullKey.startsWith(prefix)) config[fullKey.slice(prefix.length)] = parseValue(raw);
  }
  return config;
}

function parseValue(raw: string): unknown {
  const text = raw.trim();
  if (text.startsWith("[") || text.startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Every problem with `config` (the core's rules), `<key>: <reason>` each; empty when deployable. */
export function settingProblems(config: Readonly<Record<string, unknown>>): string[] {
  return validateStackConfig(config);
}

/** Typed settings from a config the core accepted. Throws with every problem otherwise. */
export function parseStackSettings(config: Readonly<Record<string, unknown>>): StackSettings {
  const problems = settingProblems(config);
  if (problems.length > 0) throw new StackConfigError(problems);
  const text = (key: keyof StackSettings): string | undefined => {
    const v = config[key];
    return v === undefined || v === null ? undefined : String(v);
  };
  const required = (key: keyof StackSettings): string => text(key) as string;
  const ids = (key: "routeTableIds" | "subnetIds"): string[] => {
    const v = config[key];
    const items = Array.isArray(v) ? v.map(String) : String(v).split(",");
    return items.map((s) => s.trim()).filter((s) => s.length > 0);
  };
  const whole = (key: keyof typeof DEFAULTS & keyof StackSettings, fallback: number): number => {
    const v = text(key);
    return v === undefined ? fallback : Number(v.trim());
  };
  return {
    vpcId: required("vpcId"),
    routeTableIds: ids("routeTableIds"),
    subnetIds: ids("subnetIds"),
    customDomainName: required("customDomainName").replace(/\.$/, ""),
    certificateArn: required("certificateArn"),
    privateHostedZoneId: required("privateHostedZoneId"),
    queueName: text("queueName") ?? DEFAULTS.queueName,
    tableName: text("tableName") ?? DEFAULTS.tableName,
    topicName: text("topicName") ?? DEFAULTS.topicName,
    subscriptionEmail: required("subscriptionEmail"),
    maxReceiveCount: whole("maxReceiveCount", DEFAULTS.maxReceiveCount),
    batchSize: whole("batchSize", DEFAULTS.batchSize),
    lambdaMemoryMb: whole("lambdaMemoryMb", DEFAULTS.lambdaMemoryMb),
    logRetentionDays: whole("logRetentionDays", DEFAULTS.logRetentionDays),
  };
}

/** Files built outside Pulumi that the stack uploads. */
export interface BuildArtifacts {
  /** The Lambda's zip (`make package`). */
  readonly lambdaZipPath: string;
  /** The test page's build (`make web`). */
  readonly webDistDir: string;
}

/** How to check the artifacts: where the repository is, and whether this run deploys. */
export interface ArtifactCheck {
  readonly repoRoot: string;
  readonly exists: (p: string) => boolean;
  /** A preview creates nothing, so a missing zip is only a warning there. */
  readonly dryRun: boolean;
}

/** Everything the program needs, or every reason it cannot run. */
export interface LoadedStack {
  readonly settings: StackSettings;
  readonly artifacts: BuildArtifacts;
  /** Things to tell the user that do not stop the run. */
  readonly warnings: readonly string[];
}

/**
 * Reads the project's config: the core checks the stack settings, this program checks
 * the Lambda zip it must upload. All problems are reported together, before anything is
 * declared.
 */
export function loadStack(config: Readonly<Record<string, unknown>>, check: ArtifactCheck): LoadedStack {
  const { [LAMBDA_ZIP_KEY]: zipSetting, ...stackConfig } = config;
  const problems = settingProblems(stackConfig);
  const warnings: string[] = [];

  let lambdaZipPath = path.resolve(check.repoRoot, DEFAULT_LAMBDA_ZIP);
  if (zipSetting !== undefined && zipSetting !== null) {
    if (typeof zipSetting !== "string" || zipSetting.trim() === "") {
      problems.push(`${LAMBDA_ZIP_KEY}: expected the path of the Lambda's zip file`);
    } else {
      lambdaZipPath = path.resolve(check.repoRoot, zipSetting);
    }
  }
  if (!check.exists(lambdaZipPath)) {
    const why = `${LAMBDA_ZIP_KEY}: ${lambdaZipPath} does not exist; run \`make package\` to build it`;
    if (check.dryRun) warnings.push(`${why} before \`pulumi up\``);
    else problems.push(why);
  }

  const webDistDir = path.resolve(check.repoRoot, "web", "dist");
  if (!check.exists(path.join(webDistDir, "index.html"))) {
    warnings.push(`the test page is not built (${webDistDir}); run \`make web\` to serve it at / (the API works without it)`);
  }

  if (problems.length > 0) throw new StackConfigError(problems);
  return { settings: parseStackSettings(stackConfig), artifacts: { lambdaZipPath, webDistDir }, warnings };
}
