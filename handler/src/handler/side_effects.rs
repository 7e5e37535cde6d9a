//! The side effects of a plan: the record's conditional put and the notification's
//! publish (at most once per `Idempotency-Key`), and the "rejected" alert about a record
//! id or key used for another body.

use private_ingest_core::idempotency::is_retry;
use private_ingest_core::notification::for_reused_key;
use private_ingest_core::{Envelope, KeyClash, Notification, NotificationKind, Record, Route};

use super::{notify_once, Deps, ItemError, Outcome};
use crate::dedupe::DedupeStore;
use crate::notify::Notifier;
use crate::store::{ExistingRecord, PutIfAbsent, RecordStore};

/// The conditional put: stored, already stored (a redelivery or a retry with the same
/// key and body), or a "rejected" alert when the id was used for another body.
pub(super) async fn store<S: RecordStore, N: Notifier, D>(
    deps: &Deps<S, N, D>,
    record: &Record,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Outcome, ItemError> {
    match deps.store.put_if_absent(record).await {
        Ok(PutIfAbsent::Stored) => Ok(Outcome::Stored),
        Ok(PutIfAbsent::Exists(existing))
            if is_retry(
                record.body_sha256.as_deref(),
                existing.body_sha256.as_deref(),
            ) =>
        {
            Ok(Outcome::AlreadyStored)
        }
        Ok(PutIfAbsent::Exists(existing)) => {
            let clash = store_clash(record, &existing);
            reject_clash(deps, &clash, body, envelope, now_ms).await
        }
        Err(error) => Err(error.into()),
    }
}

/// Publishes a notification: at most once per `Idempotency-Key` when it has one.
pub(super) async fn notify<S, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    notification: &Notification,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Outcome, ItemError> {
    match notification.kind {
        NotificationKind::Notify if notification.idempotency_key.is_some() => {
            notify_once::notify_once(deps, notification, body, envelope, now_ms).await
        }
        kind => {
            let done = match kind {
                NotificationKind::Notify => Outcome::Notified,
                NotificationKind::Rejected => Outcome::Rejected,
            };
            deps.notifier
                .publish(notification)
                .await
                .map(|()| done)
                .map_err(ItemError::from)
        }
    }
}

/// The clash a store-route put found: a key reused for another body, or (without a key)
/// this message's id taken as another request's key.
fn store_clash<'a>(record: &'a Record, existing: &'a ExistingRecord) -> KeyClash<'a> {
    KeyClash {
        key: &record.id,
        keyed: record.body_sha256.is_some(),
        // A record without `message_id` was stored without a key: its id is its message's.
        first_message_id: Some(existing.message_id.as_deref().unwrap_or(&record.id)),
        route: Route::Store,
    }
}

/// Publishes the "rejected" alert about a clash; the message is then done.
pub(super) async fn reject_clash<S, N: Notifier, D>(
    deps: &Deps<S, N, D>,
    clash: &KeyClash<'_>,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Outcome, ItemError> {
    let alert = for_reused_key(clash, body, envelope, now_ms, deps.notification_content)?;
    tracing::warn!(
        key = clash.key,
        first_message_id = clash.first_message_id,
        "the record id or Idempotency-Key was already used for a different body; rejected"
    );
    deps.notifier.publish(&alert).await?;
    Ok(Outcome::Rejected)
}
