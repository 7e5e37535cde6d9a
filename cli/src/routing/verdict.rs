//! What the core's `plan_routed` does with one body under the routing rules in force (the
//! decision the handler makes): store a record, publish a notification, both (a rule's
//! `then: ["store", "notify"]`), or reject it (with each error's path). `send` predicts
//! its route with it, and `dlq` what a replay would do.

use private_ingest_core::{
    plan_routed, Envelope, NotificationContent, NotificationKind, RandomValue, Rules,
};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Store,
    Notify,
    /// A record and a notification: rules fired that call for both (or for one each).
    StoreAndNotify,
    /// The `<path>: <reason>` lines the handler's alert would carry.
    Reject(Vec<String>),
}

impl Verdict {
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Store => "store",
            Verdict::Notify => "notify",
            // The handler's log line says `route: "store+notify"` for the same plan.
            Verdict::StoreAndNotify => "store+notify",
            Verdict::Reject(_) => "reject",
        }
    }

    /// Whether a record is written.
    pub fn stores(&self) -> bool {
        matches!(self, Verdict::Store | Verdict::StoreAndNotify)
    }

    /// Whether a notify-route notification is published.
    pub fn notifies(&self) -> bool {
        matches!(self, Verdict::Notify | Verdict::StoreAndNotify)
    }
}

/// The core's plan for `body` in `envelope`, as if it were received now under `rules`
/// (none: the routing on `Insert`).
pub fn predict(body: &[u8], envelope: &Envelope, rules: Option<&Rules>) -> Verdict {
    // The random value and the clock shape the record, never the decision.
    let Ok(random) = RandomValue::new(1) else {
        return Verdict::Reject(vec!["/: the core refused its own arguments".into()]);
    };
    let planned = match plan_routed(
        body,
        envelope,
        random,
        0,
        NotificationContent::IdsOnly,
        rules,
    ) {
        Ok(planned) => planned,
        Err(error) => return Verdict::Reject(vec![format!("/: {error}")]),
    };
    if let Some(n) = &planned.notification {
        if n.kind == NotificationKind::Rejected {
            return Verdict::Reject(n.errors.clone());
        }
    }
    match planned.route_label() {
        Some("store+notify") => Verdict::StoreAndNotify,
        Some("notify") => Verdict::Notify,
        Some(_) => Verdict::Store,
        // A valid body always gets a record or a notification (a document's `otherwise`
        // is never empty); said plainly rather than guessed, should the core change.
        None => Verdict::Reject(vec![
            "/: the core planned neither a record nor a notification".into(),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(key: Option<&str>) -> Envelope {
        Envelope {
            message_id: "m".into(),
            received_at_ms: None,
            request_id: None,
            source_vpce: None,
            idempotency_key: key.map(str::to_owned),
        }
    }

    fn iot() -> Rules {
        private_ingest_core::parse_rules(include_str!(
            "../../../fixtures/rules/iot-thresholds.json"
        ))
        .unwrap()
    }

    #[test]
    fn a_send_is_predicted_as_the_handler_routes_it() {
        let rules = iot();
        let hot = br#"{"Insert":"iot","data":{"sensor":"gh-3","temperature":81.5}}"#;
        let mild = br#"{"Insert":"iot","data":{"sensor":"gh-3","temperature":20}}"#;
        // Insert alone notifies for both; the IoT rules store both and alert on the hot one.
        assert_eq!(predict(hot, &envelope(None), None), Verdict::Notify);
        let both = predict(hot, &envelope(Some("k-1")), Some(&rules));
        assert_eq!(both, Verdict::StoreAndNotify);
        assert!(both.stores() && both.notifies());
        let store = predict(mild, &envelope(None), Some(&rules));
        assert_eq!(store.word(), "store");
        assert!(store.stores() && !store.notifies());
        assert!(!Verdict::Notify.stores() && Verdict::Notify.notifies());
    }
}
