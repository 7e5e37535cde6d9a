//! Checks, and on request rewrites, the wording snapshots of the shared test vectors:
//! `fixtures/requests.json` (bodies), `fixtures/idempotency-keys.json` (`Idempotency-Key`
//! headers), `fixtures/stack-configs.json` (settings) and `fixtures/request-schema.json`
//! (the API model).
//!
//! Each vector has two expectations, kept apart: `meaning`, written by hand (the route,
//! and each error's path or key and key words), which nothing here ever writes; and
//! `wording`, the exact answer of the native core, which the Wasm exports, the Pulumi
//! program's tests and the local stack are all compared with. core/tests/corpus.rs checks
//! that every wording says what its meaning says, so a snapshot cannot drift into a wrong
//! answer unnoticed.
//!
//! `cargo run -p private-ingest-core --example bless_corpus` (or `-- --check`) lists every
//! answer that changed and exits 1 if any did, writing nothing; `-- --accept` writes them.
//! Review the listed changes, and the meanings, before accepting.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Value};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Accept,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
}

/// One answer that is not what the snapshot says.
#[derive(Debug)]
struct Change {
    file: &'static str,
    case: String,
    recorded: Value,
    now: Value,
}

/// The vectors of `file` with their `wording` recomputed from `input` by `answer`, and
/// every case whose wording changed.
fn recompute(
    file: &'static str,
    input: &str,
    answer: impl Fn(&Value) -> Value,
) -> Result<(Vec<Value>, Vec<Change>)> {
    let mut cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(fixture(file))?)?;
    let mut changes = Vec::new();
    for case in &mut cases {
        let now = answer(&case[input]);
        if case["wording"] != now {
            changes.push(Change {
                file,
                case: case["name"].as_str().unwrap_or("(unnamed)").to_owned(),
                recorded: case["wording"].clone(),
                now: now.clone(),
            });
            case["wording"] = now;
        }
    }
    Ok((cases, changes))
}

fn pretty(value: &impl serde::Serialize) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

fn mode() -> std::result::Result<Mode, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["--check"] => Ok(Mode::Check),
        ["--accept"] => Ok(Mode::Accept),
        other => Err(format!(
            "unknown arguments {other:?}; use --check (the default: list changes, write nothing) or --accept (write them)"
        )),
    }
}

fn run(mode: Mode) -> Result<bool> {
    let (requests, mut changes) = recompute("requests.json", "body", |body| {
        json!(private_ingest_core::validate(
            body.as_str().unwrap_or_default()
        ))
    })?;
    let (keys, key_changes) = recompute("idempotency-keys.json", "key", |key| {
        json!(private_ingest_core::validate_idempotency_key(
            key.as_str().unwrap_or_default()
        ))
    })?;
    changes.extend(key_changes);
    let (configs, config_changes) = recompute("stack-configs.json", "config", |config| {
        let errors = private_ingest_core::validate_stack_config(config);
        json!(errors.iter().map(ToString::to_string).collect::<Vec<_>>())
    })?;
    changes.extend(config_changes);
    let schema = pretty(&private_ingest_core::request_schema())?;
    let schema_path = fixture("request-schema.json");
    let schema_changed = std::fs::read_to_string(&schema_path)? != schema;

    for c in &changes {
        println!(
            "{}: {:?}\n  recorded: {}\n  now:      {}",
            c.file, c.case, c.recorded, c.now
        );
    }
    if schema_changed {
        println!("request-schema.json: the exported schema changed");
    }
    let changed = !changes.is_empty() || schema_changed;
    match (mode, changed) {
        (_, false) => println!("every recorded answer is the core's answer; nothing to write"),
        (Mode::Check, true) => println!(
            "{} answer(s) changed{}; nothing written. Review them (and the hand-written \
             `meaning` of each case), then run with --accept",
            changes.len(),
            if schema_changed {
                " and the schema"
            } else {
                ""
            }
        ),
        (Mode::Accept, true) => {
            std::fs::write(fixture("requests.json"), pretty(&requests)?)?;
            std::fs::write(fixture("idempotency-keys.json"), pretty(&keys)?)?;
            std::fs::write(fixture("stack-configs.json"), pretty(&configs)?)?;
            std::fs::write(&schema_path, schema)?;
            println!(
                "wrote the {} changed answer(s); review the diff",
                changes.len()
            );
        }
    }
    Ok(changed && mode == Mode::Check)
}

fn main() -> ExitCode {
    let mode = match mode() {
        Ok(mode) => mode,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(mode) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bless_corpus: {e}");
            ExitCode::from(2)
        }
    }
}
