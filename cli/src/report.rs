//! What a command prints: text for people by default, one JSON document with `--json`.
//!
//! Every JSON document has `version` (of this shape; it only grows within a version),
//! `command`, `ok`, `exit_code`, `error` (the one-line reason, `null` when ok), then the
//! command's own fields (README.md, "The operator CLI", lists them per command).

use std::io::Write as _;

use serde_json::{json, Map, Value};

use crate::failure::{Exit, Failure};

/// Version of the JSON documents' shape.
pub const JSON_VERSION: u32 = 1;

/// A finished command: how it ends, its text for people and its JSON fields.
#[derive(Debug)]
pub struct Report {
    pub command: &'static str,
    pub exit: Exit,
    pub reason: Option<String>,
    pub human: String,
    pub fields: Map<String, Value>,
}

impl Report {
    /// A command that did what it was asked.
    pub fn done(command: &'static str, human: String, fields: Value) -> Self {
        Self {
            command,
            exit: Exit::Done,
            reason: None,
            human,
            fields: into_map(fields),
        }
    }

    /// A command that finished its work and found a failure to report (doctor's FAIL,
    /// a dead-lettered message): text and fields as for success, plus the reason.
    pub fn finished_with(
        command: &'static str,
        exit: Exit,
        reason: String,
        human: String,
        fields: Value,
    ) -> Self {
        Self {
            command,
            exit,
            reason: Some(reason),
            human,
            fields: into_map(fields),
        }
    }

    /// A command that stopped on `failure`.
    pub fn failed(command: &'static str, failure: Failure) -> Self {
        Self {
            command,
            exit: failure.exit,
            reason: Some(failure.reason),
            human: failure.human.unwrap_or_default(),
            fields: failure.details.map(into_map).unwrap_or_default(),
        }
    }

    /// The JSON document.
    pub fn document(&self) -> Value {
        let mut document = Map::new();
        document.insert("version".into(), json!(JSON_VERSION));
        document.insert("command".into(), json!(self.command));
        document.insert("ok".into(), json!(self.exit == Exit::Done));
        document.insert("exit_code".into(), json!(self.exit.code()));
        document.insert("error".into(), json!(self.reason));
        for (key, value) in &self.fields {
            document.insert(key.clone(), value.clone());
        }
        Value::Object(document)
    }

    /// Prints to stdout (text or JSON) and the reason, if any, on stderr.
    pub fn print(&self, as_json: bool) {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (`| head`) is not worth a panic.
        if as_json {
            let _ = writeln!(stdout, "{}", self.document());
        } else if !self.human.is_empty() {
            let _ = write!(stdout, "{}", self.human);
            if !self.human.ends_with('\n') {
                let _ = writeln!(stdout);
            }
        }
        let _ = stdout.flush();
        if let Some(reason) = &self.reason {
            eprintln!("private-ingest: {reason}");
        }
    }
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => Map::from_iter([("result".to_owned(), other)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_starts_with_the_same_fields() {
        let ok = Report::done("get", "x".into(), json!({"record": {"id": "a"}})).document();
        assert_eq!(
            ok,
            json!({"version": 1, "command": "get", "ok": true, "exit_code": 0, "error": null,
                   "record": {"id": "a"}})
        );
        let failed = Report::failed(
            "get",
            Failure::new(Exit::NotFound, "no record").with_details(json!({"id": "a"})),
        )
        .document();
        assert_eq!(
            failed,
            json!({"version": 1, "command": "get", "ok": false, "exit_code": 3,
                   "error": "no record", "id": "a"})
        );
    }
}
