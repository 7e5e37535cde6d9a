/**
 * Stack settings: every setting, typed and checked by the shared core through the Wasm
 * module before anything is declared, with every problem reported at once.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { stackSettings, type StackSettings } from "../../wasm/pkg-node/private_ingest_wasm";
import { LAMBDA_ZIP_KEY, loadStack, projectConfig, StackConfigError } from "../settings";

/** Every problem the core finds, `<key>: <reason>` each; empty when deployable. */
function settingProblems(config: Readonly<Record<string, unknown>>): string[] {
  const r = stackSettings(config, "dev");
  return r.ok ? [] : [...r.errors];
}

/** The typed settings of stack `dev`, or the StackConfigError the program would stop with. */
function parseStackSettings(config: Readonly<Record<string, unknown>>): StackSettings {
  const r = stackSettings(config, "dev");
  if (!r.ok) throw new StackConfigError(r.errors);
  return r.settings;
}

const sample: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "sample-config.json"), "utf8"));

/** The settings without a default, as pulumi/README.md lists them (written out, not read from the core). */
const REQUIRED_SETTINGS = [
  "vpcId",
  "routeTableIds",
  "subnetIds",
  "customDomainName",
  "certificateArn",
  "privateHostedZoneId",
  "subscriptionEmail",
] as const;

interface ConfigVector {
  readonly name: string;
  readonly config: Record<string, unknown>;
  /** The core's errors, word for word (core/tests/corpus.rs checks them against `meaning`). */
  readonly wording: string[];
  /** The typed settings of stack `dev`, written by hand, for the deployable vectors. */
  readonly settings?: Record<string, unknown>;
}
const vectors: ConfigVector[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", "stack-configs.json"), "utf8"),
);

function problemsWith(key: string, value: unknown): string[] {
  try {
    parseStackSettings({ ...sample, [key]: value });
  } catch (e) {
    if (e instanceof StackConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe("stack settings", () => {
  test("the sample config is deployable", () => {
    assert.deepEqual(settingProblems(sample), []);
  });

  test("every shared stack-config vector gets its recorded answer through the Wasm module", () => {
    assert.ok(vectors.length >= 5, "fixtures/stack-configs.json holds the shared vectors");
    for (const v of vectors) assert.deepEqual(settingProblems(v.config), v.wording, v.name);
  });

  test("every deployable vector's typed settings are the hand-written ones", () => {
    const deployable = vectors.filter((v) => v.settings !== undefined);
    assert.ok(deployable.length >= 4);
    for (const v of deployable) assert.deepEqual(parseStackSettings(v.config), v.settings, v.name);
  });

  // One bad value per setting: [key, value, what the reason must say].
  const badValues: Array<[string, unknown, string]> = [
    ["vpcId", "vpc-123", "is not a vpc id"],
    ["routeTableIds", "rtb-zzzzzzzz", "is not route table ids"],
    ["subnetIds", [], "needs at least one subnet id"],
    ["customDomainName", "*.example.com", "wildcards are not allowed"],
    ["certificateArn", "arn:aws:iam::123456789012:role/x", "is not an ACM certificate ARN"],
    ["privateHostedZoneId", "/hostedzone/Z123", "leave out the /hostedzone/ prefix"],
    ["queueName", "orders.fifo", "FIFO queue name"],
    ["tableName", "ab", "is not a valid DynamoDB table name"],
    ["topicName", "alerts/x", "is not a valid SNS topic name"],
    ["subscriptionEmail", "ops", "is not an email address"],
    ["maxReceiveCount", "0", "is out of range (1 to 1000)"],
    ["batchSize", "11", "is out of range (1 to 10)"],
    ["lambdaMemoryMb", "lots", "is not a whole number"],
    ["logRetentionDays", "2", "is not a retention CloudWatch Logs accepts"],
    ["maxConcurrency", "1", "is out of range (2 to 1000)"],
    ["throttlingRateLimit", "10001", "is out of range (1 to 10000)"],
    ["throttlingBurstLimit", "5001", "is out of range (1 to 5000)"],
    ["executionLoggingLevel", "DEBUG", "is not one of OFF, ERROR, INFO"],
    ["apiAuthorization", "IAM", "is not one of NONE, AWS_IAM"],
    ["executeApiPrivateDns", "yes", "is not true or false"],
    ["manageApiGatewayAccount", "1", "is not true or false"],
    ["notificationIncludesData", "on", "is not true or false"],
    ["tracing", "yes", "is not true or false"],
    ["metricsNamespace", "AWS/Custom", "starts with AWS/"],
    ["oldestMessageAlarmSeconds", "30", "is out of range (60 to 1209600)"],
  ];

  test("the table of bad values covers every setting", () => {
    const derived = ["deadLetterQueueName", "idempotencyTableName"];
    const typed = Object.keys(parseStackSettings(sample)).filter((k) => !derived.includes(k));
    assert.deepEqual(badValues.map(([k]) => k).sort(), typed.sort());
  });

  for (const [key, value, reason] of badValues) {
    test(`a bad ${key} stops the program with the key and the reason`, () => {
      const problems = problemsWith(key, value);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0].startsWith(`${key}: `), problems[0]);
      assert.ok(problems[0].includes(reason), `${problems[0]} should say ${reason}`);
    });
  }

  test("every required setting is named when missing", () => {
    const problems = settingProblems({});
    for (const key of REQUIRED_SETTINGS) {
      assert.ok(problems.includes(`${key}: is required`), `${key} missing: ${problems.join("; ")}`);
    }
    assert.equal(problems.length, REQUIRED_SETTINGS.length);
  });

  test("all problems are reported at once, in one error", () => {
    assert.throws(
      () => parseStackSettings({ ...sample, vpcId: "x", batchSize: "99", subscriptionEmail: "nope" }),
      (e: unknown) => {
        assert.ok(e instanceof StackConfigError);
        assert.deepEqual(
          e.problems.map((p) => p.split(":")[0]),
          ["vpcId", "subscriptionEmail", "batchSize"],
        );
        for (const p of e.problems) assert.ok(e.message.includes(p));
        return true;
      },
    );
  });

  test("a misspelt key is refused by name instead of silently ignored", () => {
    const problems = problemsWith("subnetId", "subnet-89abcdef");
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^subnetId: unknown setting; known settings are vpcId, /);
  });

  test("valid settings are typed: lists split, numbers parsed, the domain's final dot dropped", () => {
    const s = parseStackSettings({
      ...sample,
      subnetIds: "subnet-89abcdef, subnet-0123456789abcdef0",
      routeTableIds: ["rtb-0123456789abcdef0"],
      customDomainName: "api.private.example.internal.",
      batchSize: "7",
      maxReceiveCount: 3,
    });
    assert.deepEqual(s.subnetIds, ["subnet-89abcdef", "subnet-0123456789abcdef0"]);
    assert.deepEqual(s.routeTableIds, ["rtb-0123456789abcdef0"]);
    assert.equal(s.customDomainName, "api.private.example.internal");
    assert.equal(s.batchSize, 7);
    assert.equal(s.maxReceiveCount, 3);
  });

  test("optional settings take their documented defaults; names carry the stack's name", () => {
    const required = Object.fromEntries(REQUIRED_SETTINGS.map((k) => [k, sample[k]]));
    const s = parseStackSettings(required);
    // The values pulumi/README.md documents, written out here rather than read from the code.
    assert.equal(s.queueName, "private-ingest-dev");
    assert.equal(s.deadLetterQueueName, "private-ingest-dev-dlq");
    assert.equal(s.tableName, "private-ingest-dev");
    assert.equal(s.topicName, "private-ingest-dev");
    assert.equal(s.maxReceiveCount, 5);
    assert.equal(s.batchSize, 10);
    assert.equal(s.lambdaMemoryMb, 256);
    assert.equal(s.logRetentionDays, 30);
    assert.equal(s.maxConcurrency, 5);
    assert.equal(s.throttlingRateLimit, 100);
    assert.equal(s.throttlingBurstLimit, 200);
    assert.equal(s.executionLoggingLevel, "ERROR");
    assert.equal(s.apiAuthorization, "NONE");
    assert.equal(s.executeApiPrivateDns, false);
    assert.equal(s.manageApiGatewayAccount, false);
    assert.equal(s.notificationIncludesData, false);
  });
});

describe("reading Pulumi's config", () => {
  test("only this project's keys are read; JSON lists are parsed, other values stay strings", () => {
    const config = projectConfig(
      {
        "private-ingest:subnetIds": '["subnet-89abcdef"]',
        "private-ingest:batchSize": "10",
        "private-ingest:customDomainName": "api.example.internal",
        "aws:region": "eu-west-1",
      },
      "private-ingest",
    );
    assert.deepEqual(config, {
      subnetIds: ["subnet-89abcdef"],
      batchSize: "10",
      customDomainName: "api.example.internal",
    });
  });

  const repoRoot = "/repo";
  const zip = "/repo/target/lambda/bootstrap/bootstrap.zip";
  const everything = (p: string) => p === zip || p === "/repo/web/dist/index.html";

  test("the Lambda zip defaults to make package's output", () => {
    const loaded = loadStack(sample, "dev", { repoRoot, exists: everything, dryRun: false });
    assert.equal(loaded.artifacts.lambdaZipPath, zip);
    assert.equal(loaded.artifacts.webDistDir, "/repo/web/dist");
    assert.deepEqual(loaded.warnings, []);
  });

  test(`${LAMBDA_ZIP_KEY} points at another zip, relative to the repository, and is not a core setting`, () => {
    const loaded = loadStack({ ...sample, [LAMBDA_ZIP_KEY]: "build/fn.zip" }, "dev", {
      repoRoot,
      exists: (p: string) => p === "/repo/build/fn.zip" || p === "/repo/web/dist/index.html",
      dryRun: false,
    });
    assert.equal(loaded.artifacts.lambdaZipPath, "/repo/build/fn.zip");
  });

  test("pulumi up without the Lambda zip stops, together with the config's own problems", () => {
    assert.throws(
      () => loadStack({ ...sample, vpcId: "nope" }, "dev", { repoRoot, exists: () => false, dryRun: false }),
      (e: unknown) => {
        assert.ok(e instanceof StackConfigError);
        assert.equal(e.problems.length, 2);
        assert.match(e.problems[0], /^vpcId: /);
        assert.match(e.problems[1], /^lambdaZip: .*bootstrap\.zip does not exist; run `make package`/);
        return true;
      },
    );
  });

  test("a preview without the Lambda zip or the page only warns", () => {
    const loaded = loadStack(sample, "dev", { repoRoot, exists: () => false, dryRun: true });
    assert.equal(loaded.warnings.length, 2);
    assert.match(loaded.warnings[0], /^lambdaZip: .*make package/);
    assert.match(loaded.warnings[1], /make web/);
  });
});
