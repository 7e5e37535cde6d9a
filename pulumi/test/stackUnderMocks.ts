/**
 * The component declared under the recording mocks with the sample settings (plus
 * overrides), a built page and the fake account: what the policy tests read.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stackSettings, type StackSettings } from "../../wasm/pkg-node/private_ingest_wasm";
import { PrivateIngest } from "../privateIngest";
import { FAKE_ACCOUNT, RecordingMocks, settled } from "../tools/recordingMocks";

export const SAMPLE: Readonly<Record<string, unknown>> = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "sample-config.json"), "utf8"),
);

/** A built page: the files the stack must upload and serve. */
export function fakeWebDist(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "private-ingest-web-"));
  fs.mkdirSync(path.join(dir, "assets"));
  fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>t</title>");
  fs.writeFileSync(path.join(dir, "assets", "app.js"), "console.log(1)");
  fs.writeFileSync(path.join(dir, "assets", "core_bg.wasm"), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]));
  return dir;
}

export interface DeclaredStack {
  readonly mocks: RecordingMocks;
  readonly stack: PrivateIngest;
  readonly settings: StackSettings;
}

/** Declares the component `pi` of stack `test` from the sample settings with `overrides`. */
export async function declareStack(overrides: Readonly<Record<string, unknown>> = {}): Promise<DeclaredStack> {
  const parsed = stackSettings({ ...SAMPLE, ...overrides }, "test");
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, "private-ingest", "test", false);
  const stack = new PrivateIngest("pi", {
    settings: parsed.settings,
    artifacts: { lambdaZipPath: "/nonexistent/bootstrap.zip", webDistDir: fakeWebDist() },
    where: { partition: FAKE_ACCOUNT.partition, region: FAKE_ACCOUNT.region, accountId: FAKE_ACCOUNT.accountId },
    vpc: {
      id: parsed.settings.vpcId,
      cidrBlocks: [FAKE_ACCOUNT.vpcCidr, FAKE_ACCOUNT.secondaryVpcCidr],
      enableDnsSupport: true,
      enableDnsHostnames: true,
    },
    stack: "test",
  });
  await settled();
  return { mocks, stack, settings: parsed.settings };
}
