# Test page tier (owned by the test-page issue; placeholder until it lands).
.PHONY: web test-browser
web: wasm
	@mkdir -p web/dist
test-browser:
	@echo "test-browser: the test page has not landed yet (test-page issue open)"
