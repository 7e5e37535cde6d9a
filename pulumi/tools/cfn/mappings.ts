/**
 * Every Pulumi resource type the program declares, and how it renders. A type missing
 * here fails the rendering (and `make test-cloud-lint`), so nothing new slips past.
 */

import { API_MAPPINGS } from "./apiMappings";
import type { Mapping } from "./mapping";
import { BUCKET_MAPPINGS, MESSAGING_MAPPINGS } from "./messagingMappings";
import { DNS_MAPPINGS, NETWORK_MAPPINGS } from "./networkMappings";
import { PROCESSOR_MAPPINGS } from "./processorMappings";

export type { Mapping } from "./mapping";

export const MAPPINGS: Readonly<Record<string, Mapping>> = {
  "private-ingest:stack:PrivateIngest": { kind: "skip", reason: "a component groups resources; it has no resource of its own" },
  ...NETWORK_MAPPINGS,
  ...DNS_MAPPINGS,
  ...MESSAGING_MAPPINGS,
  ...BUCKET_MAPPINGS,
  ...PROCESSOR_MAPPINGS,
  ...API_MAPPINGS,
};
