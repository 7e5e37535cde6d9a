//! The notify route with an `Idempotency-Key`: claim the key, publish, complete (see
//! [`crate::dedupe`] for the marker's rules and what stays at-least-once).

use std::time::Duration;

use private_ingest_core::{Envelope, KeyClash, Notification, Route};

use super::side_effects::reject_clash;
use super::{Deps, ItemError, Outcome};
use crate::dedupe::{Claim, Claimed, DedupeStore, MarkerStatus, DEDUPE_WINDOW_MS};
use crate::notify::Notifier;

/// Pauses before claiming again when another delivery holds the key in progress. A
/// client's retry often lands in a concurrent batch while the first delivery is between
/// its claim and its complete (milliseconds); looking again within about a second finds
/// it completed, where an item failure would wait a whole visibility timeout (three
/// minutes in the cloud) and count toward the dead-letter queue.
const IN_PROGRESS_RECHECKS: [Duration; 3] = [
    Duration::from_millis(50),
    Duration::from_millis(200),
    Duration::from_millis(750),
];

/// Publishes `notification` (which carries its key and body digest) unless its key was
/// already notified; a key in progress elsewhere is an item failure, a key used for
/// another body a "rejected" alert.
pub(super) async fn notify_once<S, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    notification: &Notification,
    body: &[u8],
    envelope: &Envelope,
    now_ms: i64,
) -> Result<Outcome, ItemError> {
    let (Some(key), Some(digest)) = (
        notification.idempotency_key.as_deref(),
        notification.body_sha256.as_deref(),
    ) else {
        unreachable!("the caller only routes keyed notifications here")
    };
    let claim_at = |now_ms: i64| {
        Claim::new(
            key,
            digest,
            &notification.message_id,
            now_ms,
            deps.in_progress_expiry,
        )
    };
    let mut claim = claim_at(now_ms);
    let mut claimed = deps.dedupe.claim(&claim).await?;
    for pause in IN_PROGRESS_RECHECKS {
        match &claimed {
            Claimed::Held(marker)
                if marker.status == MarkerStatus::InProgress && marker.body_sha256 == digest =>
            {
                tokio::time::sleep(pause).await;
                claim = claim_at((deps.clock)());
                claimed = deps.dedupe.claim(&claim).await?;
            }
            _ => break,
        }
    }
    match claimed {
        Claimed::Claimed => publish_claimed(deps, notification, &claim).await,
        Claimed::Held(marker) if marker.body_sha256 != digest => {
            let clash = KeyClash {
                key,
                keyed: true,
                first_message_id: Some(&marker.message_id),
                route: Route::Notify,
            };
            reject_clash(deps, &clash, body, envelope, now_ms).await
        }
        Claimed::Held(marker) => match marker.status {
            MarkerStatus::Completed => {
                tracing::info!(
                    key,
                    first_message_id = %marker.message_id,
                    "the notification for this Idempotency-Key was already published"
                );
                Ok(Outcome::AlreadyNotified)
            }
            MarkerStatus::InProgress => Err(ItemError::KeyInProgress {
                key: key.to_owned(),
                holder: marker.message_id,
            }),
        },
    }
}

/// The key is ours: publish, then complete the marker (or release it if the publish
/// failed, so the queue's retry can claim it at once).
async fn publish_claimed<S, N: Notifier, D: DedupeStore>(
    deps: &Deps<S, N, D>,
    notification: &Notification,
    claim: &Claim,
) -> Result<Outcome, ItemError> {
    if let Err(error) = deps.notifier.publish(notification).await {
        if let Err(release) = deps.dedupe.release(&claim.key, &claim.message_id).await {
            tracing::warn!(key = %claim.key, %release,
                "could not release the dedupe marker; retries wait until it expires");
        }
        return Err(error.into());
    }
    let expires_at_ms = (deps.clock)().saturating_add(DEDUPE_WINDOW_MS);
    match deps
        .dedupe
        .complete(&claim.key, &claim.message_id, expires_at_ms)
        .await
    {
        Ok(true) => {}
        // Published either way, so the message is done; what is left is at-least-once.
        Ok(false) => tracing::warn!(key = %claim.key,
            "published after the dedupe claim expired and another delivery took the key; \
             the notification may be sent twice"),
        Err(error) => tracing::warn!(key = %claim.key, %error,
            in_progress_until_ms = claim.in_progress_until_ms,
            "published, but the dedupe marker could not be completed; a retry with this key \
             after in_progress_until may notify again"),
    }
    Ok(Outcome::Notified)
}
