//! Regenerates the expected answers of the shared test vectors from the native core:
//! `fixtures/requests.json` (bodies), `fixtures/idempotency-keys.json` (`Idempotency-Key`
//! headers), `fixtures/stack-configs.json` (settings) and `fixtures/request-schema.json`
//! (the API model).
//!
//! They are the contract's shared vectors: native core (core/tests/corpus.rs), the Wasm
//! exports (wasm/tests/parity.rs) and the Pulumi program's tests are all checked against
//! them. After changing the contract on purpose, run
//! `cargo run -p private-ingest-core --example bless_corpus` and review the diff.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
}

fn bless(name: &str, input: &str, answer: impl Fn(&Value) -> Value) -> Result<()> {
    let path = fixture(name);
    let mut cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    for case in &mut cases {
        case["expected"] = answer(&case[input]);
    }
    std::fs::write(&path, serde_json::to_string_pretty(&cases)? + "\n")?;
    println!("wrote {} cases to {}", cases.len(), path.display());
    Ok(())
}

fn main() -> Result<()> {
    bless("requests.json", "body", |body| {
        json!(private_ingest_core::validate(
            body.as_str().unwrap_or_default()
        ))
    })?;
    bless("idempotency-keys.json", "key", |key| {
        json!(private_ingest_core::validate_idempotency_key(
            key.as_str().unwrap_or_default()
        ))
    })?;
    bless("stack-configs.json", "config", |config| {
        let errors = private_ingest_core::validate_stack_config(config);
        json!(errors.iter().map(ToString::to_string).collect::<Vec<_>>())
    })?;
    let schema = serde_json::to_string_pretty(&private_ingest_core::request_schema())?;
    std::fs::write(fixture("request-schema.json"), schema + "\n")?;
    Ok(())
}
