/**
 * One lint for every TypeScript project (pulumi/, web/, tests/browser/): eslint's and
 * typescript-eslint's recommended rules, on the sources only (not the generated Wasm
 * bindings, builds or dependencies). `make lint` runs it with no warning allowed.
 */

import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: ["**/node_modules/", "**/dist/", "wasm/", "target/", "pulumi/.cloud-lint/", "fuzz/", "bench/"],
  },
  {
    files: ["pulumi/**/*.ts", "web/src/**/*.ts", "web/vite.config.ts", "tests/browser/src/**/*.ts"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // A leading underscore names a value kept on purpose (a destructured key left out
      // of the rest, an unused parameter a signature requires).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
);
