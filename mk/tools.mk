# Installs what the project needs, idempotently: each step skips what is present.

.PHONY: tools tools-rust tools-machete tools-wasm tools-browser tools-python tools-openssl node-deps
tools: tools-rust tools-machete tools-wasm tools-browser tools-python tools-openssl node-deps

tools-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt

# cargo-machete: `make lint` fails on a dependency that no crate uses.
tools-machete:
	@command -v cargo-machete >/dev/null || { echo "installing cargo-machete"; cargo install cargo-machete; }

tools-wasm: tools-rust
	@if ! wasm-bindgen --version 2>/dev/null | grep -qF "$(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version "=$(WASM_BINDGEN_VERSION)" --force; fi
	@command -v wasm-pack >/dev/null || { echo "installing wasm-pack"; cargo install wasm-pack; }

# Debian's Chromium and ChromeDriver: wasm-pack's browser run and the page's tests.
tools-browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing chromium and chromium-driver"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; fi

# moto[server]: SQS, DynamoDB and SNS on loopback for the AWS wire tests.
# prometheus_client: its strict OpenMetrics parser reads the local stack's /metrics in the
# tests and in make bench (scripts/openmetrics_json.py).
PROMETHEUS_CLIENT_VERSION := 0.26.0
tools-python:
	@$(PYTHON) -c 'import moto.server, flask, flask_cors' 2>/dev/null || { echo "installing moto[server]"; $(PYTHON) -m pip install -q "moto[server]>=5,<6"; }
	@$(PYTHON) -c 'import importlib.metadata as m, sys; sys.exit(m.version("prometheus_client") != "$(PROMETHEUS_CLIENT_VERSION)")' 2>/dev/null || { echo "installing prometheus_client $(PROMETHEUS_CLIENT_VERSION)"; $(PYTHON) -m pip install -q "prometheus_client==$(PROMETHEUS_CLIENT_VERSION)"; }

# Debian's openssl: the CLI's doctor test runs `openssl s_server` offering TLS 1.1 only.
tools-openssl:
	@command -v openssl >/dev/null || { echo "installing openssl"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }

# npm packages of every npm project and of the root (prettier, eslint), from their lock
# files; skipped when up to date.
node-deps: $(addsuffix /node_modules/.package-lock.json,$(NPM_PROJECTS)) node_modules/.package-lock.json

%/node_modules/.package-lock.json: %/package-lock.json
	cd $* && $(NPM_CI)

node_modules/.package-lock.json: package-lock.json
	$(NPM_CI)
