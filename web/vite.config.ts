/**
 * Builds the test page into dist/ as static files that work from any base path: the
 * local stack serves them at `/`, the private API serves them from S3 under its stage or
 * base path mapping, so every URL in the output is relative (`base: './'`).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every browser that runs WebAssembly with `instantiateStreaming` handles ES2022.
    target: 'es2022',
    // The polyfill is only for browsers without modulepreload; all current ones have it.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs: the Content-Security-Policy allows only 'self'.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // The Wasm package lives beside web/ (wasm/pkg-web), outside Vite's root.
    fs: { allow: ['..'] },
  },
});
