# Test page tier: the page (web/: TypeScript built by Vite into web/dist, with the Wasm
# core) and its browser tests (tests/browser/: playwright-core driving Debian's Chromium
# against the real local stack binary).

.PHONY: web test-browser local-debug-bin

# The page build takes about a second, so it always runs: no stale dist after a change
# anywhere in web/ or in the Wasm package.
web: wasm web/node_modules/.package-lock.json ## build the test page (Wasm included) into web/dist
	cd web && npm run --silent build

# The browser tests start this binary themselves (from $CARGO_TARGET_DIR or target/).
local-debug-bin:
	cargo build -p private-ingest-local

test-browser: tools-browser node-deps web local-debug-bin ## browser tests of the page in Chromium against the real local stack (screenshots in tests/browser/screenshots)
	cd tests/browser && npm test
