# Cloud lint tier: the Pulumi program rendered as CloudFormation and checked by what AWS
# and a security scanner accept (pulumi/tools/cloud-lint/run.ts): cfn-lint's resource
# schemas, checkov's CloudFormation checks, parliament over every policy document.
# The three linters are pinned and live in their own virtualenv (checkov pins many
# libraries moto also uses), installed once and skipped while the pinned versions are there.

CFN_LINT_VERSION := 1.58.0
CHECKOV_VERSION := 3.3.30
PARLIAMENT_VERSION := 1.6.4
CLOUD_LINT_VENV ?= $(HOME)/.cache/private-ingest/cloud-lint
CLOUD_LINT_BIN := $(CLOUD_LINT_VENV)/bin

.PHONY: tools-cloud-lint test-cloud-lint
tools-cloud-lint:
	@if ! { $(CLOUD_LINT_BIN)/pip freeze 2>/dev/null | grep -qx 'cfn-lint==$(CFN_LINT_VERSION)' \
	     && $(CLOUD_LINT_BIN)/pip freeze 2>/dev/null | grep -qx 'checkov==$(CHECKOV_VERSION)' \
	     && $(CLOUD_LINT_BIN)/pip freeze 2>/dev/null | grep -qx 'parliament==$(PARLIAMENT_VERSION)'; }; then \
	  echo "installing cfn-lint $(CFN_LINT_VERSION), checkov $(CHECKOV_VERSION), parliament $(PARLIAMENT_VERSION) into $(CLOUD_LINT_VENV)"; \
	  $(PYTHON) -m venv $(CLOUD_LINT_VENV) && \
	  $(CLOUD_LINT_BIN)/pip install -q "cfn-lint==$(CFN_LINT_VERSION)" "checkov==$(CHECKOV_VERSION)" "parliament==$(PARLIAMENT_VERSION)"; fi

test-cloud-lint: tools-cloud-lint node-deps wasm ## the Pulumi program as CloudFormation: cfn-lint, checkov, parliament (both sample and opt-in settings)
	cd pulumi && CLOUD_LINT_BIN=$(CLOUD_LINT_BIN) node --import tsx tools/cloud-lint/run.ts
