# private-ingest: every command a developer or CI needs. `make dev` and `make test` do all
# set-up on a fresh machine (they install what is missing, and skip what is present).
#
# Each tier keeps its own targets in mk/<tier>.mk; this file wires them together.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# The wasm-bindgen CLI must equal the wasm-bindgen crate pinned in Cargo.toml, or
# wasm-pack tries to download one (there is no network here but the registries).
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)
PYTHON ?= python3
export PYTHON
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
# The npm projects: each has a package-lock.json and a `typecheck` script (tsc --noEmit).
# The root package holds the formatter and linter they all share (make lint, make format).
NPM_PROJECTS := $(patsubst %/package-lock.json,%,$(wildcard pulumi/package-lock.json web/package-lock.json tests/browser/package-lock.json))

include mk/*.mk

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

.PHONY: dev
dev: tools-rust web ## build everything (Wasm and page included) and serve the local stack
	cargo run --release -p private-ingest-local -- --web-dir web/dist

.PHONY: test
test: tools lint test-rust test-wasm test-pulumi test-cloud-lint test-browser test-package ## every test tier (installs what is missing)
	@echo "make test: every tier passed"

.PHONY: lint format
lint: tools-rust tools-machete node-deps ## cargo fmt --check, clippy -D warnings, no unused dependency (cargo machete), tsc --noEmit, prettier --check and eslint on the TypeScript
	cargo fmt --all --check
	cargo machete
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p private-ingest-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings
# The page's Wasm build: without the exports only Pulumi calls (feature `pulumi` off).
	cargo clippy -p private-ingest-wasm --target wasm32-unknown-unknown --no-default-features --lib -- -D warnings
	$(MAKE) typecheck
	npm run --silent lint

format: tools-rust node-deps ## cargo fmt, and prettier on the TypeScript projects (writes)
	cargo fmt --all
	npm run --silent format

.PHONY: test-rust
test-rust: tools-rust tools-python tools-openssl ## cargo test: core, Lambda handler, AWS wire tests (moto), local stack end to end
	cargo test --workspace

.PHONY: typecheck
typecheck: node-deps wasm ## tsc --noEmit in every TypeScript project
	@for p in $(NPM_PROJECTS); do echo "tsc --noEmit in $$p"; (cd $$p && npm run --silent typecheck); done
