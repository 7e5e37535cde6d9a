/** How one Pulumi resource type becomes CloudFormation: its own resource, folded into a parent, or nothing (with why). */

import type { RecordedResource } from "../recordingMocks";
import type { CfnValue, Inputs, RenderContext } from "./template";

export type Mapping =
  | {
      readonly kind: "resource";
      readonly type: string;
      readonly properties: (inputs: Inputs, ctx: RenderContext) => Record<string, CfnValue>;
      /**
       * The resource's values other resources may name, and what to render instead:
       * `"Ref"` or a `Fn::GetAtt` attribute. Its id is always its `Ref`.
       */
      readonly attributes?: (r: RecordedResource) => Record<string, string>;
    }
  | {
      /** A Pulumi resource that CloudFormation spells as properties of another. */
      readonly kind: "fold";
      readonly fold: (inputs: Inputs, ctx: RenderContext) => void;
    }
  | { readonly kind: "skip"; readonly reason: string };

/** `{output value: attribute}` for the outputs present on `r`. */
export function outputs(r: RecordedResource, byOutput: Readonly<Record<string, string>>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [output, attribute] of Object.entries(byOutput)) {
    const value = r.outputs[output] ?? r.inputs[output];
    if (typeof value === "string") found[value] = attribute;
  }
  return found;
}
