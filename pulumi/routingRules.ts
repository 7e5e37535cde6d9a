/**
 * The `routingRules` setting: a rules document (fixtures/rules/ has examples) given as a
 * file path on the deploying machine or as inline JSON. The core reads it through the
 * Wasm module before anything is declared; the function gets it as its `ROUTING_RULES`
 * variable, so changing the rules is a configuration update of the function, not a new
 * build; the page gets it as `routing-rules.json` beside it.
 *
 * Why the environment and not SSM Parameter Store: the function reads its variables at
 * init with no call, no IAM grant and no extra VPC interface endpoint (this stack's
 * functions reach AWS only through endpoints; an SSM endpoint costs per AZ-hour), and a
 * change takes effect on the next cold start either way. The price is Lambda's 4 KB for
 * all of a function's variables: the core caps a document at 3 KiB of compact JSON, and
 * {@link environmentProblem} checks the whole environment's worst case before deploying.
 */

import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkRules, contract, rulesInForce } from "../wasm/pkg-node/private_ingest_wasm";
import type { WebAsset } from "./webAssets";

/** The config key; this program reads it itself (a path is a fact of the deploying machine). */
export const ROUTING_RULES_KEY = "routingRules";

/** The object beside the page that says which rules are in force (the page reads it). */
export const ROUTING_RULES_ASSET = "routing-rules.json";

/**
 * Lambda: "The total size of all environment variables doesn't exceed 4 KB" (keys and
 * values, in bytes).
 */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;

/** Most bytes read from a rules file: the core refuses more anyway (MAX_RULES_TEXT_BYTES). */
const MAX_FILE_BYTES = 64 * 1024 + 1;

/** A checked rules document. */
export interface RoutingRules {
  /** The document as compact JSON: the function's `ROUTING_RULES`. */
  readonly compact: string;
  /** Where it came from: the file's path, or "inline JSON". */
  readonly source: string;
  readonly ruleNames: readonly string[];
}

/** The rules of the setting, or every problem (`routingRules: <where>: <reason>`). */
export type RoutingRulesSetting =
  { readonly ok: true; readonly rules: RoutingRules | null } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads the setting: absent or empty means no rules (the routing on `Insert`); text that
 * starts with `{` is the document itself; anything else a path from `repoRoot`.
 */
export function readRoutingRules(setting: unknown, repoRoot: string): RoutingRulesSetting {
  if (setting === undefined || setting === null || (typeof setting === "string" && setting.trim() === "")) {
    return { ok: true, rules: null };
  }
  if (typeof setting !== "string") {
    return { ok: false, problems: [`${ROUTING_RULES_KEY}: expected a file path or a JSON document as text`] };
  }
  let text: string;
  let source: string;
  if (setting.trim().startsWith("{")) {
    text = setting;
    source = "inline JSON";
  } else {
    source = path.resolve(repoRoot, setting);
    try {
      text = readBounded(source);
    } catch (e) {
      return { ok: false, problems: [`${ROUTING_RULES_KEY}: cannot read ${source}: ${(e as Error).message}`] };
    }
  }
  const checked = checkRules(text);
  if (!checked.ok) {
    return { ok: false, problems: checked.errors.map((e) => `${ROUTING_RULES_KEY}: ${e}`) };
  }
  return { ok: true, rules: { compact: checked.compact, source, ruleNames: checked.ruleNames } };
}

function readBounded(file: string): string {
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.alloc(MAX_FILE_BYTES);
    const length = fs.readSync(fd, buffer, 0, MAX_FILE_BYTES, 0);
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** What the environment holds besides the rules, at most, before the account is known. */
export interface EnvironmentBound {
  readonly tableName: string;
  readonly idempotencyTableName: string;
  readonly topicName: string;
  readonly metricsNamespace: string;
}

/**
 * Longest values the program cannot know before it looks up the account: a topic ARN's
 * `arn:<partition>:sns:<region>:<account>:` (partition "aws-iso-b" and the longest
 * region names are under 20 characters each) and the SNS endpoint's URL
 * (`https://vpce-<17 hex>-<8>.sns.<region>.vpce.amazonaws.com`).
 */
const TOPIC_ARN_PREFIX_BOUND = 64;
const SNS_ENDPOINT_URL_BOUND = 96;

/** The variable the SDK reads for SNS's endpoint (set by processor.ts). */
export const SNS_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SNS";

/**
 * Why the function's environment could exceed Lambda's 4 KB with these rules, counted
 * at its largest (every unknown at its bound); null when it fits.
 */
export function environmentProblem(rules: RoutingRules, bound: EnvironmentBound): string | null {
  const names = contract().functionEnvironment;
  const values: [string, number][] = [
    [names.tableName, bound.tableName.length],
    [names.idempotencyTableName, bound.idempotencyTableName.length],
    [names.topicArn, TOPIC_ARN_PREFIX_BOUND + bound.topicName.length],
    [names.notificationIncludesData, "false".length],
    [names.metricsNamespace, Buffer.byteLength(bound.metricsNamespace)],
    [SNS_ENDPOINT_VARIABLE, SNS_ENDPOINT_URL_BOUND],
    [names.routingRules, Buffer.byteLength(rules.compact)],
  ];
  const total = values.reduce((sum, [key, length]) => sum + key.length + length, 0);
  if (total <= LAMBDA_ENVIRONMENT_BYTES) return null;
  return (
    `${ROUTING_RULES_KEY}: with these rules (${Buffer.byteLength(rules.compact)} bytes as compact JSON) the function's ` +
    `environment could reach ${total} bytes; Lambda allows ${LAMBDA_ENVIRONMENT_BYTES} (4 KB) for all variables ` +
    `together. Shorten the rules (descriptions first) or the table, topic and namespace names.`
  );
}

/** `routing-rules.json`: the rules in force as the page reads them (the local stack's `GET /rules`). */
export function routingRulesAsset(rules: RoutingRules | null, notificationIncludesData: boolean): WebAsset {
  const bytes = Buffer.from(rulesInForce(rules?.compact ?? null, notificationIncludesData), "utf8");
  return {
    key: ROUTING_RULES_ASSET,
    contentType: "application/json",
    base64: bytes.toString("base64"),
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
  };
}
