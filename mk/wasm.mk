# The core as WebAssembly, for the page (--target web) and Pulumi (--target nodejs).

WASM_SRC := $(wildcard wasm/src/*.rs core/src/*.rs wasm/Cargo.toml core/Cargo.toml)

.PHONY: wasm test-wasm
wasm: wasm/pkg-web/private_ingest_wasm_bg.wasm wasm/pkg-node/private_ingest_wasm_bg.wasm ## build the Wasm module for the page and for Pulumi

wasm/pkg-web/private_ingest_wasm_bg.wasm: $(WASM_SRC) | tools-wasm
	wasm-pack build wasm --release --target web --out-dir pkg-web --no-pack
	@touch $@

wasm/pkg-node/private_ingest_wasm_bg.wasm: $(WASM_SRC) | tools-wasm
	wasm-pack build wasm --release --target nodejs --out-dir pkg-node --no-pack
	@touch $@

# Both runs must really run the tests: the browser run counts them (see scripts/).
test-wasm: tools-wasm tools-browser ## wasm-pack test under Node and headless Chromium
	scripts/wasm-test.sh
