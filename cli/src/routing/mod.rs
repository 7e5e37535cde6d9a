//! The routing a message meets (`send`) or a replay of the dead letters would meet (`dlq`):
//! the rules in force on the local stack (`GET /rules`, read once per command), or in the
//! cloud the document given with `--rules FILE` (the stack's `routingRules`: the CLI cannot
//! read the Lambda's `ROUTING_RULES`). Without rules, the routing on `Insert`. What the
//! core's plan does under them: [`verdict`].

pub mod verdict;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use private_ingest_core::contract::rules::MAX_RULES_TEXT_BYTES;
use private_ingest_core::rules::read_in_force;
use private_ingest_core::{parse_rules_bytes, Rules};
use serde_json::{json, Value};

use crate::api::Api;
use crate::failure::Failure;

/// Where the routing came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The local stack's `GET /rules` (a `null` document there: the routing on `Insert`),
    /// with the `--rules` file given beside it, which the stack's own rules overrule.
    LocalStack { ignored_file: Option<PathBuf> },
    /// `--rules FILE` (or `PRIVATE_INGEST_RULES`).
    File(PathBuf),
    /// AWS without `--rules`: the prediction assumes the routing on `Insert`, and says so.
    NotGiven,
}

/// The routing rules the prediction uses, and where they came from.
#[derive(Debug, Clone)]
pub struct Routing {
    pub rules: Option<Rules>,
    pub origin: Origin,
}

impl Routing {
    /// The rules in force on the local stack, as its `GET /rules` answers them.
    /// A `--rules` file given too is not read: `PRIVATE_INGEST_RULES` is also the local
    /// stack's own variable, so it is often set here; the text says it was not used.
    pub async fn of_local_stack(api: &Api, ignored_file: Option<&Path>) -> Result<Self, Failure> {
        let answer = api.get("/rules").await?;
        if answer.status != 200 {
            return Err(Failure::failed(format!(
                "GET /rules on {} answered {}; the route needs the rules in force, so nothing was done (a wrong path in --endpoint: `private-ingest doctor` names it; or a local stack from before routing rules: restart it from this release)",
                api.endpoint(),
                answer.summary()
            )));
        }
        // The JSON keeps each number's text (serde_json's arbitrary_precision, which the
        // core turns on for the whole build), so a 38-digit threshold is read as sent.
        let (rules, _content) = read_in_force(&answer.json.to_string()).map_err(|errors| {
            Failure::failed(format!(
                "GET /rules on {} answered what the core cannot read: {}",
                api.endpoint(),
                errors.messages().join("; ")
            ))
        })?;
        Ok(Self {
            rules,
            origin: Origin::LocalStack {
                ignored_file: ignored_file.map(Path::to_owned),
            },
        })
    }

    /// AWS: the `--rules` file when given, checked by the core; else the routing on `Insert`.
    pub fn of_file(path: Option<&Path>) -> Result<Self, Failure> {
        Ok(match path {
            Some(path) => Self {
                rules: Some(read_rules_file(path)?),
                origin: Origin::File(path.to_owned()),
            },
            None => Self {
                rules: None,
                origin: Origin::NotGiven,
            },
        })
    }

    /// One line for people: which routing the "would" column is by.
    pub fn describe(&self) -> String {
        let names = |rules: &Rules| {
            rules
                .rules
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let line = match (&self.origin, &self.rules) {
            (Origin::NotGiven, _) => "routing: on Insert (no rules given; if the stack sets routingRules, pass the same document with --rules FILE)".into(),
            (Origin::LocalStack { .. }, None) => "routing: on Insert (the local stack has no routing rules)".into(),
            (Origin::LocalStack { .. }, Some(rules)) => {
                format!("routing: the local stack's rules in force ({})", names(rules))
            }
            (Origin::File(path), Some(rules)) => {
                format!("routing: the rules of {} ({})", path.display(), names(rules))
            }
            (Origin::File(path), None) => format!("routing: {} (no rules)", path.display()),
        };
        match &self.origin {
            Origin::LocalStack {
                ignored_file: Some(path),
            } => format!(
                "{line}; --rules {} not used: the stack's own rules decide",
                path.display()
            ),
            _ => line,
        }
    }

    /// `{"by": "rules" | "insert", "from": "local" | "file" | "not_given", "file", "rules"}`.
    pub fn document(&self) -> Value {
        let (from, file) = match &self.origin {
            Origin::LocalStack { .. } => ("local", Value::Null),
            Origin::File(path) => ("file", json!(path.display().to_string())),
            Origin::NotGiven => ("not_given", Value::Null),
        };
        json!({
            "by": if self.rules.is_some() { "rules" } else { "insert" },
            "from": from,
            "file": file,
            "rules": self.rules.as_ref().map(|r| r.rules.iter().map(|r| r.name.clone()).collect::<Vec<_>>()),
        })
    }
}

/// Reads and checks a rules document as the local stack's `--rules` and Pulumi's
/// `routingRules` do. At most one byte past the core's limit is read, so a huge or
/// endless file (a FIFO, `/dev/zero`) is refused, not slurped.
fn read_rules_file(path: &Path) -> Result<Rules, Failure> {
    let shown = path.display();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(MAX_RULES_TEXT_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| Failure::invalid(format!("--rules {shown}: {e}")))?;
    parse_rules_bytes(&bytes).map_err(|errors| {
        let messages = errors.messages();
        Failure::invalid(format!(
            "--rules {shown}: the routing rules are invalid: {}",
            messages.join("; ")
        ))
        .with_details(json!({ "errors": messages }))
        .with_human(
            messages
                .iter()
                .map(|m| format!("  {m}\n"))
                .collect::<String>(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, content).unwrap();
        f
    }

    #[test]
    fn the_iot_fixture_is_read_and_named() {
        let path = private_ingest_testkit::fixtures::rules_file("iot-thresholds.json");
        let routing = Routing::of_file(Some(Path::new(&path))).unwrap();
        assert_eq!(routing.rules.as_ref().unwrap().rules.len(), 3);
        assert!(routing
            .describe()
            .ends_with("(overheat, freezing, low-battery)"));
        assert_eq!(routing.document()["by"], "rules");
        assert_eq!(routing.document()["from"], "file");
    }

    #[test]
    fn without_rules_the_prediction_says_it_is_the_insert_routing() {
        let routing = Routing::of_file(None).unwrap();
        assert!(routing.rules.is_none());
        assert!(routing
            .describe()
            .starts_with("routing: on Insert (no rules given"));
        assert_eq!(routing.document()["by"], "insert");
        assert_eq!(routing.document()["from"], "not_given");
    }

    #[test]
    fn a_bad_file_is_a_usage_error_with_the_cores_errors_naming_rules() {
        let bad =
            file(br#"{"rules":[{"name":"a","when":{"path":"/data/t","op":"gte","value":1}}]}"#);
        let failure = Routing::of_file(Some(bad.path())).unwrap_err();
        assert_eq!(failure.exit.code(), 2);
        assert!(failure.reason.starts_with("--rules "), "{}", failure.reason);
        assert!(
            failure.reason.contains(
                "rules[0].when.op: \"gte\" is not an operator; one of eq, ne, lt, le, gt, ge, exists, in, prefix (did you mean \"ge\"?); rules[0].then: is required"
            ),
            "{}",
            failure.reason
        );
        let missing = Routing::of_file(Some(Path::new("/nonexistent/rules.json"))).unwrap_err();
        assert_eq!(missing.exit.code(), 2);
        assert!(missing
            .reason
            .starts_with("--rules /nonexistent/rules.json: "));
        let huge = file(&vec![b' '; MAX_RULES_TEXT_BYTES + 10]);
        let failure = Routing::of_file(Some(huge.path())).unwrap_err();
        assert!(
            failure.reason.contains("the limit is 65536"),
            "{}",
            failure.reason
        );
    }
}
