/**
 * Renders what the program declares (the recording mocks' resources) as one
 * CloudFormation template, so cfn-lint (AWS's resource schemas) and checkov read it.
 * Every Pulumi type must have a mapping (./mappings.ts) or rendering fails; every input
 * key a mapping does not consume fails it too, so nothing the program sets slips past.
 * Values equal to another resource's id or output become `Ref` / `Fn::GetAtt`, so
 * cfn-lint's cross-resource rules (queue visibility vs function timeout, DLQ type) fire.
 */

import type { RecordedInputs, RecordedResource } from "../recordingMocks";
import { MAPPINGS, type Mapping } from "./mappings";

/** A CloudFormation intrinsic or any property value. */
export type CfnValue = unknown;

export interface CfnResource {
  Type: string;
  Properties: Record<string, CfnValue>;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: "2010-09-09";
  Description: string;
  Resources: Record<string, CfnResource>;
}

/** A policy document the program writes, for parliament: where it sits and what it says. */
export interface RenderedPolicy {
  readonly where: string;
  /** identity (a role's), resource (a queue's, a key's, an API's...), or trust. */
  readonly kind: "identity" | "resource" | "trust";
  readonly document: Record<string, unknown>;
}

/** Reads one resource's inputs; every key must be taken before `done()`. */
export class Inputs {
  private readonly taken = new Set<string>();

  constructor(readonly resource: RecordedResource) {}

  /** The input `key` (undefined when absent), marked as rendered. */
  take(key: string): RecordedInputs[string] {
    this.taken.add(key);
    return this.resource.inputs[key];
  }

  /** An input Pulumi uses that CloudFormation has no property for; `why` documents it. */
  ignore(key: string, why: string): void {
    if (why.trim().length === 0) throw new Error(`ignoring ${key} needs a reason`);
    this.taken.add(key);
  }

  done(): void {
    const left = Object.keys(this.resource.inputs).filter((k) => !this.taken.has(k) && k !== "__defaults");
    if (left.length > 0) {
      throw new Error(`${this.resource.type} ${this.resource.name}: the rendering does not consume ${left.join(", ")}`);
    }
  }
}

/** Keys renamed one to one; any key of `value` not in `names` fails the rendering. */
export function renamed(
  value: Record<string, unknown> | undefined,
  names: Readonly<Record<string, string>>,
  where: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const to = names[k];
    if (to === undefined) throw new Error(`${where}: the rendering does not consume ${k}`);
    if (v !== undefined) out[to] = v;
  }
  return out;
}

/** Drops undefined properties (CloudFormation has no "absent" value). */
export function defined(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined));
}

/** What a mapping may ask of the rendering. */
export interface RenderContext {
  /** `Ref`/`Fn::GetAtt` of the resource whose id or output `value` is, else `value`. */
  ref(value: unknown): CfnValue;
  /** A list, each item through `ref`. */
  refs(values: readonly unknown[] | undefined): CfnValue[] | undefined;
  /** The logical id of the rendered resource whose id or output `value` is. */
  logicalIdOf(value: unknown): string;
  /** A JSON policy string as an object, recorded for parliament. */
  policy(json: string, where: string, kind: RenderedPolicy["kind"]): Record<string, unknown>;
  /** The rendered resource `logicalId` (a parent that a split Pulumi resource folds into). */
  resource(logicalId: string): CfnResource;
  logicalId(resource: RecordedResource): string;
  /** Every resource rendered so far, by logical id. */
  all(): Readonly<Record<string, CfnResource>>;
}

/** A Pulumi name as a CloudFormation logical id (alphanumeric). */
export function logicalIdOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

export interface Rendering {
  readonly template: CfnTemplate;
  readonly policies: readonly RenderedPolicy[];
  /** Pulumi types rendered as nothing, with the reason (`skip` mappings). */
  readonly skipped: ReadonlyMap<string, string>;
}

/** The template of `resources`; throws on a type without a mapping or an input not rendered. */
export function render(resources: readonly RecordedResource[]): Rendering {
  const unmapped = [...new Set(resources.map((r) => r.type).filter((t) => !(t in MAPPINGS)))];
  if (unmapped.length > 0) throw new Error(`no CloudFormation mapping for ${unmapped.join(", ")}`);

  const Resources: Record<string, CfnResource> = {};
  const policies: RenderedPolicy[] = [];
  const skipped = new Map<string, string>();
  const references = new Map<string, { logicalId: string; value: CfnValue }>();
  const mappingOf = (r: RecordedResource): Mapping => MAPPINGS[r.type];
  // Pulumi names are unique per type only (a security group and a function may both be
  // `<stack>-processor`): a clash takes the type's name as a suffix.
  const ids = new Map<RecordedResource, string>();
  const used = new Set<string>();
  for (const r of resources) {
    let id = logicalIdOf(r.name);
    if (used.has(id)) id = `${id}${logicalIdOf(r.type.split(":").pop() ?? "")}`;
    if (used.has(id)) throw new Error(`two resources render as ${id}`);
    used.add(id);
    ids.set(r, id);
  }
  const idOf = (r: RecordedResource): string => ids.get(r)!;

  // References: what each rendered (not folded, not skipped) resource can be named by.
  for (const r of resources) {
    const m = mappingOf(r);
    if (m.kind !== "resource") continue;
    const logicalId = idOf(r);
    const attributes = m.attributes?.(r) ?? {};
    const add = (value: unknown, intrinsic: CfnValue) => {
      if (typeof value === "string" && value.length > 0 && !references.has(value))
        references.set(value, { logicalId, value: intrinsic });
    };
    add(r.id, { Ref: logicalId });
    for (const [value, attribute] of Object.entries(attributes)) {
      add(value, attribute === "Ref" ? { Ref: logicalId } : { "Fn::GetAtt": [logicalId, attribute] });
    }
  }

  let current = "";
  const ctx: RenderContext = {
    ref: (value) => {
      if (typeof value !== "string") return value;
      const found = references.get(value);
      return found && found.logicalId !== current ? found.value : value;
    },
    refs: (values) => values?.map((v) => ctx.ref(v)),
    logicalIdOf: (value) => {
      const found = typeof value === "string" ? references.get(value) : undefined;
      if (!found) throw new Error(`no rendered resource is ${JSON.stringify(value)}`);
      return found.logicalId;
    },
    policy: (json, where, kind) => {
      const document = JSON.parse(json) as Record<string, unknown>;
      policies.push({ where, kind, document });
      return document;
    },
    resource: (logicalId) => {
      const found = Resources[logicalId];
      if (!found) throw new Error(`no rendered resource ${logicalId} to fold into`);
      return found;
    },
    logicalId: idOf,
    all: () => Resources,
  };

  // Parents first, then what folds into them (order of declaration is not order of need).
  for (const pass of ["resource", "fold", "skip"] as const) {
    for (const r of resources) {
      const m = mappingOf(r);
      if (m.kind !== pass) continue;
      current = idOf(r);
      const inputs = new Inputs(r);
      if (m.kind === "resource") {
        Resources[current] = { Type: m.type, Properties: defined(m.properties(inputs, ctx)) };
      } else if (m.kind === "fold") {
        m.fold(inputs, ctx);
      } else {
        for (const key of Object.keys(r.inputs)) inputs.ignore(key, m.reason);
        skipped.set(r.type, m.reason);
      }
      inputs.done();
    }
  }
  return {
    template: {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: "private-ingest, rendered from the Pulumi program for cfn-lint and checkov",
      Resources,
    },
    policies,
    skipped,
  };
}
