/**
 * The security headers as API Gateway static values: what API Gateway takes from between
 * the outer pair of single quotes is the contract's header, the quotes inside included.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { PAGE_HEADERS, RESOURCE_HEADERS, staticHeaders, staticValue } from "../securityHeaders";

/** API Gateway's reading of a static value: the text between the first and the last quote. */
function asApiGatewayReadsIt(mapped: string): string {
  assert.ok(mapped.length >= 2 && mapped.startsWith("'") && mapped.endsWith("'"), `a static value: ${mapped}`);
  return mapped.slice(1, -1);
}

test("each header reaches the browser as the local stack sends it, its inner quotes unescaped", () => {
  const page = staticHeaders("method.response.header", PAGE_HEADERS);
  assert.equal(
    asApiGatewayReadsIt(page["method.response.header.Content-Security-Policy"]!),
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
      "base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors 'none'",
  );
  assert.ok(!page["method.response.header.Content-Security-Policy"]!.includes("\\"), "no backslash reaches the policy");
  const json = staticHeaders("gatewayresponse.header", RESOURCE_HEADERS);
  assert.deepEqual(Object.fromEntries(Object.entries(json).map(([k, v]) => [k, asApiGatewayReadsIt(v)])), {
    "gatewayresponse.header.Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "gatewayresponse.header.X-Content-Type-Options": "nosniff",
    "gatewayresponse.header.Referrer-Policy": "no-referrer",
  });
});

test("a value that cannot be one header line is refused, not sent", () => {
  assert.throws(() => staticValue("a\r\nSet-Cookie: x=1"), /one non-empty line/);
  assert.throws(() => staticValue(""), /one non-empty line/);
});
