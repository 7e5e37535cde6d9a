# The Lambda's deployment package: the `bootstrap` binary for arm64 (Graviton), zipped,
# cross-compiled by cargo-lambda with Zig as the C compiler and linker (aws-lc-sys has C).
# Not part of `make test`: it is a release build of the AWS SDK, 10+ minutes on 2 cores.

# cargo-lambda writes under the cargo target dir; CI may move that with CARGO_TARGET_DIR.
LAMBDA_DIR := $(or $(CARGO_TARGET_DIR),target)/lambda
LAMBDA_ZIP := $(LAMBDA_DIR)/bootstrap/bootstrap.zip
LAMBDA_TARGET := aarch64-unknown-linux-gnu
# pip puts cargo-lambda in the interpreter's scripts folder, which need not be on PATH.
PY_SCRIPTS = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("scripts"))')

.PHONY: package tools-lambda
package: tools-lambda ## build the Lambda for arm64: target/lambda/bootstrap/bootstrap.zip (release)
	PATH="$(PY_SCRIPTS):$$PATH" cargo lambda build --release --arm64 --output-format zip \
	  -p private-ingest-handler --bin bootstrap --lambda-dir "$(LAMBDA_DIR)"
	@ls -l "$(LAMBDA_ZIP)"

# cargo-lambda and ziglang from PyPI, and the Rust arm64 target; each only when missing.
tools-lambda:
	@PATH="$(PY_SCRIPTS):$$PATH" command -v cargo-lambda >/dev/null || { echo "installing cargo-lambda"; $(PYTHON) -m pip install -q cargo-lambda; }
	@$(PYTHON) -c 'import ziglang' 2>/dev/null || command -v zig >/dev/null || { echo "installing ziglang"; $(PYTHON) -m pip install -q ziglang; }
	@rustup target list --installed | grep -qx $(LAMBDA_TARGET) || rustup target add $(LAMBDA_TARGET)
