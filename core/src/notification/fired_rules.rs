//! The routing rules' notification: it names every rule that fired and its severity,
//! and takes its subject from the most severe rule's `subject` template.

use super::{finish_notify, notify_skeleton, sns_subject, Notification, NotificationContent};
use crate::envelope::Envelope;
use crate::error::quote;
use crate::idempotency::Dedupe;
use crate::message::Message;
use crate::record::RecordError;
use crate::rules::FiredRule;

/// The notification the routing rules call for: it names every rule that fired
/// (`fired`, in the document's order; none when the rules' `otherwise` notified) with its
/// severity, and takes its subject from `subject` (the most severe fired rule's rendered
/// template) or says which rules fired.
pub fn for_fired_rules(
    message: &Message,
    envelope: &Envelope,
    dedupe: Option<&Dedupe>,
    now_ms: i64,
    content: NotificationContent,
    fired: &[(FiredRule, Option<&str>)],
    subject: Option<String>,
) -> Result<Notification, RecordError> {
    let mut n = notify_skeleton(envelope, dedupe, now_ms)?;
    n.rules = fired.iter().map(|(rule, _)| rule.clone()).collect();
    n.severity = n.rules.iter().map(|r| r.severity).max();
    n.reason = fired_rules_reason(&n.rules);
    n.subject = fired_rules_subject(&n.rules, subject);
    let mut lines = Vec::new();
    if !fired.is_empty() {
        lines.push("Rules fired:".to_owned());
        lines.extend(fired.iter().map(|(rule, description)| {
            let about = description.map_or_else(String::new, |d| format!(": {d}"));
            format!("  - {} ({}){about}", rule.name, rule.severity.as_str())
        }));
    }
    finish_notify(n, message, content, lines)
}

/// Why the routing rules' notification was sent: the rules that fired (those that notify,
/// in the document's order) and the highest severity; the `otherwise` text for none.
pub fn fired_rules_reason(rules: &[FiredRule]) -> String {
    let names = || {
        rules
            .iter()
            .map(|r| quote(&r.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (rules, rules.iter().map(|r| r.severity).max()) {
        ([], _) | (_, None) => RULES_OTHERWISE_REASON.to_owned(),
        ([_], Some(severity)) => {
            format!("Rule {} fired (severity {}).", names(), severity.as_str())
        }
        (_, Some(severity)) => format!(
            "Rules {} fired (highest severity {}).",
            names(),
            severity.as_str()
        ),
    }
}

/// The routing rules' notification's subject: `template` (the most severe fired rule's
/// rendered `subject`), else one that says which rules fired; SNS-safe either way.
pub fn fired_rules_subject(rules: &[FiredRule], template: Option<String>) -> String {
    sns_subject(
        &template.unwrap_or_else(|| format!("private-ingest: {}", fired_rules_reason(rules))),
    )
}

/// What a notification sent because no rule fired and the rules' `otherwise` notifies
/// says.
pub const RULES_OTHERWISE_REASON: &str = "No routing rule fired; the rules' otherwise notifies.";
