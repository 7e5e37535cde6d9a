# Pulumi tier (owned by the Pulumi issue; placeholder until it lands).
.PHONY: test-pulumi
test-pulumi:
	@echo "test-pulumi: the Pulumi program has not landed yet (Pulumi issue open)"
