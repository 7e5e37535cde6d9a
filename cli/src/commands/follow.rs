//! `send --follow`: polls until the message's outcome is visible, with a spinner and a
//! time limit. What it waits for is what the routing in force calls for: the record
//! through `GET /messages/{recordId}` (both stacks); on the local stack also its
//! notification (`GET /notifications`), both of them for `store+notify`, and its dead
//! letter (`GET /dead-letters`), which in the cloud are an email and an SQS queue.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use crate::api::Api;
use crate::failure::Failure;
use crate::routing::verdict::Verdict;

/// First pause between polls, and the longest (the pause doubles up to it).
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// What the cloud's notify route ends in.
const EMAIL_NOTE: &str = "notify route: the notification goes to the SNS topic's \
    subscribers (email); there is nothing to read back from here\n";
/// Entries of the newest page searched for the message (local lists are newest first).
const RECENT: u32 = 100;

/// How a followed message ended, as far as this host can see.
#[derive(Debug, Clone, PartialEq)]
pub enum Followed {
    Stored {
        record: Value,
        waited_ms: u64,
        /// In the cloud under `store+notify`: the notification is an email, not seen here.
        notified_by_email: bool,
    },
    /// `store+notify` on the local stack: the record and the notification.
    StoredAndNotified {
        record: Value,
        notification: Value,
        waited_ms: u64,
    },
    /// A notification of kind `notify` (or `rejected`) was published.
    Notified {
        notification: Value,
        waited_ms: u64,
    },
    DeadLettered {
        dead_letter: Value,
        waited_ms: u64,
    },
    /// The cloud's notify route ends in an email; nothing here can read it back.
    NotObservable,
    TimedOut {
        waited_ms: u64,
    },
}

impl Followed {
    pub fn outcome(&self) -> &'static str {
        match self {
            Followed::Stored { .. } => "stored",
            Followed::StoredAndNotified { .. } => "stored_and_notified",
            Followed::Notified { notification, .. } => {
                if notification.get("kind").and_then(Value::as_str) == Some("rejected") {
                    "rejected"
                } else {
                    "notified"
                }
            }
            Followed::DeadLettered { .. } => "dead_lettered",
            Followed::NotObservable => "not_observable",
            Followed::TimedOut { .. } => "timed_out",
        }
    }

    /// `{"outcome", "waited_ms", and "record" | "notification" | "dead_letter"}`.
    pub fn document(&self) -> Value {
        let mut document = json!({ "outcome": self.outcome() });
        let (key, value, waited) = match self {
            Followed::Stored {
                record,
                waited_ms,
                notified_by_email,
            } => {
                if *notified_by_email {
                    document["notification"] = json!("not_observable");
                }
                (Some("record"), record, Some(waited_ms))
            }
            Followed::StoredAndNotified {
                record,
                notification,
                waited_ms,
            } => {
                document["notification"] = notification.clone();
                (Some("record"), record, Some(waited_ms))
            }
            Followed::Notified {
                notification,
                waited_ms,
            } => (Some("notification"), notification, Some(waited_ms)),
            Followed::DeadLettered {
                dead_letter,
                waited_ms,
            } => (Some("dead_letter"), dead_letter, Some(waited_ms)),
            Followed::TimedOut { waited_ms } => (None, &Value::Null, Some(waited_ms)),
            Followed::NotObservable => (None, &Value::Null, None),
        };
        if let Some(waited) = waited {
            document["waited_ms"] = json!(waited);
        }
        if let Some(key) = key {
            document[key] = value.clone();
        }
        document
    }

    pub fn human(&self) -> String {
        match self {
            Followed::Stored { record, waited_ms, notified_by_email } => format!(
                "stored after {waited_ms} ms: {}\n{}",
                serde_json::to_string_pretty(record).unwrap_or_default(),
                if *notified_by_email { EMAIL_NOTE } else { "" }
            ),
            Followed::StoredAndNotified { record, notification, waited_ms } => format!(
                "stored and notified after {waited_ms} ms: {}\n{}\n",
                serde_json::to_string_pretty(record).unwrap_or_default(),
                serde_json::to_string_pretty(notification).unwrap_or_default()
            ),
            Followed::Notified { notification, waited_ms } => format!(
                "{} after {waited_ms} ms: {}\n",
                self.outcome(),
                serde_json::to_string_pretty(notification).unwrap_or_default()
            ),
            Followed::DeadLettered { dead_letter, waited_ms } => format!(
                "dead-lettered after {waited_ms} ms (received {} times): `private-ingest dlq inspect`, then `dlq redrive`\n",
                dead_letter.get("receive_count").unwrap_or(&Value::Null)
            ),
            Followed::NotObservable => EMAIL_NOTE.to_owned(),
            Followed::TimedOut { waited_ms } => {
                format!("no outcome within {} ms\n", waited_ms)
            }
        }
    }
}

pub async fn follow(
    api: &Api,
    message_id: &str,
    record_id: &str,
    verdict: &Verdict,
    timeout: Duration,
    show_progress: bool,
) -> Result<Followed, Failure> {
    let local = api.endpoint().is_local();
    if !local && !verdict.stores() {
        return Ok(Followed::NotObservable);
    }
    let spinner = if show_progress {
        let spinner = ProgressBar::new_spinner();
        spinner.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.set_message(format!(
            "waiting for {message_id} ({} route)",
            verdict.word()
        ));
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    } else {
        ProgressBar::hidden()
    };
    let mut seen = Seen {
        record: None,
        notification: None,
        wants_record: verdict.stores(),
        // The cloud's notification is an email: only the record can be waited for there.
        wants_notification: local && verdict.notifies(),
        email_too: !local && verdict.notifies(),
    };
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    let outcome = loop {
        let waited_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Some(found) = look(api, message_id, record_id, &mut seen, local, waited_ms).await? {
            break found;
        }
        if started.elapsed() + pause > timeout {
            break Followed::TimedOut {
                waited_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            };
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    };
    spinner.finish_and_clear();
    Ok(outcome)
}

/// What has been seen of the outcome so far, and what the routing calls for.
struct Seen {
    record: Option<Value>,
    notification: Option<Value>,
    wants_record: bool,
    wants_notification: bool,
    email_too: bool,
}

impl Seen {
    /// The outcome once everything called for is seen.
    fn outcome(&self, waited_ms: u64) -> Option<Followed> {
        if self.wants_record && self.record.is_none()
            || self.wants_notification && self.notification.is_none()
        {
            return None;
        }
        Some(match (self.record.clone(), self.notification.clone()) {
            (Some(record), Some(notification)) => Followed::StoredAndNotified {
                record,
                notification,
                waited_ms,
            },
            (Some(record), None) => Followed::Stored {
                record,
                waited_ms,
                notified_by_email: self.email_too,
            },
            (None, Some(notification)) => Followed::Notified {
                notification,
                waited_ms,
            },
            (None, None) => return None,
        })
    }
}

/// One round of polls for what is not seen yet; `None` while the outcome is incomplete.
async fn look(
    api: &Api,
    message_id: &str,
    record_id: &str,
    seen: &mut Seen,
    local: bool,
    waited_ms: u64,
) -> Result<Option<Followed>, Failure> {
    if seen.wants_record && seen.record.is_none() {
        let answer = api.record(record_id).await?;
        if answer.status == 200 {
            seen.record = Some(answer.json);
        }
    }
    if seen.wants_notification && seen.notification.is_none() {
        seen.notification = recent(api, "notifications", message_id).await?;
    }
    if let Some(done) = seen.outcome(waited_ms) {
        return Ok(Some(done));
    }
    if !local {
        return Ok(None);
    }
    if let Some(dead_letter) = recent(api, "dead_letters", message_id).await? {
        return Ok(Some(Followed::DeadLettered {
            dead_letter,
            waited_ms,
        }));
    }
    Ok(None)
}

/// The entry about `message_id` on the newest page of a local list, if there.
async fn recent(api: &Api, list: &str, message_id: &str) -> Result<Option<Value>, Failure> {
    let path = format!("/{}?limit={RECENT}", list.replace('_', "-"));
    let answer = api.get(&path).await?;
    if answer.status != 200 {
        return Ok(None);
    }
    Ok(answer.json[list]
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|entry| entry["message_id"] == message_id)
        })
        .cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(wants_record: bool, wants_notification: bool, email_too: bool) -> Seen {
        Seen {
            record: None,
            notification: None,
            wants_record,
            wants_notification,
            email_too,
        }
    }

    #[test]
    fn store_and_notify_waits_for_both_locally() {
        let mut seen = seen(true, true, false);
        seen.record = Some(json!({"id": "m"}));
        assert_eq!(seen.outcome(5), None, "the notification is still due");
        seen.notification = Some(json!({"message_id": "m", "kind": "notify"}));
        let done = seen.outcome(7).unwrap();
        assert_eq!(done.outcome(), "stored_and_notified");
        assert_eq!(
            done.document(),
            json!({"outcome": "stored_and_notified", "waited_ms": 7, "record": {"id": "m"},
                   "notification": {"message_id": "m", "kind": "notify"}})
        );
        assert!(done.human().starts_with("stored and notified after 7 ms: "));
    }

    #[test]
    fn in_the_cloud_store_and_notify_ends_with_the_record_and_says_the_rest_is_email() {
        let mut seen = seen(true, false, true);
        assert_eq!(seen.outcome(1), None);
        seen.record = Some(json!({"id": "m"}));
        let done = seen.outcome(3).unwrap();
        assert_eq!(
            done.document(),
            json!({"outcome": "stored", "waited_ms": 3, "record": {"id": "m"},
                   "notification": "not_observable"})
        );
        assert!(done.human().ends_with(EMAIL_NOTE), "{}", done.human());
    }

    #[test]
    fn a_single_route_ends_with_its_one_outcome() {
        let mut store = seen(true, false, false);
        store.record = Some(json!({"id": "s"}));
        let stored = store.outcome(2).unwrap();
        assert_eq!(
            stored.document(),
            json!({"outcome": "stored", "waited_ms": 2, "record": {"id": "s"}})
        );
        let mut notify = seen(false, true, false);
        assert_eq!(notify.outcome(1), None);
        notify.notification = Some(json!({"kind": "notify"}));
        assert_eq!(notify.outcome(4).unwrap().outcome(), "notified");
    }
}
