#!/usr/bin/env bash
# Runs the Wasm parity tests under Node and under headless Debian Chromium, and fails
# unless each run really ran tests: without WASM_BINDGEN_USE_BROWSER=1 the browser run
# would pass with zero tests on files that lack `run_in_browser`.
set -euo pipefail
cd "$(dirname "$0")/../wasm"

run() {
  local label=$1; shift
  local log; log=$(mktemp)
  echo "wasm-pack test ($label)"
  if ! "$@" 2>&1 | tee "$log"; then
    echo "wasm-pack test ($label) failed" >&2; rm -f "$log"; exit 1
  fi
  # One result line per test binary (wasm/tests/*.rs), then doc-tests with 0: every
  # test file must have run at least one test, so a file the runner skipped fails here.
  local files binaries passed
  files=$(ls tests/*.rs 2>/dev/null | wc -l)
  binaries=$(grep -oE 'test result: ok\. [1-9][0-9]* passed' "$log" | wc -l || true)
  passed=$(grep -oE 'test result: ok\. [0-9]+ passed' "$log" | awk '{sum += $4} END {print sum + 0}')
  rm -f "$log"
  if [ "$binaries" -lt "$files" ]; then
    echo "wasm-pack test ($label): $binaries of the $files test files in wasm/tests ran a test" >&2; exit 1
  fi
  echo "wasm-pack test ($label): $passed passed in $binaries test files"
}

run node wasm-pack test --node
chromedriver=$(command -v chromedriver)
WASM_BINDGEN_USE_BROWSER=1 run chromium wasm-pack test --headless --chrome --chromedriver "$chromedriver"
