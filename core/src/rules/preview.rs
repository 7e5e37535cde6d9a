//! What the routing would do with a body, as the test page shows it while someone types
//! and the shared corpus (`fixtures/rules/`) states it: the same [`plan_routed`] the
//! handler runs, summarised.

use serde::Serialize;

use super::{parse_rules, FiredRule, Rules, RulesErrors, Severity};
use crate::envelope::Envelope;
use crate::notification::{NotificationContent, NotificationKind};
use crate::plan::plan_routed;
use crate::record::RandomValue;

/// What happens to one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// Whether the API accepts the body; when not, `errors` says why and nothing else
    /// happens.
    pub valid: bool,
    pub errors: Vec<String>,
    /// The rules that fire, in the document's order.
    pub fired: Vec<FiredRule>,
    /// A record is written.
    pub store: bool,
    /// A notification is sent.
    pub notify: bool,
    /// The notification's subject.
    pub subject: Option<String>,
    /// Its severity (the highest of the fired rules that notify).
    pub severity: Option<Severity>,
}

/// The message id a preview plans with; no queue has given one yet.
const PREVIEW_MESSAGE_ID: &str = "preview";

/// What `rules` (or, without, the routing on `Insert`) does with `body`, with
/// notifications carrying the caller's content or not.
pub fn preview(body: &str, rules: Option<&Rules>, content: NotificationContent) -> Preview {
    let planned = plan_routed(
        body.as_bytes(),
        &Envelope::new(PREVIEW_MESSAGE_ID),
        RandomValue::clamped(1),
        0,
        content,
        rules,
    );
    let Ok(plan) = planned else {
        unreachable!("a preview's message id, random value and time are in their domains")
    };
    match plan.notification {
        Some(n) if n.kind == NotificationKind::Rejected => Preview {
            valid: false,
            errors: n.errors,
            fired: Vec::new(),
            store: false,
            notify: false,
            subject: None,
            severity: None,
        },
        notification => Preview {
            valid: true,
            errors: Vec::new(),
            fired: plan.fired,
            store: plan.record.is_some(),
            notify: notification.is_some(),
            severity: notification.as_ref().and_then(|n| n.severity),
            subject: notification.map(|n| n.subject),
        },
    }
}

/// The rules in force as the test page reads them (the local stack's `GET /rules`, the
/// cloud's `routing-rules.json` beside the page): the document (`null` without rules: the
/// routing on `Insert`) and whether notifications carry the caller's content (which
/// decides what a subject's placeholders show).
pub fn in_force(rules: Option<&Rules>, content: NotificationContent) -> String {
    let document = rules.map_or("null", Rules::to_json);
    format!(
        r#"{{"rules":{document},"notificationIncludesData":{}}}"#,
        content.includes_data()
    )
}

/// Reads what [`in_force`] wrote (with the rules' numbers as written: the page hands the
/// text over, never a JavaScript object, so no digit is rounded).
pub fn read_in_force(text: &str) -> Result<(Option<Rules>, NotificationContent), RulesErrors> {
    let refused = |reason: &str| {
        let mut errors = RulesErrors::default();
        errors.push("(rules in force)", reason);
        errors
    };
    let value = crate::strict_json::parse_strict(text)
        .map_err(|_| refused("not the JSON of rules in force"))?;
    let content = match value.get("notificationIncludesData") {
        Some(serde_json::Value::Bool(b)) => NotificationContent::from_includes_data(*b),
        _ => return Err(refused("notificationIncludesData: expected true or false")),
    };
    let rules = match value.get("rules") {
        Some(serde_json::Value::Null) => None,
        Some(document) => Some(parse_rules(&document.to_string())?),
        None => return Err(refused("rules: is required (a rules document or null)")),
    };
    Ok((rules, content))
}
