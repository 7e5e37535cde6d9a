//! Routing rules: a declarative document that decides, for every valid message, whether it
//! is stored, notified about, or both. Without a document the original routing applies
//! (`Insert == "DynamoDB"` stores, anything else notifies: [`crate::route`]).
//!
//! ```json
//! {"rules": [
//!   {"name": "overheat",
//!    "when": {"path": "/data/temperature", "op": "gt", "value": 80},
//!    "then": ["store", "notify"],
//!    "severity": "high",
//!    "subject": "Temperature {/data/temperature} at {/data/sensor}"}
//! ],
//!  "otherwise": ["store"]}
//! ```
//!
//! - `when` compares the value at a JSON pointer into the body ([`Op`]), or combines
//!   conditions with `all` / `any` / `not`. A comparison is false when the body has no
//!   value there, or one of another JSON type than the rule's value: `ne` included, so a
//!   rule that cannot see its value never fires (`exists` and `not` say "absent").
//!   Numbers compare exactly, by their decimal text ([`decimal_order`]).
//! - `then`: `store` and/or `notify`; the actions of every rule that fires add up. When
//!   none fires, `otherwise` (default `["store"]`: a message is never dropped silently).
//! - A notification names every rule that fired and its `severity`; its subject is the
//!   `subject` template of the most severe of them that has one ([`subject`]).
//!
//! Read by [`parse_rules`] (every problem, named `rules[i].field`), evaluated by
//! [`Rules::evaluate`]; the caps are in [`crate::contract::rules`].

mod condition;
mod condition_text;
pub mod decimal_order;
mod document;
mod evaluate;
mod pointer;
mod preview;
pub mod subject;

use serde::{Deserialize, Serialize};

pub use document::{parse_rules, parse_rules_bytes, RulesError, RulesErrors};
pub use evaluate::Verdict;
pub use pointer::{Found, Pointer};
pub use preview::{in_force, preview, read_in_force, Preview};
pub use subject::SubjectTemplate;

/// A valid rules document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub rules: Vec<Rule>,
    /// What a message no rule fires for calls for.
    pub otherwise: Actions,
    /// The document as compact JSON: what the Lambda's environment carries, `GET /rules`
    /// answers and the page shows.
    compact: String,
}

impl Rules {
    /// The document as compact JSON (object keys sorted, as serde_json's map keeps them).
    pub fn to_json(&self) -> &str {
        &self.compact
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique in its document; names the rule in notifications, logs and on the page.
    pub name: String,
    pub description: Option<String>,
    pub when: Condition,
    pub then: Actions,
    pub severity: Severity,
    pub subject: Option<SubjectTemplate>,
}

/// A rule's `when`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `{"path": "/data/x", "op": "exists"}`
    Exists(Pointer),
    /// `{"path": "/data/x", "op": "gt", "value": 80}`
    Compare {
        pointer: Pointer,
        op: Op,
        operand: Operand,
    },
    /// `{"all": [...]}`: every condition holds (at least one condition).
    All(Vec<Condition>),
    /// `{"any": [...]}`: at least one holds.
    Any(Vec<Condition>),
    /// `{"not": {...}}`
    Not(Box<Condition>),
}

/// A comparison's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Exists,
    In,
    Prefix,
}

impl Op {
    /// Every operator, in the order error messages list them.
    pub const ALL: [Op; 9] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Exists,
        Op::In,
        Op::Prefix,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Exists => "exists",
            Op::In => "in",
            Op::Prefix => "prefix",
        }
    }

    /// Whether the operator orders numbers (and so takes a number only).
    pub const fn orders(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// The rule's side of a comparison, checked against its operator when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A number's decimal text as written in the document (compared exactly).
    Number(String),
    String(String),
    Bool(bool),
    Null,
    /// `in`: the body's value equals one of these (numbers and strings).
    OneOf(Vec<Operand>),
}

/// `store` and/or `notify`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Actions {
    pub store: bool,
    pub notify: bool,
}

impl Actions {
    pub const STORE: Actions = Actions {
        store: true,
        notify: false,
    };

    /// Both sets' actions.
    pub const fn and(self, other: Actions) -> Actions {
        Actions {
            store: self.store || other.store,
            notify: self.notify || other.notify,
        }
    }

    /// `["store", "notify"]`, `["store"]`, ...
    pub fn names(self) -> Vec<&'static str> {
        [(self.store, "store"), (self.notify, "notify")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect()
    }
}

/// How urgent a rule's notification is; ordered from `info` to `critical`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A rule that fired for a message, as a notification and a log line name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredRule {
    pub name: String,
    pub severity: Severity,
}

#[cfg(test)]
mod tests;
