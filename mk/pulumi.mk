# Pulumi tier: the stack's program in pulumi/, tested under mocks (no CLI, no AWS account).

.PHONY: test-pulumi preview-offline
test-pulumi: node-deps wasm ## Pulumi mock tests: policies, config validation, mapping templates, offline preview
	cd pulumi && npm test

preview-offline: node-deps wasm ## print what `pulumi up` would create, from pulumi/sample-config.json, without AWS
	cd pulumi && npm run --silent preview:offline
