/**
 * The test page's build (`web/dist`, made by `make web`) as the objects the stack uploads.
 *
 * Every object is stored base64-encoded and served through an S3 integration whose
 * 200 response has `contentHandling: CONVERT_TO_BINARY`. With no `binaryMediaTypes` on
 * the API, API Gateway then base64-decodes every page response whatever the browser's
 * `Accept` header, so HTML, JavaScript and the `.wasm` module all arrive byte for byte,
 * and `POST /send-message` keeps its plain-text JSON body (a binary media type matching
 * every type would turn every JSON request into binary).
 */

import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** One file of the page. */
export interface WebAsset {
  /** Object key and URL path below the API's root, with `/` separators. */
  readonly key: string;
  readonly contentType: string;
  /** The file's bytes, base64-encoded (what S3 stores, see the module header). */
  readonly base64: string;
  /** SHA-256 of the file, hex: part of the deployment's fingerprint. */
  readonly sha256: string;
}

/** Media types by extension; `charset` on text so the browser never guesses. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  // `application/wasm` lets the browser compile the module while it streams in.
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? "application/octet-stream";
}

/** The page's files under `dir`, sorted by key; none when the page has not been built. */
export function readWebAssets(dir: string): WebAsset[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
  return files
    .map((file) => {
      const bytes = fs.readFileSync(file);
      return {
        key: path.relative(dir, file).split(path.sep).join("/"),
        contentType: contentTypeOf(file),
        base64: bytes.toString("base64"),
        sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
      };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
