/**
 * The stack settings' types, and where they come from. The core parses and checks every
 * setting and fills in the defaults (core/src/stack_config.rs, through the Wasm module's
 * `stackSettings`); this file only reads Pulumi's config for it and checks the one thing
 * the core cannot see, the Lambda's zip on the deploying machine.
 */

import * as path from "node:path";
import { stackSettings, type StackSettings } from "../wasm/pkg-node/private_ingest_wasm";
import { environmentProblem, readRoutingRules, ROUTING_RULES_KEY, type RoutingRules } from "./routingRules";

export type { ApiAuthorization, ExecutionLoggingLevel, StackSettings } from "../wasm/pkg-node/private_ingest_wasm";

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
      `the stack settings have ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  ${p}`).join("\n") +
        "\nSet them with `pulumi config set <key> <value>` (see pulumi/README.md).",
    );
    this.name = "StackConfigError";
  }
}

/**
 * The settings of one project out of Pulumi's whole config (`<project>:<key>` → string).
 * Values set with `--path` or as YAML lists arrive as JSON text and are parsed; anything
 * else stays the string Pulumi stores (the core reads numbers and booleans from strings).
 */
export function projectConfig(all: Readonly<Record<string, string>>, project: string): Record<string, unknown> {
  const prefix = `${project}:`;
  const config: Record<string, unknown> = {};
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    // The rules stay text: JSON.parse would round a number of 17 digits or more.
    config[key] = key === ROUTING_RULES_KEY ? raw : parseValue(raw);
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
  /** The routing rules (`routingRules`); null: the routing on `Insert`. */
  readonly routingRules: RoutingRules | null;
}

/**
 * Reads the project's config for stack `stack`: the core types the stack settings and
 * reads the routing rules, this program checks the Lambda zip it must upload. All problems are reported together,
 * before anything is declared.
 */
export function loadStack(config: Readonly<Record<string, unknown>>, stack: string, check: ArtifactCheck): LoadedStack {
  const { [LAMBDA_ZIP_KEY]: zipSetting, [ROUTING_RULES_KEY]: rulesSetting, ...stackConfig } = config;
  const parsed = stackSettings(stackConfig, stack);
  const problems = parsed.ok ? [] : [...parsed.errors];
  const rules = readRoutingRules(rulesSetting, check.repoRoot);
  if (!rules.ok) problems.push(...rules.problems);
  const routingRules = rules.ok ? rules.rules : null;
  if (routingRules !== null && parsed.ok) {
    const tooBig = environmentProblem(routingRules, parsed.settings);
    if (tooBig !== null) problems.push(tooBig);
  }
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

  if (!parsed.ok || problems.length > 0) throw new StackConfigError(problems);
  return { settings: parsed.settings, artifacts: { lambdaZipPath, webDistDir }, warnings, routingRules };
}
