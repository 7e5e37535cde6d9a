//! What the handler does with one queue message: the whole decision, with no I/O.

use crate::envelope::Envelope;
use crate::message::parse_message;
use crate::notification::{self, Notification, NotificationContent};
use crate::record::{build_record, RandomValue, Record, RecordError};
use crate::route::Route;

/// The one side effect a message calls for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Conditional put of the record (keyed by the message id).
    Store(Record),
    /// Publish the notification (the notify route, or the alert about a rejected body).
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
/// other valid body a notify-route notification, an invalid body a "rejected" alert.
/// `content` says how much of the caller's content a notification carries. Fails only
/// when an argument is out of its domain (see [`RecordError`]).
pub fn plan(
    body: &[u8],
    envelope: &Envelope,
    random_value: RandomValue,
    now_ms: i64,
    content: NotificationContent,
) -> Result<Action, RecordError> {
    match parse_message(body) {
        Ok(message) => match message.route() {
            Route::Store => {
                build_record(&message, envelope, random_value, now_ms).map(Action::Store)
            }
            Route::Notify => notification::for_notify_route(&message, envelope, now_ms, content)
                .map(Action::Notify),
        },
        Err(errors) => notification::for_rejected_body(&errors, body, envelope, now_ms, content)
            .map(Action::Notify),
    }
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
