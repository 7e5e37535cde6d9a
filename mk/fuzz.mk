# Fuzzing the core parser (cargo fuzz + libFuzzer). cargo fuzz needs nightly flags; the
# stable toolchain accepts them with RUSTC_BOOTSTRAP=1, which is confined to this target.
# Seeds come from the shared request vectors; a crash lands in fuzz/artifacts/ and, once
# fixed, is copied to fuzz/regressions/ where core/tests/fuzz_regressions.rs replays it.

FUZZ_SECONDS ?= 120

.PHONY: fuzz tools-fuzz
tools-fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "installing cargo-fuzz"; cargo install cargo-fuzz; }

fuzz: tools-fuzz ## fuzz the core parser for FUZZ_SECONDS (default 120)
	@mkdir -p fuzz/corpus/parse_message
	@$(PYTHON) -c 'import json,sys; [open(f"fuzz/corpus/parse_message/seed{i:03d}","w").write(c["body"]) for i,c in enumerate(json.load(open("fixtures/requests.json")))]'
	@cp fuzz/regressions/parse_message/* fuzz/corpus/parse_message/
	RUSTC_BOOTSTRAP=1 cargo fuzz run parse_message fuzz/corpus/parse_message -- -max_total_time=$(FUZZ_SECONDS) -max_len=4096
