//! What a replay would do with each dead letter, by the core's own `plan` (the decision
//! the handler makes): store a record, publish a notification, or reject the body (with
//! each error's path). Groups them for `dlq inspect` and `redrive --dry-run`.

use std::collections::BTreeMap;

use private_ingest_core::contract::{
    IDEMPOTENCY_KEY_ATTRIBUTE, REQUEST_ID_ATTRIBUTE, SOURCE_VPCE_ATTRIBUTE,
};
use private_ingest_core::{
    plan, Action, Envelope, NotificationContent, NotificationKind, RandomValue,
};
use serde::Serialize;

use super::DeadLetter;

/// Most message ids listed per group (the count is always whole).
const IDS_PER_GROUP: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Store,
    Notify,
    /// The `<path>: <reason>` lines the handler's alert would carry.
    Reject(Vec<String>),
}

impl Verdict {
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Store => "store",
            Verdict::Notify => "notify",
            Verdict::Reject(_) => "reject",
        }
    }
}

/// The core's plan for `dead`, as if it were received now.
pub fn verdict(dead: &DeadLetter) -> Verdict {
    let envelope = Envelope {
        message_id: if dead.message_id.is_empty() {
            "-".into()
        } else {
            dead.message_id.clone()
        },
        received_at_ms: None,
        request_id: dead.attributes.get(REQUEST_ID_ATTRIBUTE).cloned(),
        source_vpce: dead.attributes.get(SOURCE_VPCE_ATTRIBUTE).cloned(),
        // Its own key as sent: the handler rejects a malformed one, and so does the plan.
        idempotency_key: dead.attributes.get(IDEMPOTENCY_KEY_ATTRIBUTE).cloned(),
    };
    // The random value and the clock shape the record, never the decision.
    let Ok(random) = RandomValue::new(1) else {
        return Verdict::Reject(vec!["/: the core refused its own arguments".into()]);
    };
    match plan(
        dead.body.as_bytes(),
        &envelope,
        random,
        0,
        NotificationContent::IdsOnly,
    ) {
        Ok(Action::Store(_)) => Verdict::Store,
        Ok(Action::Notify(n)) if n.kind == NotificationKind::Rejected => Verdict::Reject(n.errors),
        Ok(Action::Notify(_)) => Verdict::Notify,
        Err(error) => Verdict::Reject(vec![format!("/: {error}")]),
    }
}

/// One group of `dlq inspect`.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `store`, `notify` or `reject`.
    pub would: &'static str,
    /// For `reject`: the errors, `; `-joined (messages with the same errors group together).
    pub error: Option<String>,
    pub count: usize,
    /// The first few message ids of the group.
    pub message_ids: Vec<String>,
}

/// Groups by verdict (store, notify, then each distinct set of errors), largest first
/// within the rejections.
pub fn groups(dead_letters: &[DeadLetter]) -> Vec<Group> {
    let mut by_verdict: BTreeMap<Verdict, Vec<&str>> = BTreeMap::new();
    for dead in dead_letters {
        by_verdict
            .entry(verdict(dead))
            .or_default()
            .push(&dead.message_id);
    }
    let mut groups: Vec<Group> = by_verdict
        .into_iter()
        .map(|(verdict, ids)| Group {
            would: verdict.word(),
            error: match &verdict {
                Verdict::Reject(errors) => Some(errors.join("; ")),
                _ => None,
            },
            count: ids.len(),
            message_ids: ids
                .iter()
                .take(IDS_PER_GROUP)
                .map(|id| (*id).to_owned())
                .collect(),
        })
        .collect();
    // Store and notify first (the BTreeMap's order), then rejections by size.
    groups.sort_by(|a, b| match (a.error.is_some(), b.error.is_some()) {
        (true, true) => b.count.cmp(&a.count).then_with(|| a.error.cmp(&b.error)),
        (x, y) => x.cmp(&y),
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead(id: &str, body: &str) -> DeadLetter {
        DeadLetter {
            message_id: id.into(),
            body: body.into(),
            ..DeadLetter::default()
        }
    }

    #[test]
    fn the_core_decides_what_a_replay_would_do() {
        assert_eq!(
            verdict(&dead("a", r#"{"Insert":"DynamoDB"}"#)),
            Verdict::Store
        );
        assert_eq!(verdict(&dead("b", r#"{"Insert":"x"}"#)), Verdict::Notify);
        assert_eq!(
            verdict(&dead("c", r#"{"Insert":1}"#)),
            Verdict::Reject(vec!["/Insert: expected a string, found number".into()])
        );
    }

    #[test]
    fn groups_by_verdict_then_by_errors() {
        let letters = [
            dead("r1", r#"{"Insert":1}"#),
            dead("s1", r#"{"Insert":"DynamoDB"}"#),
            dead("r2", r#"{"Insert":2}"#),
            dead("n1", r#"{"Insert":"x"}"#),
            dead("r3", "not json"),
            dead("s2", r#"{"Insert":"DynamoDB","data":{"k":1}}"#),
        ];
        let groups = groups(&letters);
        let summary: Vec<_> = groups.iter().map(|g| (g.would, g.count)).collect();
        assert_eq!(
            summary,
            [("store", 2), ("notify", 1), ("reject", 2), ("reject", 1)]
        );
        assert_eq!(groups[0].message_ids, ["s1", "s2"]);
        assert_eq!(
            groups[2].error.as_deref(),
            Some("/Insert: expected a string, found number")
        );
        assert_eq!(groups[2].message_ids, ["r1", "r2"]);
        assert!(groups[3]
            .error
            .as_deref()
            .unwrap()
            .starts_with("/: body is not valid JSON"));
    }
}
