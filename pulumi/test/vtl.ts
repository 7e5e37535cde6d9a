/**
 * Enough of API Gateway's mapping-template runtime to run this stack's templates
 * offline: Velocity (velocityjs, the engine serverless-offline uses for the same job)
 * with `$input`, `$util` and `$context` behaving as API Gateway documents them, Java
 * semantics included where the templates rely on them (`URLEncoder`, commons-lang
 * `escapeJavaScript`, `Map.keySet`, `String.replaceAll` with a regex, a null `#set`).
 */

import { Compile, parse } from "velocityjs";

/** What a template sees of one request or integration response. */
export interface TemplateInput {
  /** The raw request body (`$input.body`). */
  readonly body?: string;
  /** The integration's JSON response (`$input.path`, `$input.json`). */
  readonly json?: unknown;
  /** Path and query parameters (`$input.params(name)`). */
  readonly params?: Readonly<Record<string, string>>;
  /** The method request's headers, as the client spelled them (`$input.params().header`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestId?: string;
  readonly vpceId?: string;
}

/** A rendered template and the status it overrode, if any. */
export interface Rendered {
  readonly output: string;
  readonly status?: number;
}

/** A Java string: `replaceAll` takes a regex, as in API Gateway's Java runtime. */
class JavaString {
  constructor(private readonly value: string) {}
  replaceAll(regex: string, replacement: string): JavaString {
    return new JavaString(this.value.replace(new RegExp(regex, "g"), () => replacement));
  }
  indexOf(s: string): number {
    return this.value.indexOf(s);
  }
  toString(): string {
    return this.value;
  }
}

/** JSON values as Java's `Map` and `List` look from VTL: properties plus `keySet()`, `get()`, `containsKey()`. */
function javaView(value: unknown): unknown {
  if (Array.isArray(value)) {
    const list = value.map(javaView);
    Object.defineProperties(list, {
      size: { value: () => list.length },
      get: { value: (i: number) => list[i] },
      isEmpty: { value: () => list.length === 0 },
    });
    return list;
  }
  if (value !== null && typeof value === "object") {
    const map: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) map[k] = javaView(v);
    // The keys are taken now: velocityjs adds an `eval` property to objects it calls methods on.
    const keys = Object.keys(map);
    Object.defineProperties(map, {
      keySet: { value: () => [...keys] },
      get: { value: (k: string) => (keys.includes(k) ? map[k] : undefined) },
      containsKey: { value: (k: string) => keys.includes(k) },
      size: { value: () => keys.length },
      isEmpty: { value: () => keys.length === 0 },
    });
    return map;
  }
  return value;
}

/** The value at a `$.a.b.c` path, or undefined (API Gateway's null, which `#set` ignores). */
function at(json: unknown, path: string): unknown {
  if (path === "$") return json;
  if (!path.startsWith("$.")) throw new Error(`the harness reads only $.a.b paths, not ${path}`);
  let node: unknown = json;
  for (const part of path.slice(2).split(".")) {
    if (node === null || typeof node !== "object" || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** `java.net.URLEncoder.encode(s, "UTF-8")`: what `$util.urlEncode` does. */
export function javaUrlEncode(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** commons-lang `StringEscapeUtils.escapeJavaScript`: what `$util.escapeJavaScript` does. */
export function javaEscapeJavaScript(s: string): string {
  let out = "";
  for (const ch of s.split("")) {
    const code = ch.charCodeAt(0);
    const hex = code.toString(16).toUpperCase();
    if (code > 0x7f) out += `\\u${hex.padStart(4, "0")}`;
    else if (code < 32) {
      const named: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
      out += named[code] ?? `\\u${hex.padStart(4, "0")}`;
    } else if (ch === "'" || ch === '"' || ch === "\\" || ch === "/") out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Renders `template` as API Gateway would for `input`. */
export function render(template: string, input: TemplateInput = {}): Rendered {
  const responseOverride: { status?: number } = {};
  const context = {
    requestId: input.requestId ?? "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    identity: { vpceId: input.vpceId ?? "" },
    responseOverride,
  };
  const $input = {
    body: input.body ?? "",
    path: (p: string) => {
      const v = at(input.json, p);
      return typeof v === "string" ? new JavaString(v) : javaView(v);
    },
    json: (p: string) => {
      const v = at(input.json, p);
      return v === undefined ? "" : JSON.stringify(v);
    },
    // `$input.params()` is the method request's parameters by location; `$input.params(x)`
    // looks x up in the path, the query string, then the headers.
    params: (name?: string) =>
      name === undefined
        ? javaView({ path: input.params ?? {}, querystring: {}, header: input.headers ?? {} })
        : (input.params?.[name] ?? input.headers?.[name] ?? ""),
  };
  const util = {
    urlEncode: (s: unknown) => javaUrlEncode(String(s)),
    escapeJavaScript: (s: unknown) => new JavaString(javaEscapeJavaScript(String(s))),
  };
  const output = new Compile(parse(template)).render({ input: $input, util, context });
  return { output, status: responseOverride.status };
}

/** A gateway response: not VTL, API Gateway only substitutes the `$context` variables named. */
export function substitute(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(/\$context\.[A-Za-z.]+/g, (name) => {
    const value = variables[name];
    if (value === undefined) throw new Error(`the test gave no value for ${name}`);
    return value;
  });
}
