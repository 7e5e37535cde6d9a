//! What the handler does with one queue message: the whole decision, with no I/O:
//! [`plan`] by the original routing on `Insert`, [`plan_routed`] by routing rules when
//! there are some.

use crate::envelope::Envelope;
use crate::error::{FieldError, ValidationErrors};
use crate::idempotency::{parse_idempotency_key, Dedupe};
use crate::message::{parse_message, Message};
use crate::notification::{self, Notification, NotificationContent};
use crate::record::{build_record, RandomValue, Record, RecordError};
use crate::route::Route;
use crate::rules::{FiredRule, Rules};

/// The one side effect a message calls for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Conditional put of the record (keyed by the message id, or by the caller's
    /// `Idempotency-Key`: see [`Record::keyed`]).
    Store(Record),
    /// Publish the notification (the notify route, at most once per `Idempotency-Key`
    /// when it has one; or the alert about a rejected body).
    Notify(Notification),
}

impl Action {
    /// The message's route; none for a rejected body.
    pub fn route(&self) -> Option<Route> {
        match self {
            Action::Store(_) => Some(Route::Store),
            Action::Notify(n) => n.route,
        }
    }
}

/// Parse, validate, route and build: a valid store-route body becomes a record, any
/// other valid body a notify-route notification, an invalid body (or an invalid
/// `Idempotency-Key`, which the cloud's API cannot check) a "rejected" alert. With a valid
/// key, the record is keyed by it and the notification carries it. `content` says how
/// much of the caller's content a notification carries. Fails only when an argument is
/// out of its domain (see [`RecordError`]).
pub fn plan(
    body: &[u8],
    envelope: &Envelope,
    random_value: RandomValue,
    now_ms: i64,
    content: NotificationContent,
) -> Result<Action, RecordError> {
    let (message, dedupe) = match checked(body, envelope) {
        Ok(checked) => checked,
        Err(errors) => {
            return notification::for_rejected_body(&errors, body, envelope, now_ms, content)
                .map(Action::Notify)
        }
    };
    match message.route() {
        Route::Store => {
            record_of(&message, envelope, dedupe.as_ref(), random_value, now_ms).map(Action::Store)
        }
        Route::Notify => {
            notification::for_notify_route(&message, envelope, dedupe.as_ref(), now_ms, content)
                .map(Action::Notify)
        }
    }
}

/// What the handler does with one message when routing rules may apply: a record, a
/// notification, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The conditional put, when the message is stored.
    pub record: Option<Record>,
    /// The notification (or the alert about a rejected body), when one is sent.
    pub notification: Option<Notification>,
    /// The routing rules that fired, in the document's order (none without rules).
    pub fired: Vec<FiredRule>,
}

impl Plan {
    /// `store`, `notify` or `store+notify`, as the log line's `route` says; none for a
    /// rejected body.
    pub fn route_label(&self) -> Option<&'static str> {
        let notify_route = self
            .notification
            .as_ref()
            .is_some_and(|n| n.route == Some(Route::Notify));
        match (self.record.is_some(), notify_route) {
            (true, true) => Some("store+notify"),
            (true, false) => Some(Route::Store.as_str()),
            (false, true) => Some(Route::Notify.as_str()),
            (false, false) => None,
        }
    }
}

impl From<Action> for Plan {
    fn from(action: Action) -> Self {
        let (record, notification) = match action {
            Action::Store(record) => (Some(record), None),
            Action::Notify(notification) => (None, Some(notification)),
        };
        Plan {
            record,
            notification,
            fired: Vec::new(),
        }
    }
}

/// [`plan`], with the routing `rules` deciding in place of `Insert` when there are some:
/// the record and the notification each when the fired rules (or the rules' `otherwise`)
/// call for it. An invalid body or key is rejected as without rules.
pub fn plan_routed(
    body: &[u8],
    envelope: &Envelope,
    random_value: RandomValue,
    now_ms: i64,
    content: NotificationContent,
    rules: Option<&Rules>,
) -> Result<Plan, RecordError> {
    let Some(rules) = rules else {
        return plan(body, envelope, random_value, now_ms, content).map(Plan::from);
    };
    let (message, dedupe) = match checked(body, envelope) {
        Ok(checked) => checked,
        Err(errors) => {
            return notification::for_rejected_body(&errors, body, envelope, now_ms, content)
                .map(|n| Plan::from(Action::Notify(n)))
        }
    };
    let verdict = rules.evaluate(&message);
    let fired = verdict.fired_rules();
    let record = verdict
        .actions
        .store
        .then(|| record_of(&message, envelope, dedupe.as_ref(), random_value, now_ms))
        .transpose()?;
    let notification = if verdict.actions.notify {
        let named: Vec<_> = verdict
            .fired
            .iter()
            .zip(&fired)
            .filter(|(rule, _)| rule.then.notify)
            .map(|(rule, fired)| (fired.clone(), rule.description.as_deref()))
            .collect();
        Some(notification::for_fired_rules(
            &message,
            envelope,
            dedupe.as_ref(),
            now_ms,
            content,
            &named,
            verdict.subject(&message, content),
        )?)
    } else {
        None
    };
    Ok(Plan {
        record,
        notification,
        fired,
    })
}

/// The valid message and its dedupe identity, or every problem with the body and key
/// (the key's first).
fn checked(
    body: &[u8],
    envelope: &Envelope,
) -> Result<(Message, Option<Dedupe>), ValidationErrors> {
    match (parse_message(body), dedupe_of(envelope, body)) {
        (Ok(message), Ok(dedupe)) => Ok((message, dedupe)),
        (Err(errors), key) => Err(errors.after(key.err())),
        (Ok(_), Err(key_error)) => Err(ValidationErrors::single(key_error)),
    }
}

/// The store route's record, keyed by the caller's key when it has one.
fn record_of(
    message: &Message,
    envelope: &Envelope,
    dedupe: Option<&Dedupe>,
    random_value: RandomValue,
    now_ms: i64,
) -> Result<Record, RecordError> {
    build_record(message, envelope, random_value, now_ms).map(|record| match dedupe {
        Some(dedupe) => record.keyed(dedupe),
        None => record,
    })
}

/// The message's dedupe identity: none without a key, the key's error for a bad one.
fn dedupe_of(envelope: &Envelope, body: &[u8]) -> Result<Option<Dedupe>, FieldError> {
    envelope
        .idempotency_key
        .as_deref()
        .map(|raw| parse_idempotency_key(raw).map(|key| Dedupe::new(key, body)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::notification::NotificationKind;

    /// What the planned action does: store, notify, or alert about a rejected body.
    fn run(body: &[u8]) -> &'static str {
        let action = plan(
            body,
            &Envelope::new("m"),
            RandomValue::new(7).unwrap(),
            0,
            NotificationContent::IdsOnly,
        )
        .unwrap();
        match (action.route(), &action) {
            (Some(route), _) => route.as_str(),
            (None, Action::Notify(n)) if n.kind == NotificationKind::Rejected => "rejected",
            (None, other) => panic!("an action without a route: {other:?}"),
        }
    }

    #[test]
    fn each_body_gets_exactly_one_action() {
        assert_eq!(run(br#"{"Insert":"DynamoDB"}"#), "store");
        assert_eq!(run(br#"{"Insert":"Dynamoooo"}"#), "notify");
        assert_eq!(run(b"not json"), "rejected");
        assert_eq!(run(b"\xff\xfe"), "rejected");
    }

    fn with_key(key: &str) -> Envelope {
        let mut envelope = Envelope::new("m");
        envelope.idempotency_key = Some(key.into());
        envelope
    }

    fn planned(body: &[u8], envelope: &Envelope) -> Action {
        plan(
            body,
            envelope,
            RandomValue::new(7).unwrap(),
            0,
            NotificationContent::IdsOnly,
        )
        .unwrap()
    }

    #[test]
    fn with_a_key_the_record_is_keyed_by_it_and_the_notification_carries_it() {
        let body = br#"{"Insert":"DynamoDB"}"#;
        let Action::Store(record) = planned(body, &with_key("order-1")) else {
            panic!("a store body")
        };
        assert_eq!(record.id, "order-1");
        assert_eq!(record.message_id.as_deref(), Some("m"));
        assert_eq!(record.body_sha256, Some(crate::body_sha256(body)));
        let Action::Notify(n) = planned(br#"{"Insert":"x"}"#, &with_key("order-2")) else {
            panic!("a notify body")
        };
        assert_eq!(n.idempotency_key.as_deref(), Some("order-2"));
        assert_eq!(
            n.body_sha256,
            Some(crate::body_sha256(br#"{"Insert":"x"}"#))
        );
    }

    #[test]
    fn without_a_key_nothing_changes() {
        let Action::Store(record) = planned(br#"{"Insert":"DynamoDB"}"#, &Envelope::new("m"))
        else {
            panic!("a store body")
        };
        assert_eq!((record.id.as_str(), &record.message_id), ("m", &None));
    }

    #[test]
    fn a_bad_key_rejects_the_message_with_the_key_error_first() {
        let Action::Notify(n) = planned(br#"{"Insert":"DynamoDB"}"#, &with_key("a b")) else {
            panic!("a rejection")
        };
        assert_eq!(n.kind, NotificationKind::Rejected);
        assert!(n.errors[0].starts_with("Idempotency-Key: character \" \" at position 2"));
        let Action::Notify(n) = planned(br#"{"Insert":5}"#, &with_key("")) else {
            panic!("a rejection")
        };
        assert_eq!(n.errors.len(), 2);
        assert!(n.errors[0].starts_with("Idempotency-Key: must not be empty"));
        assert_eq!(n.errors[1], "/Insert: expected a string, found number");
    }

    #[test]
    fn missing_message_id_is_an_argument_error_not_a_rejection() {
        let err = plan(
            br#"{"Insert":"x"}"#,
            &Envelope::new(""),
            RandomValue::new(7).unwrap(),
            0,
            NotificationContent::IdsOnly,
        );
        assert_eq!(err, Err(RecordError::EmptyMessageId));
    }
}
