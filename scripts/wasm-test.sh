#!/usr/bin/env bash
# Runs the Wasm parity tests under Node and under headless Debian Chromium, and fails
# unless each run really ran tests: without WASM_BINDGEN_USE_BROWSER=1 the browser run
# would pass with zero tests on files that lack `run_in_browser`.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
  local label=$1; shift
  local log; log=$(mktemp)
  echo "wasm-pack test ($label)"
  if ! (cd wasm && "$@") 2>&1 | tee "$log"; then
    echo "wasm-pack test ($label) failed" >&2; rm -f "$log"; exit 1
  fi
  # The first result line is the integration tests'; doc-tests follow with 0.
  local passed
  passed=$(grep -m1 -oE 'test result: ok\. [0-9]+ passed' "$log" | grep -oE '[0-9]+' || echo 0)
  rm -f "$log"
  if [ "$passed" -lt 1 ]; then
    echo "wasm-pack test ($label) ran no test" >&2; exit 1
  fi
  echo "wasm-pack test ($label): $passed passed"
}

run node wasm-pack test --node
chromedriver=$(command -v chromedriver)
WASM_BINDGEN_USE_BROWSER=1 run chromium wasm-pack test --headless --chrome --chromedriver "$chromedriver"
