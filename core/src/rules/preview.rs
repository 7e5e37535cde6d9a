//! What the routing would do with a body, as the test page shows it while someone types
//! and the shared corpus (`fixtures/rules/`) states it; and the rules in force as the page
//! reads them.

use serde::Serialize;

use super::{parse_rules, FiredRule, Rules, RulesErrors, Severity};
use crate::message::parse_message_str;
use crate::notification::{fired_rules_subject, notify_route_subject, NotificationContent};
use crate::route::Route;

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

/// What `rules` (or, without, the routing on `Insert`) does with `body`, with
/// notifications carrying the caller's content or not. Decided by the same functions
/// [`plan_routed`](crate::plan_routed) calls (checked against it by
/// core/tests/rules_properties.rs), without building the record or the notification, so
/// the page's Wasm module does not carry their code.
pub fn preview(body: &str, rules: Option<&Rules>, content: NotificationContent) -> Preview {
    let message = match parse_message_str(body) {
        Ok(message) => message,
        Err(errors) => {
            return Preview {
                valid: false,
                errors: errors.messages(),
                fired: Vec::new(),
                store: false,
                notify: false,
                subject: None,
                severity: None,
            }
        }
    };
    let Some(rules) = rules else {
        let notify = message.route() == Route::Notify;
        return Preview {
            valid: true,
            errors: Vec::new(),
            fired: Vec::new(),
            store: !notify,
            notify,
            subject: notify.then(notify_route_subject),
            severity: None,
        };
    };
    let verdict = rules.evaluate(&message);
    let notifying: Vec<FiredRule> = verdict
        .fired
        .iter()
        .filter(|r| r.then.notify)
        .map(|r| FiredRule {
            name: r.name.clone(),
            severity: r.severity,
        })
        .collect();
    let notify = verdict.actions.notify;
    Preview {
        valid: true,
        errors: Vec::new(),
        fired: verdict.fired_rules(),
        store: verdict.actions.store,
        notify,
        severity: notify
            .then(|| notifying.iter().map(|r| r.severity).max())
            .flatten(),
        subject: notify
            .then(|| fired_rules_subject(&notifying, verdict.subject(&message, content))),
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
