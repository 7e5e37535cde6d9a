# The core as WebAssembly, for the page (--target web) and Pulumi (--target nodejs).
# Built with cargo + the pinned wasm-bindgen CLI directly (not `wasm-pack build`) so the
# size-tuned `wasm-release` profile applies and no wasm-opt download is attempted.
# Two builds of the one crate: the page's leaves out the exports only Pulumi calls
# (feature `pulumi`, on by default), since every byte of it is downloaded by a browser.

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
WASM_ARTIFACT := $(TARGET_DIR)/wasm32-unknown-unknown/wasm-release/private_ingest_wasm.wasm
WASM_SRC := $(shell find wasm/src core/src -name '*.rs') wasm/Cargo.toml core/Cargo.toml Cargo.toml Cargo.lock
WASM_BUILD := cargo build -p private-ingest-wasm --target wasm32-unknown-unknown --profile wasm-release
WASM_BINDGEN_FLAGS := --remove-name-section --remove-producers-section

.PHONY: wasm test-wasm
wasm: wasm/pkg-web/private_ingest_wasm_bg.wasm wasm/pkg-node/private_ingest_wasm_bg.wasm ## build the Wasm module for the page and for Pulumi

# Each build overwrites the one cargo artifact, so each rule binds its own right away.
wasm/pkg-web/private_ingest_wasm_bg.wasm: $(WASM_SRC) | tools-wasm
	$(WASM_BUILD) --no-default-features
	wasm-bindgen --target web $(WASM_BINDGEN_FLAGS) --out-dir wasm/pkg-web $(WASM_ARTIFACT)
	@echo "wasm (web): $$(wc -c < $@) bytes, $$(gzip -9c $@ | wc -c) bytes gzipped"

# Order-only on the page's build: the two rules share that artifact, so `make -j` must not
# run them at once.
wasm/pkg-node/private_ingest_wasm_bg.wasm: $(WASM_SRC) | tools-wasm wasm/pkg-web/private_ingest_wasm_bg.wasm
	$(WASM_BUILD)
	wasm-bindgen --target nodejs $(WASM_BINDGEN_FLAGS) --out-dir wasm/pkg-node $(WASM_ARTIFACT)

# Both runs must really run the tests: the script fails on a run of zero tests.
test-wasm: tools-wasm tools-browser ## wasm-pack test under Node and headless Chromium
	scripts/wasm-test.sh
