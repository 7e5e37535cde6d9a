//! What a replay would do with each dead letter, by the core's own `plan_routed` with the
//! routing rules in force ([`crate::routing::verdict`]), with the envelope its attributes
//! make. Groups them for `dlq inspect` and `redrive --dry-run`.

use std::collections::BTreeMap;

use private_ingest_core::contract::{
    IDEMPOTENCY_KEY_ATTRIBUTE, REQUEST_ID_ATTRIBUTE, SOURCE_VPCE_ATTRIBUTE,
};
use private_ingest_core::{Envelope, Rules};
use serde::Serialize;

use super::DeadLetter;
use crate::routing::verdict::predict;
pub use crate::routing::verdict::Verdict;

/// Most message ids listed per group (the count is always whole).
const IDS_PER_GROUP: usize = 5;

/// The core's plan for `dead`, as if it were received now under `rules` (none: the
/// routing on `Insert`).
pub fn verdict(dead: &DeadLetter, rules: Option<&Rules>) -> Verdict {
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
    predict(dead.body.as_bytes(), &envelope, rules)
}

/// One group of `dlq inspect`.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `store`, `notify`, `store+notify` or `reject`.
    pub would: &'static str,
    /// For `reject`: the errors, `; `-joined (messages with the same errors group together).
    pub error: Option<String>,
    pub count: usize,
    /// The first few message ids of the group.
    pub message_ids: Vec<String>,
}

/// Groups by verdict (store, notify, then each distinct set of errors), largest first
/// within the rejections.
pub fn groups(dead_letters: &[DeadLetter], rules: Option<&Rules>) -> Vec<Group> {
    let mut by_verdict: BTreeMap<Verdict, Vec<&str>> = BTreeMap::new();
    for dead in dead_letters {
        by_verdict
            .entry(verdict(dead, rules))
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
    // Store, notify, store+notify first (the BTreeMap's order), then rejections by size.
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

    fn verdict_by_insert(dead: &DeadLetter) -> Verdict {
        verdict(dead, None)
    }

    #[test]
    fn the_core_decides_what_a_replay_would_do() {
        assert_eq!(
            verdict_by_insert(&dead("a", r#"{"Insert":"DynamoDB"}"#)),
            Verdict::Store
        );
        assert_eq!(
            verdict_by_insert(&dead("b", r#"{"Insert":"x"}"#)),
            Verdict::Notify
        );
        assert_eq!(
            verdict_by_insert(&dead("c", r#"{"Insert":1}"#)),
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
        let groups = groups(&letters, None);
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

    /// A document with each kind of verdict: both, notify only, and `otherwise` storing.
    fn rules() -> Rules {
        private_ingest_core::parse_rules(
            r#"{"rules": [
                {"name": "overheat", "when": {"path": "/data/temperature", "op": "gt", "value": 80},
                 "then": ["store", "notify"], "severity": "high"},
                {"name": "ping", "when": {"path": "/data/kind", "op": "eq", "value": "ping"},
                 "then": ["notify"]}
              ],
              "otherwise": ["store"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_rules_in_force_decide_in_place_of_insert() {
        let rules = rules();
        let by_rules = |body: &str| verdict(&dead("m", body), Some(&rules));
        // Insert alone would notify: the rules store and notify.
        let hot = r#"{"Insert":"iot","data":{"temperature":81.5}}"#;
        assert_eq!(verdict_by_insert(&dead("m", hot)), Verdict::Notify);
        assert_eq!(by_rules(hot), Verdict::StoreAndNotify);
        assert_eq!(by_rules(hot).word(), "store+notify");
        // Insert alone would store: a notify-only rule makes no record.
        let ping = r#"{"Insert":"DynamoDB","data":{"kind":"ping"}}"#;
        assert_eq!(verdict_by_insert(&dead("m", ping)), Verdict::Store);
        assert_eq!(by_rules(ping), Verdict::Notify);
        // No rule fires: `otherwise` stores, whatever Insert says (80 is not over 80).
        assert_eq!(
            by_rules(r#"{"Insert":"x","data":{"temperature":80}}"#),
            Verdict::Store
        );
        // A body the contract refuses is rejected with or without rules.
        assert_eq!(
            by_rules(r#"{"Insert":1}"#),
            Verdict::Reject(vec!["/Insert: expected a string, found number".into()])
        );
    }

    #[test]
    fn a_bad_idempotency_key_is_rejected_under_rules_too() {
        let mut letter = dead("m", r#"{"Insert":"iot","data":{"temperature":90}}"#);
        letter
            .attributes
            .insert(IDEMPOTENCY_KEY_ATTRIBUTE.into(), "not a key!".into());
        let Verdict::Reject(errors) = verdict(&letter, Some(&rules())) else {
            panic!("a malformed key must be rejected");
        };
        assert!(errors[0].starts_with("Idempotency-Key: "), "{errors:?}");
    }

    #[test]
    fn groups_under_rules_put_store_and_notify_after_notify() {
        let letters = [
            dead("s1", r#"{"Insert":"x","data":{"temperature":20}}"#),
            dead("b1", r#"{"Insert":"x","data":{"temperature":90}}"#),
            dead("n1", r#"{"Insert":"DynamoDB","data":{"kind":"ping"}}"#),
            dead("b2", r#"{"Insert":"x","data":{"temperature":85}}"#),
            dead("r1", r#"{"Insert":1}"#),
        ];
        let rules = rules();
        let summary: Vec<_> = groups(&letters, Some(&rules))
            .iter()
            .map(|g| (g.would, g.count, g.message_ids.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("store", 1, vec!["s1".to_owned()]),
                ("notify", 1, vec!["n1".to_owned()]),
                ("store+notify", 2, vec!["b1".to_owned(), "b2".to_owned()]),
                ("reject", 1, vec!["r1".to_owned()]),
            ]
        );
    }
}
