# Benchmarks: figures, not adjectives. Each part prints a table and writes JSON to
# bench/results/ (git-ignored); peers run side by side in the same run because this
# machine is shared and noisy. Not part of `make test`.

.PHONY: bench tools-bench bench-local bench-latency bench-batch bench-startup bench-core bench-sizes
tools-bench: tools-python
	@command -v oha >/dev/null || { echo "installing oha"; cargo install oha --locked; }
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }

bench: bench-local bench-latency bench-batch bench-startup bench-core bench-sizes ## every benchmark (tables on stdout, JSON in bench/results/)

bench-local: tools-bench ## 1. local stack vs moto SQS: accepted req/s, p50/p99 at 1,000 req/s, end-to-end msg/s
	cargo build --release -p private-ingest-local
	cd bench && $(PYTHON) local_throughput.py

bench-latency: tools-bench ## 1b. end-to-end (accepted -> outcome) and accept latency p50/p99 at 1,000 req/s, from the stack's /metrics histograms
	cargo build --release -p private-ingest-local
	cd bench && $(PYTHON) end_to_end_latency.py

bench-batch: ## 2. batch handler concurrency: 10 messages, 20 ms per store call
	cargo bench -p private-ingest-handler --no-default-features --bench batch_concurrency

bench-startup: tools-python ## 3. Lambda start-up: Rust bootstrap vs Python + boto3, to the first Runtime API request
	cargo build --release -p private-ingest-handler --bin bootstrap
	cd bench && $(PYTHON) startup.py

bench-core: tools-bench ## 4. core cost per message: ns (criterion) and instructions (callgrind)
	cd bench && $(PYTHON) core_cost.py

bench-sizes: wasm web ## 5. sizes: .wasm gzipped, arm64 bootstrap.zip (after make package), page weight
	cd bench && $(PYTHON) sizes.py
