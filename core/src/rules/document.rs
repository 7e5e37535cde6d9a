//! Reading a rules document: strict JSON (no duplicate keys), then every problem at once,
//! each named by where it is (`rules[0].when.op: "gte" is not an operator; one of eq, ne,
//! ...`), so a person fixes a file in one go.

use std::fmt;

use serde_json::{Map, Value};

use super::condition::ConditionReader;
use super::subject::SubjectTemplate;
use super::{Actions, Rule, Rules, Severity};
use crate::contract::rules::{
    MAX_DESCRIPTION_CHARS, MAX_RULES, MAX_RULES_DOCUMENT_BYTES, MAX_RULES_JSON_DEPTH,
    MAX_RULES_TEXT_BYTES, MAX_RULE_NAME_CHARS,
};
use crate::contract::MAX_LISTED_ERRORS;
use crate::error::{quote, quote_short, shorten};
use crate::message::json_kind;
use crate::strict_json::{parse_strict, scan, StrictJsonError};

/// Where a problem is (`rules[0].when.op`; `(document)` for the whole document) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub path: String,
    pub reason: String,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Every problem of one rules document (the first [`MAX_LISTED_ERRORS`], then how many
/// more); never empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid routing rules: {}", self.messages().join("; "))]
pub struct RulesErrors {
    listed: Vec<RulesError>,
    omitted: usize,
}

impl RulesErrors {
    pub(crate) fn push(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(RulesError {
                path: path.into(),
                reason: reason.into(),
            });
        } else {
            self.omitted = self.omitted.saturating_add(1);
        }
    }

    pub fn errors(&self) -> &[RulesError] {
        &self.listed
    }

    /// One line per problem, then `(document): … and M more` past the cap.
    pub fn messages(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.listed.iter().map(ToString::to_string).collect();
        if self.omitted > 0 {
            lines.push(format!("{DOCUMENT}: … and {} more", self.omitted));
        }
        lines
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn whole(reason: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(DOCUMENT, reason);
        errors
    }
}

/// The path of a problem with the document as a whole.
const DOCUMENT: &str = "(document)";

const DOCUMENT_FIELDS: [&str; 3] = ["rules", "otherwise", "version"];
const RULE_FIELDS: [&str; 6] = ["name", "description", "when", "then", "severity", "subject"];

/// Reads a rules document as a file holds it (bytes, not yet known to be text), or lists
/// every problem with it: what the local stack's `--rules` and the CLI's `--rules` read.
pub fn parse_rules_bytes(bytes: &[u8]) -> Result<Rules, RulesErrors> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RulesErrors::whole(format!(
            "not UTF-8 (first invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    parse_rules(text)
}

/// Reads a rules document, or lists every problem with it.
pub fn parse_rules(text: &str) -> Result<Rules, RulesErrors> {
    if text.len() > MAX_RULES_TEXT_BYTES {
        return Err(RulesErrors::whole(format!(
            "{} bytes; the limit is {MAX_RULES_TEXT_BYTES} as written and {MAX_RULES_DOCUMENT_BYTES} as compact JSON",
            text.len()
        )));
    }
    if scan(text, MAX_RULES_JSON_DEPTH + 1).depth > MAX_RULES_JSON_DEPTH {
        return Err(RulesErrors::whole(format!(
            "JSON nesting is deeper than {MAX_RULES_JSON_DEPTH} levels"
        )));
    }
    let value = parse_strict(text).map_err(|e| match e {
        StrictJsonError::Syntax(e) => RulesErrors::whole(format!("not valid JSON: {e}")),
        other => {
            let mut errors = RulesErrors::default();
            for e in other.into_errors().errors() {
                errors.push(DOCUMENT, e.to_string());
            }
            errors
        }
    })?;
    let compact = value.to_string();
    if compact.len() > MAX_RULES_DOCUMENT_BYTES {
        return Err(RulesErrors::whole(format!(
            "{} bytes as compact JSON; the limit is {MAX_RULES_DOCUMENT_BYTES} (the Lambda's environment holds 4 KB for all its variables)",
            compact.len()
        )));
    }
    let mut errors = RulesErrors::default();
    let rules = read_document(&value, &mut errors);
    match rules {
        Some((rules, otherwise)) if errors.is_empty() => Ok(Rules {
            rules,
            otherwise,
            compact,
        }),
        _ => Err(errors),
    }
}

fn read_document(value: &Value, errors: &mut RulesErrors) -> Option<(Vec<Rule>, Actions)> {
    let Value::Object(map) = value else {
        errors.push(
            DOCUMENT,
            format!(
                "expected an object with \"rules\", found {}",
                json_kind(value)
            ),
        );
        return None;
    };
    unknown_fields(map, &DOCUMENT_FIELDS, "", errors);
    if let Some(version) = map.get("version") {
        if version.as_u64() != Some(1) {
            errors.push(
                "version",
                format!("{version} is not a version of this document; 1 is"),
            );
        }
    }
    let otherwise = match map.get("otherwise") {
        None => Some(Actions::STORE),
        Some(v) => read_actions(v, "otherwise", errors),
    };
    let list = match map.get("rules") {
        None => {
            errors.push("rules", "is required (an array of rules)");
            return None;
        }
        Some(Value::Array(list)) => list,
        Some(other) => {
            errors.push(
                "rules",
                format!("expected an array of rules, found {}", json_kind(other)),
            );
            return None;
        }
    };
    if list.len() > MAX_RULES {
        errors.push(
            "rules",
            format!("{} rules; the limit is {MAX_RULES}", list.len()),
        );
        return None;
    }
    let mut rules: Vec<Rule> = Vec::with_capacity(list.len());
    let mut names: Vec<Option<String>> = Vec::with_capacity(list.len());
    for (index, rule) in list.iter().enumerate() {
        let path = format!("rules[{index}]");
        let name = rule.get("name").and_then(Value::as_str);
        if let Some(first) = name.and_then(|n| names.iter().position(|m| m.as_deref() == Some(n))) {
            errors.push(
                format!("{path}.name"),
                format!(
                    "{} is already the name of rules[{first}]",
                    quote(name.unwrap_or_default())
                ),
            );
        }
        names.push(name.map(str::to_owned));
        if let Some(rule) = read_rule(rule, &path, errors) {
            rules.push(rule);
        }
    }
    Some((rules, otherwise?))
}

fn read_rule(value: &Value, path: &str, errors: &mut RulesErrors) -> Option<Rule> {
    let Value::Object(map) = value else {
        errors.push(
            path,
            format!("expected a rule (an object), found {}", json_kind(value)),
        );
        return None;
    };
    unknown_fields(map, &RULE_FIELDS, path, errors);
    let field = |name: &str| format!("{path}.{name}");
    let name = match map.get("name") {
        None => {
            errors.push(
                field("name"),
                "is required (a name for notifications and logs)",
            );
            None
        }
        Some(v) => read_name(v, &field("name"), errors),
    };
    let description = map.get("description").and_then(|v| match v.as_str() {
        Some(d) if d.chars().count() <= MAX_DESCRIPTION_CHARS => Some(d.to_owned()),
        Some(d) => {
            let n = d.chars().count();
            errors.push(
                field("description"),
                format!("{n} characters; the limit is {MAX_DESCRIPTION_CHARS}"),
            );
            None
        }
        None => {
            errors.push(
                field("description"),
                format!("expected a string, found {}", json_kind(v)),
            );
            None
        }
    });
    let when = match map.get("when") {
        None => {
            errors.push(field("when"), "is required (a condition)");
            None
        }
        Some(v) => ConditionReader::new(errors).read_rule_condition(v, &field("when")),
    };
    let then = match map.get("then") {
        None => {
            errors.push(
                field("then"),
                "is required ([\"store\"], [\"notify\"] or both)",
            );
            None
        }
        Some(v) => read_actions(v, &field("then"), errors),
    };
    let severity = match map.get("severity") {
        None => Some(Severity::default()),
        Some(v) => read_severity(v, &field("severity"), errors),
    };
    let subject = match (map.get("subject"), then) {
        (None, _) => None,
        (Some(_), Some(then)) if !then.notify => {
            errors.push(
                field("subject"),
                "this rule sends no notification (its then has no \"notify\")",
            );
            None
        }
        (Some(Value::String(s)), _) => SubjectTemplate::parse(s)
            .map_err(|why| errors.push(field("subject"), why))
            .ok(),
        (Some(other), _) => {
            errors.push(
                field("subject"),
                format!("expected a string, found {}", json_kind(other)),
            );
            None
        }
    };
    Some(Rule {
        name: name?,
        description,
        when: when?,
        then: then?,
        severity: severity?,
        subject,
    })
}

fn read_name(value: &Value, path: &str, errors: &mut RulesErrors) -> Option<String> {
    let Some(name) = value.as_str() else {
        errors.push(
            path,
            format!("expected a string, found {}", json_kind(value)),
        );
        return None;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let why = if name.is_empty() {
        Some("must not be empty".to_owned())
    } else if name.chars().count() > MAX_RULE_NAME_CHARS {
        Some(format!(
            "{} characters; the limit is {MAX_RULE_NAME_CHARS}",
            name.chars().count()
        ))
    } else {
        name.chars().find(|&c| !allowed(c)).map(|c| {
            format!(
                "{} has the character {}; a name is letters, digits, \"-\", \"_\" and \".\"",
                quote_short(name, 64),
                quote(&c.to_string())
            )
        })
    };
    match why {
        Some(why) => {
            errors.push(path, why);
            None
        }
        None => Some(name.to_owned()),
    }
}

fn read_actions(value: &Value, path: &str, errors: &mut RulesErrors) -> Option<Actions> {
    let Value::Array(items) = value else {
        errors.push(
            path,
            format!(
                "expected an array of actions (\"store\", \"notify\"), found {}",
                json_kind(value)
            ),
        );
        return None;
    };
    if items.is_empty() {
        errors.push(path, "must name at least one action: \"store\", \"notify\" or both (a message is never dropped)");
        return None;
    }
    let mut actions = Actions::default();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let slot = match item.as_str() {
            Some("store") => &mut actions.store,
            Some("notify") => &mut actions.notify,
            _ => {
                errors.push(
                    format!("{path}[{i}]"),
                    format!("{item} is not an action; one of \"store\", \"notify\""),
                );
                ok = false;
                continue;
            }
        };
        if *slot {
            errors.push(format!("{path}[{i}]"), format!("{item} is listed twice"));
            ok = false;
        }
        *slot = true;
    }
    ok.then_some(actions)
}

fn read_severity(value: &Value, path: &str, errors: &mut RulesErrors) -> Option<Severity> {
    let found = value
        .as_str()
        .and_then(|s| Severity::ALL.into_iter().find(|v| v.as_str() == s));
    if found.is_none() {
        let names: Vec<_> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        errors.push(
            path,
            format!(
                "{} is not a severity; one of {}",
                shown(value),
                names.join(", ")
            ),
        );
    }
    found
}

/// Each key of `map` not in `known`, named with the keys that are.
pub(super) fn unknown_fields(
    map: &Map<String, Value>,
    known: &[&str],
    path: &str,
    errors: &mut RulesErrors,
) {
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        let key = shorten(key.clone(), 64);
        let at = if path.is_empty() {
            key
        } else {
            format!("{path}.{key}")
        };
        errors.push(
            at,
            format!("unknown field; allowed fields are {}", known.join(", ")),
        );
    }
}

/// A value of the document as an error quotes it: its JSON text, cut at 64 bytes.
pub(super) fn shown(value: &Value) -> String {
    shorten(value.to_string(), 64)
}
