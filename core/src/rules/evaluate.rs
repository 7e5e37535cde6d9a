//! Evaluating rules against a valid message: which rules fire, and what they call for.
//! Pure and bounded: at most `MAX_RULES` x `MAX_CONDITIONS_PER_RULE` comparisons, each a
//! pointer walk of at most `MAX_DEPTH` steps.

use std::cmp::Ordering;

use serde_json::Value;

use super::decimal_order::compare;
use super::pointer::Found;
use super::{Actions, Condition, FiredRule, Op, Operand, Rule, Rules};
use crate::message::Message;
use crate::notification::NotificationContent;

/// What the rules decide for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict<'r> {
    /// Every rule that fired, in the document's order.
    pub fired: Vec<&'r Rule>,
    /// The actions of every fired rule together, or the rules' `otherwise`.
    pub actions: Actions,
}

impl Verdict<'_> {
    /// The fired rules as a notification names them.
    pub fn fired_rules(&self) -> Vec<FiredRule> {
        self.fired
            .iter()
            .map(|r| FiredRule {
                name: r.name.clone(),
                severity: r.severity,
            })
            .collect()
    }

    /// The subject of the verdict's notification: the template of the most severe fired
    /// rule that has one (the first of equals), rendered; `None` for the default subject.
    pub fn subject(&self, message: &Message, content: NotificationContent) -> Option<String> {
        self.fired
            .iter()
            .filter(|r| r.subject.is_some() && r.then.notify)
            .rev()
            .max_by_key(|r| r.severity)
            .and_then(|r| r.subject.as_ref())
            .map(|t| t.render(message, content))
    }
}

impl Rules {
    /// Which rules fire for `message`, and what they call for together.
    pub fn evaluate(&self, message: &Message) -> Verdict<'_> {
        let fired: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.when.holds(message))
            .collect();
        let actions = if fired.is_empty() {
            self.otherwise
        } else {
            fired
                .iter()
                .fold(Actions::default(), |all, r| all.and(r.then))
        };
        Verdict { fired, actions }
    }
}

impl Condition {
    /// Whether the condition holds for `message`.
    pub fn holds(&self, message: &Message) -> bool {
        match self {
            Condition::Exists(pointer) => pointer.resolve(message).is_some(),
            Condition::Compare {
                pointer,
                op,
                operand,
            } => pointer
                .resolve(message)
                .is_some_and(|found| compares(found, *op, operand)),
            Condition::All(all) => all.iter().all(|c| c.holds(message)),
            Condition::Any(any) => any.iter().any(|c| c.holds(message)),
            Condition::Not(c) => !c.holds(message),
        }
    }
}

/// The body's side of a comparison: a scalar, or a container (which no comparison
/// matches).
enum Scalar<'a> {
    Number(&'a str),
    String(&'a str),
    Bool(bool),
    Null,
}

fn scalar_of(found: Found<'_>) -> Option<Scalar<'_>> {
    match found {
        Found::Insert(s) => Some(Scalar::String(s)),
        Found::Data(_) => None,
        Found::Value(v) => match v {
            Value::Number(n) => Some(Scalar::Number(n.as_str())),
            Value::String(s) => Some(Scalar::String(s)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            Value::Null => Some(Scalar::Null),
            Value::Array(_) | Value::Object(_) => None,
        },
    }
}

/// The order of the body's value against the rule's, when both are of one JSON type
/// (numbers by value, strings by text, `true`/`false`/`null` by equality only).
fn order(body: &Scalar<'_>, rule: &Operand) -> Option<Ordering> {
    match (body, rule) {
        (Scalar::Number(b), Operand::Number(r)) => compare(b, r),
        (Scalar::String(b), Operand::String(r)) => Some(b.cmp(&r.as_str())),
        (Scalar::Bool(b), Operand::Bool(r)) => (b == r).then_some(Ordering::Equal),
        (Scalar::Null, Operand::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

fn compares(found: Found<'_>, op: Op, operand: &Operand) -> bool {
    let Some(body) = scalar_of(found) else {
        return false;
    };
    match (op, operand) {
        (Op::In, Operand::OneOf(values)) => values
            .iter()
            .any(|v| order(&body, v) == Some(Ordering::Equal)),
        (Op::Prefix, Operand::String(prefix)) => {
            matches!(body, Scalar::String(s) if s.starts_with(prefix.as_str()))
        }
        // Two values of one JSON type that differ (`order` ranks no booleans).
        (Op::Ne, _) => match (&body, operand) {
            (Scalar::Bool(b), Operand::Bool(r)) => b != r,
            _ => order(&body, operand).is_some_and(Ordering::is_ne),
        },
        (op, _) => order(&body, operand).is_some_and(|o| match op {
            Op::Eq => o.is_eq(),
            Op::Lt => o.is_lt(),
            Op::Le => o.is_le(),
            Op::Gt => o.is_gt(),
            Op::Ge => o.is_ge(),
            Op::Ne | Op::Exists | Op::In | Op::Prefix => false,
        }),
    }
}
