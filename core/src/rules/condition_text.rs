//! A condition as one line a person reads (the test page's list of rules in force):
//! `/data/temperature gt 80`, `all(/data/battery lt 10, not(/data/maintenance eq true))`.

use std::fmt;

use super::{Condition, Operand};

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, name: &str, all: &[Condition]| {
            write!(f, "{name}(")?;
            for (i, c) in all.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str(")")
        };
        match self {
            Condition::Exists(pointer) => write!(f, "{} exists", pointer.text),
            Condition::Compare {
                pointer,
                op,
                operand,
            } => write!(f, "{} {} {operand}", pointer.text, op.as_str()),
            Condition::All(all) => list(f, "all", all),
            Condition::Any(any) => list(f, "any", any),
            Condition::Not(c) => write!(f, "not({c})"),
        }
    }
}

impl fmt::Display for Operand {
    /// As JSON: numbers as written, strings quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Number(n) => f.write_str(n),
            Operand::String(s) => f.write_str(&crate::error::quote(s)),
            Operand::Bool(b) => write!(f, "{b}"),
            Operand::Null => f.write_str("null"),
            Operand::OneOf(values) => {
                f.write_str("[")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::parse_rules;

    #[test]
    fn conditions_read_as_one_line() {
        let rules =
            parse_rules(include_str!("../../../fixtures/rules/iot-thresholds.json")).unwrap();
        assert_eq!(rules.rules[0].when.to_string(), "/data/temperature gt 80");
        assert_eq!(
            rules.rules[2].when.to_string(),
            "all(/data/battery lt 10, not(/data/maintenance eq true))"
        );
        let monitoring = parse_rules(include_str!(
            "../../../fixtures/rules/monitoring-alerts.json"
        ))
        .unwrap();
        assert_eq!(
            monitoring.rules[0].when.to_string(),
            "any(/data/category eq \"security\", /data/event prefix \"auth.\")"
        );
        assert_eq!(
            monitoring.rules[1].when.to_string(),
            "/data/level in [\"error\", \"fatal\"]"
        );
    }
}
