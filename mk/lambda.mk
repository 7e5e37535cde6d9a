# The Lambda's deployment package: the `bootstrap` binary for arm64 (Graviton2), zipped,
# cross-compiled by cargo-lambda with Zig as the C compiler and linker (aws-lc-sys has C),
# with the `lambda-release` profile (Cargo.toml says why each setting). And the package
# tier, which runs that very zip's binary under qemu as a Graviton2.

# cargo-lambda writes under the cargo target dir; CI may move that with CARGO_TARGET_DIR.
LAMBDA_DIR := $(or $(CARGO_TARGET_DIR),target)/lambda
LAMBDA_ZIP := $(LAMBDA_DIR)/bootstrap/bootstrap.zip
LAMBDA_TARGET := aarch64-unknown-linux-gnu
LAMBDA_PROFILE := lambda-release
# Lambda's arm64 functions run on Graviton2 (Arm Neoverse N1). cargo-lambda passes this
# only with --release; a named profile gets none of its defaults, so it is passed here.
LAMBDA_TARGET_CPU := neoverse-n1
# pip puts cargo-lambda in the interpreter's scripts folder, which need not be on PATH.
PY_SCRIPTS = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("scripts"))')

# The package's binary as Lambda would run it: Debian's arm64 glibc as the system root
# (provided.al2023 has glibc 2.34; the tier also checks the binary asks for no newer).
PACKAGE_RUN_DIR := $(LAMBDA_DIR)/package-run
QEMU_AARCH64 := qemu-aarch64-static -L /usr/aarch64-linux-gnu -cpu $(LAMBDA_TARGET_CPU)

.PHONY: package test-package tools-lambda tools-package
package: tools-lambda ## build the Lambda for arm64: $CARGO_TARGET_DIR/lambda/bootstrap/bootstrap.zip
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-cpu=$(LAMBDA_TARGET_CPU)" \
	PATH="$(PY_SCRIPTS):$$PATH" cargo lambda build --profile $(LAMBDA_PROFILE) --arm64 --output-format zip \
	  -p private-ingest-handler --bin bootstrap --lambda-dir "$(LAMBDA_DIR)"
	@ls -l "$(LAMBDA_ZIP)"

test-package: package tools-package tools-python ## run the arm64 package's bootstrap under qemu (Graviton2) against a Runtime API and moto
	rm -rf "$(PACKAGE_RUN_DIR)"
	$(PYTHON) scripts/unpack-lambda-package.py "$(LAMBDA_ZIP)" "$(PACKAGE_RUN_DIR)"
	BOOTSTRAP_BIN="$(PACKAGE_RUN_DIR)/bootstrap" BOOTSTRAP_RUNNER="$(QEMU_AARCH64)" \
	  cargo test -p private-ingest-handler --test bootstrap_runtime -- --include-ignored

# cargo-lambda and ziglang from PyPI, and the Rust arm64 target; each only when missing.
tools-lambda:
	@PATH="$(PY_SCRIPTS):$$PATH" command -v cargo-lambda >/dev/null || { echo "installing cargo-lambda"; $(PYTHON) -m pip install -q cargo-lambda; }
	@$(PYTHON) -c 'import ziglang' 2>/dev/null || command -v zig >/dev/null || { echo "installing ziglang"; $(PYTHON) -m pip install -q ziglang; }
	@rustup target list --installed | grep -qx $(LAMBDA_TARGET) || rustup target add $(LAMBDA_TARGET)

# Debian's qemu-user-static (qemu-aarch64-static) and the arm64 glibc it loads the binary
# with; binutils' readelf comes with gcc.
tools-package:
	@if ! command -v qemu-aarch64-static >/dev/null || [ ! -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]; then \
	  echo "installing qemu-user-static and libc6-arm64-cross"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6-arm64-cross >/dev/null; fi
