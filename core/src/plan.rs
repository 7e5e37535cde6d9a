//! What the handler does with one queue message: the whole decision, with no I/O.

use crate::message::parse_message;
use crate::notification::{self, Notification};
use crate::record::{build_record, Envelope, RandomValue, Record, RecordError};
use crate::route::Route;

/// The one side effect a message calls for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Conditional put of the record (keyed by the message id).
    Store(Record),
    /// Publish the notification (the notify route, or a rejected body).
    Notify(Notification),
}

impl Action {
    /// The route label used in logs: `store`, `notify` or `rejected`.
    pub fn label(&self) -> &'static str {
        match self {
            Action::Store(_) => Route::Store.as_str(),
            Action::Notify(n) if n.kind == notification::NotificationKind::Rejected => "rejected",
            Action::Notify(_) => Route::Notify.as_str(),
        }
    }
}

/// Parse, validate, route and build: a valid store-route body becomes a record, any
/// other valid body a "not inserted" notification, an invalid body a "rejected" alert.
/// Fails only when an argument is out of its domain (see [`RecordError`]).
pub fn plan(
    body: &[u8],
    envelope: &Envelope,
    random_value: RandomValue,
    now_ms: i64,
) -> Result<Action, RecordError> {
    match parse_message(body) {
        Ok(message) => match message.route() {
            Route::Store => {
                build_record(&message, envelope, random_value, now_ms).map(Action::Store)
            }
            Route::Notify => {
                notification::not_inserted(&message, envelope, now_ms).map(Action::Notify)
            }
        },
        Err(errors) => notification::rejected(&errors, body, envelope, now_ms).map(Action::Notify),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &[u8]) -> Action {
        plan(body, &Envelope::new("m"), RandomValue::new(7).unwrap(), 0).unwrap()
    }

    #[test]
    fn each_body_gets_exactly_one_action() {
        assert_eq!(run(br#"{"Insert":"DynamoDB"}"#).label(), "store");
        assert_eq!(run(br#"{"Insert":"Dynamoooo"}"#).label(), "notify");
        assert_eq!(run(b"not json").label(), "rejected");
        assert_eq!(run(b"\xff\xfe").label(), "rejected");
    }

    #[test]
    fn missing_message_id_is_an_argument_error_not_a_rejection() {
        let err = plan(
            br#"{"Insert":"x"}"#,
            &Envelope::new(""),
            RandomValue::new(7).unwrap(),
            0,
        );
        assert_eq!(err, Err(RecordError::EmptyMessageId));
    }
}
