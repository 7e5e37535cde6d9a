//! Reading one rule's `when`: a comparison (`path`, `op`, `value`) or a combination
//! (`all`, `any`, `not`), each checked against its operator, within the caps on depth
//! and size.

use serde_json::{Map, Value};

use super::document::{shown, unknown_fields, RulesErrors};
use super::{Condition, Op, Operand, Pointer};
use crate::contract::rules::{MAX_CONDITIONS_PER_RULE, MAX_CONDITION_DEPTH, MAX_IN_VALUES};
use crate::message::json_kind;

const COMPARISON_FIELDS: [&str; 3] = ["path", "op", "value"];
const COMBINATIONS: [&str; 3] = ["all", "any", "not"];

/// What people write for an operator, and the one they mean.
const OPERATOR_HINTS: [(&str, Op); 14] = [
    ("gte", Op::Ge),
    ("lte", Op::Le),
    ("neq", Op::Ne),
    ("equals", Op::Eq),
    ("=", Op::Eq),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<", Op::Lt),
    ("<=", Op::Le),
    (">", Op::Gt),
    (">=", Op::Ge),
    ("exist", Op::Exists),
    ("startswith", Op::Prefix),
    ("starts_with", Op::Prefix),
];

/// Reads the conditions of one rule, counting them against the caps.
pub(super) struct ConditionReader<'e> {
    errors: &'e mut RulesErrors,
    count: usize,
    over_cap: bool,
}

impl<'e> ConditionReader<'e> {
    pub(super) fn new(errors: &'e mut RulesErrors) -> Self {
        Self {
            errors,
            count: 0,
            over_cap: false,
        }
    }

    pub(super) fn read_rule_condition(mut self, value: &Value, path: &str) -> Option<Condition> {
        self.read(value, path, 1)
    }

    fn read(&mut self, value: &Value, path: &str, depth: usize) -> Option<Condition> {
        self.count += 1;
        if self.count > MAX_CONDITIONS_PER_RULE {
            if !self.over_cap {
                self.over_cap = true;
                self.errors.push(
                    path,
                    format!("more than {MAX_CONDITIONS_PER_RULE} conditions in one rule; the limit is {MAX_CONDITIONS_PER_RULE}"),
                );
            }
            return None;
        }
        let Value::Object(map) = value else {
            self.errors.push(
                path,
                format!(
                    "expected a condition (an object), found {}",
                    json_kind(value)
                ),
            );
            return None;
        };
        let combination: Vec<&str> = COMBINATIONS
            .into_iter()
            .filter(|k| map.contains_key(*k))
            .collect();
        match combination.as_slice() {
            [] => self.read_comparison(map, path),
            [key] if map.len() == 1 => {
                if depth >= MAX_CONDITION_DEPTH {
                    self.errors.push(
                        path,
                        format!("conditions nest deeper than {MAX_CONDITION_DEPTH} levels"),
                    );
                    return None;
                }
                self.read_combination(key, &map[*key], &format!("{path}.{key}"), depth)
            }
            _ => {
                self.errors.push(
                    path,
                    format!(
                        "a condition is one of: a comparison (path, op, value), {{\"all\": [...]}}, {{\"any\": [...]}} or {{\"not\": {{...}}}}; this one has {}",
                        map.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                    ),
                );
                None
            }
        }
    }

    fn read_combination(
        &mut self,
        key: &str,
        value: &Value,
        path: &str,
        depth: usize,
    ) -> Option<Condition> {
        if key == "not" {
            return self
                .read(value, path, depth + 1)
                .map(|c| Condition::Not(Box::new(c)));
        }
        let Value::Array(items) = value else {
            self.errors.push(
                path,
                format!(
                    "expected an array of conditions, found {}",
                    json_kind(value)
                ),
            );
            return None;
        };
        if items.is_empty() {
            self.errors.push(path, "needs at least one condition");
            return None;
        }
        let read: Vec<Option<Condition>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.read(item, &format!("{path}[{i}]"), depth + 1))
            .collect();
        let all: Vec<Condition> = read.into_iter().collect::<Option<_>>()?;
        Some(if key == "all" {
            Condition::All(all)
        } else {
            Condition::Any(all)
        })
    }

    fn read_comparison(&mut self, map: &Map<String, Value>, path: &str) -> Option<Condition> {
        unknown_fields(map, &COMPARISON_FIELDS, path, self.errors);
        let pointer = match map.get("path") {
            None => {
                self.errors.push(
                    format!("{path}.path"),
                    "is required (a JSON pointer into the body, \"/data/temperature\")",
                );
                None
            }
            Some(Value::String(text)) => Pointer::parse(text)
                .map_err(|why| self.errors.push(format!("{path}.path"), why))
                .ok(),
            Some(other) => {
                self.errors.push(
                    format!("{path}.path"),
                    format!(
                        "expected a string (a JSON pointer), found {}",
                        json_kind(other)
                    ),
                );
                None
            }
        };
        let op = self.read_op(map.get("op"), &format!("{path}.op"))?;
        let operand = self.read_operand(op, map.get("value"), &format!("{path}.value"));
        let pointer = pointer?;
        match (op, operand) {
            (Op::Exists, _) => Some(Condition::Exists(pointer)),
            (op, Some(Some(operand))) => Some(Condition::Compare {
                pointer,
                op,
                operand,
            }),
            _ => None,
        }
    }

    fn read_op(&mut self, value: Option<&Value>, path: &str) -> Option<Op> {
        let names = || {
            Op::ALL
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(value) = value else {
            self.errors
                .push(path, format!("is required; one of {}", names()));
            return None;
        };
        let text = value.as_str();
        if let Some(op) = Op::ALL.into_iter().find(|o| Some(o.as_str()) == text) {
            return Some(op);
        }
        let hint = text
            .and_then(|t| {
                let lower = t.to_ascii_lowercase();
                OPERATOR_HINTS
                    .iter()
                    .find(|(alias, _)| *alias == lower)
                    .map(|(_, op)| *op)
                    .or_else(|| Op::ALL.into_iter().find(|o| o.as_str() == lower))
            })
            .map(|op| format!(" (did you mean \"{}\"?)", op.as_str()))
            .unwrap_or_default();
        self.errors.push(
            path,
            format!(
                "{} is not an operator; one of {}{hint}",
                shown(value),
                names()
            ),
        );
        None
    }

    /// The operand `op` takes: `Some(None)` for `exists` (which takes none), `None` when
    /// it is missing or of the wrong kind (with the error pushed).
    fn read_operand(
        &mut self,
        op: Op,
        value: Option<&Value>,
        path: &str,
    ) -> Option<Option<Operand>> {
        let name = op.as_str();
        let Some(value) = value else {
            if op == Op::Exists {
                return Some(None);
            }
            self.errors
                .push(path, format!("is required for \"{name}\""));
            return None;
        };
        let wrong = |what: &str| {
            format!(
                "\"{name}\" compares {what}; found {}{}",
                json_kind(value),
                if op.orders() && value.is_string() {
                    " (strings compare with eq, ne, in and prefix)"
                } else {
                    ""
                }
            )
        };
        let operand = match (op, value) {
            (Op::Exists, _) => {
                self.errors.push(
                    path,
                    "\"exists\" takes no value; leave it out (and use {\"not\": ...} for absence)",
                );
                return None;
            }
            (Op::Lt | Op::Le | Op::Gt | Op::Ge, Value::Number(n)) => Operand::Number(n.to_string()),
            (Op::Lt | Op::Le | Op::Gt | Op::Ge, _) => {
                self.errors.push(path, wrong("numbers"));
                return None;
            }
            (Op::Prefix, Value::String(s)) => Operand::String(s.clone()),
            (Op::Prefix, _) => {
                self.errors.push(path, wrong("strings"));
                return None;
            }
            (Op::Eq | Op::Ne, v) => match scalar(v) {
                Some(operand) => operand,
                None => {
                    self.errors
                        .push(path, wrong("a string, a number, true, false or null"));
                    return None;
                }
            },
            (Op::In, Value::Array(items)) if !items.is_empty() && items.len() <= MAX_IN_VALUES => {
                let mut all = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match scalar(item) {
                        Some(operand) => all.push(operand),
                        None => self.errors.push(
                            format!("{path}[{i}]"),
                            format!(
                                "expected a string, a number, true, false or null, found {}",
                                json_kind(item)
                            ),
                        ),
                    }
                }
                if all.len() != items.len() {
                    return None;
                }
                Operand::OneOf(all)
            }
            (Op::In, Value::Array(items)) => {
                self.errors.push(
                    path,
                    format!("{} values; \"in\" takes 1 to {MAX_IN_VALUES}", items.len()),
                );
                return None;
            }
            (Op::In, _) => {
                self.errors.push(path, wrong("with an array of values"));
                return None;
            }
        };
        Some(Some(operand))
    }
}

fn scalar(value: &Value) -> Option<Operand> {
    Some(match value {
        Value::Number(n) => Operand::Number(n.to_string()),
        Value::String(s) => Operand::String(s.clone()),
        Value::Bool(b) => Operand::Bool(*b),
        Value::Null => Operand::Null,
        Value::Array(_) | Value::Object(_) => return None,
    })
}
