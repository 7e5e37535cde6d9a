# Benchmarks: figures, not adjectives. Each part prints a table and writes JSON to
# bench/results/ (git-ignored); peers run side by side in the same run because this
# machine is shared and noisy. Not part of `make test`.

.PHONY: bench tools-bench bench-local bench-latency bench-route-latency bench-batch bench-startup bench-core bench-sizes
# wrk (Debian) for closed-loop load: a light C client, so it takes little CPU from the
# server it measures; oha for the open-loop fixed rate, which wrk cannot do.
tools-bench: tools-python
	@command -v oha >/dev/null || { echo "installing oha"; cargo install oha --locked; }
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: bench-local bench-latency bench-route-latency bench-batch bench-startup bench-core bench-sizes ## every benchmark (tables on stdout, JSON in bench/results/)

bench-local: tools-bench ## 1. local stack: no-I/O ceiling, durable POST and moto SQS at the same concurrency; p50/p99 at 1,000 req/s; end-to-end msg/s
	cargo build --release -p private-ingest-local
	cd bench && $(PYTHON) local_throughput.py

bench-latency: tools-bench ## 1b. end-to-end (accepted -> outcome) and accept latency p50/p99 at 1,000 req/s, from the stack's /metrics histograms
	cargo build --release -p private-ingest-local
	cd bench && $(PYTHON) end_to_end_latency.py

bench-route-latency: tools-bench web ## 1c. local stack, one connection per route (the page's static files included): p50, p99
	cargo build --release -p private-ingest-local
	cd bench && $(PYTHON) latency.py

bench-batch: ## 2. batch handler concurrency: 10 messages, 20 ms per store call
	cargo bench -p private-ingest-handler --no-default-features --bench batch_concurrency

bench-startup: tools-python ## 3. Lambda start-up (package profile, native): Rust bootstrap vs Python + boto3, to the first Runtime API request
	cargo build --profile lambda-release -p private-ingest-handler --bin bootstrap
	cd bench && $(PYTHON) startup.py

bench-core: tools-bench ## 4. core cost per message: ns (criterion) and instructions (callgrind)
	cd bench && $(PYTHON) core_cost.py

bench-sizes: wasm web package ## 5. sizes: page and Pulumi .wasm gzipped, arm64 bootstrap.zip, page weight
	cd bench && $(PYTHON) sizes.py
