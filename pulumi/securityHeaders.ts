/**
 * The contract's security headers (the core's `contract::security_headers`, which the
 * local gateway sets too) as API Gateway sets them: static values mapped onto method
 * response headers (`method.response.header.<name>`) by integration responses, and onto
 * gateway responses (`gatewayresponse.header.<name>`). A header an integration response
 * maps must also be declared on the method response, since API Gateway maps only the
 * headers a method response declares.
 */

import { contract, type SecurityHeaders } from "../wasm/pkg-node/private_ingest_wasm";

const { page, resource } = contract().securityHeaders;

/** The page's headers (its HTML): a policy that lets it run, and nothing else in. */
export const PAGE_HEADERS: SecurityHeaders = page;

/** Every other answer's headers (JSON, assets, errors): loads nothing, framed by nothing. */
export const RESOURCE_HEADERS: SecurityHeaders = resource;

/**
 * A static value of a response parameter: the value between one pair of single quotes
 * (API Gateway: "a static value enclosed within a pair of single quotes"). API Gateway
 * strips only that outer pair, so the quotes inside a Content-Security-Policy (`'self'`,
 * `'none'`) stay as they are, unescaped: AWS's own solutions ship their CSPs this way
 * (aws-solutions/digital-evidence-archive's UI integration responses; an MIT-0 AWS sample's
 * test reads its value as "only the outer pair comes off"). A backslash before them would
 * reach the browser as part of the policy, where `\'self\'` is no source at all.
 * A line break cannot be a header value; an empty one is no static value.
 */
export function staticValue(value: string): string {
  if (value === "" || /[\r\n]/.test(value)) {
    throw new Error(`a header's static value must be one non-empty line, not ${JSON.stringify(value)}`);
  }
  return `'${value}'`;
}

/** `headers` as one kind of response parameters, each a static value. */
export function staticHeaders(
  prefix: "method.response.header" | "gatewayresponse.header",
  headers: SecurityHeaders,
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [`${prefix}.${name}`, staticValue(value)]));
}
