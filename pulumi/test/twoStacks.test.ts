/**
 * Row 5 of issue 10: two stacks (`dev`, `prod`) in one account and region. Only the
 * settings that must differ do (the custom domain); every other physical name comes from
 * the defaults, which carry the stack's name, or is left to AWS. Their previews must
 * share no physical name, or the second `pulumi up` fails on `ResourceAlreadyExists`.
 * Also: the resource count pulumi/README.md states is the preview's.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { FAKE_IDS, type RecordedResource } from "../tools/recordingMocks";
import { previewJson } from "./previewJson";
import { SAMPLE } from "./stackUnderMocks";

/**
 * The input that sets a resource's own name account- or region-wide, by type: `name`
 * for most, the bucket's and the domain's own keys. A resource without one is named by
 * Pulumi (a random suffix) or by AWS; a model's or validator's name is scoped to its API.
 */
const NAME_INPUT: Readonly<Record<string, string>> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:apigateway/domainName:DomainName": "domainName",
};
const SCOPED_TO_PARENT = new Set(["aws:apigateway/model:Model", "aws:apigateway/requestValidator:RequestValidator"]);

function physicalNames(resources: readonly RecordedResource[]): Set<string> {
  const names = new Set<string>();
  for (const r of resources) {
    if (SCOPED_TO_PARENT.has(r.type) || r.type.startsWith("private-ingest:")) continue;
    const value = r.inputs[NAME_INPUT[r.type] ?? "name"];
    if (typeof value === "string") names.add(`${r.type} ${value}`);
  }
  return names;
}

function settingsFile(stack: string): string {
  const { queueName: _q, tableName: _t, topicName: _p, ...shared } = SAMPLE;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `private-ingest-${stack}-`)), "settings.json");
  fs.writeFileSync(file, JSON.stringify({ ...shared, customDomainName: `ingest.${stack}.example.internal` }));
  return file;
}

test("dev and prod in one account and region share no physical name", () => {
  const dev = physicalNames(previewJson("dev", settingsFile("dev")));
  const prod = physicalNames(previewJson("prod", settingsFile("prod")));
  assert.ok(dev.size >= 8, [...dev].join("\n"));
  // API Gateway names the execution log group after the API's id, which AWS assigns
  // per API; the mocks hand both stacks the same fake id, so that name is set aside.
  const shared = [...dev].filter((n) => prod.has(n) && !n.includes(`API-Gateway-Execution-Logs_${FAKE_IDS.restApi}/`));
  assert.deepEqual(shared, []);
  assert.ok(
    [...dev].some((n) => n.endsWith(" private-ingest-dev")),
    "the default names carry the stack",
  );
});

test("pulumi/README.md states the preview's resource count", () => {
  // The page's files (one resource each, present once `make web` has run) are counted
  // apart in the README: their number follows the page's build, not the stack.
  const preview = previewJson("offline");
  const count = preview.filter((r) => r.type !== "aws:s3/bucketObjectv2:BucketObjectv2").length;
  const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
  const stated = readme.match(/lists (\d+) resources/);
  assert.ok(stated, "README says how many resources the preview lists");
  assert.equal(Number(stated[1]), count);
});
