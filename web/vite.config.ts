/**
 * Builds the test page into dist/ as static files that work from any base path: the
 * local stack serves them at `/`, the private API serves them from S3 under its stage or
 * base path mapping, so every URL in the output is relative (`base: './'`).
 *
 * There is no dev server on purpose: it injects inline styles, which the page's CSP
 * refuses. Rebuild (`make web`, about a second) and reload: the local stack reads
 * web/dist at every request.
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
});
