//! The notify route's dedupe port: [`DedupeStore`], one marker per `Idempotency-Key`, so
//! a notification is published at most once per key within
//! [`NOTIFICATION_DEDUPE_SECONDS`](private_ingest_core::contract::NOTIFICATION_DEDUPE_SECONDS)
//! (the Powertools idempotency pattern). Adapters: [`dynamodb`] (feature `aws`: a table
//! with DynamoDB TTL on `expires_at`) and [`memory`] (tests); the local stack's is on
//! SQLite.
//!
//! A message with a key first **claims** the key: a conditional write of an in-progress
//! marker that succeeds when there is no live marker (none, one past `expires_at`, or an
//! in-progress one past `in_progress_until`, whose writer has ended). It then publishes,
//! and **completes** the marker; a failed publish **releases** it so a retry can claim it
//! at once. A claim that finds a live marker gets it back in the same call:
//! - completed, same body digest: the notification was sent; nothing more to do;
//! - in progress, same digest: another delivery is publishing; the queue retries later;
//! - another digest: the key was reused for a different body; the message is rejected.
//!
//! What stays at-least-once: a crash (or a failed `complete`) after the publish leaves an
//! in-progress marker; once `in_progress_until` has passed, a retry with the key claims it
//! again and publishes a second time.

#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod memory;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use private_ingest_core::contract::NOTIFICATION_DEDUPE_SECONDS;

/// What a marker says about its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerStatus {
    /// A delivery claimed the key and is publishing.
    InProgress,
    /// The notification for the key was published.
    Completed,
}

impl MarkerStatus {
    /// How adapters store it.
    pub const fn as_str(self) -> &'static str {
        match self {
            MarkerStatus::InProgress => "IN_PROGRESS",
            MarkerStatus::Completed => "COMPLETED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "IN_PROGRESS" => Some(MarkerStatus::InProgress),
            "COMPLETED" => Some(MarkerStatus::Completed),
            _ => None,
        }
    }
}

/// A live marker another delivery left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub status: MarkerStatus,
    /// The message that claimed the key.
    pub message_id: String,
    /// SHA-256 (hex) of that message's body.
    pub body_sha256: String,
}

/// One delivery's claim on a key. Times are epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: String,
    pub body_sha256: String,
    /// The claiming message; only it may complete or release the marker.
    pub message_id: String,
    pub now_ms: i64,
    /// Until then the marker holds the key; after it, the delivery that wrote it has
    /// ended (the Lambda's timeout, the local visibility timeout) and a retry may claim.
    pub in_progress_until_ms: i64,
    /// When the marker stops deduplicating at all (DynamoDB TTL then removes it).
    pub expires_at_ms: i64,
}

/// How long a marker deduplicates, in milliseconds.
pub(crate) const DEDUPE_WINDOW_MS: i64 = (NOTIFICATION_DEDUPE_SECONDS * 1000) as i64;

impl Claim {
    /// `message_id`'s claim on `key` at `now_ms`: in progress for `in_progress_for` (the
    /// delivery's own time limit), deduplicating for [`NOTIFICATION_DEDUPE_SECONDS`].
    pub fn new(
        key: &str,
        body_sha256: &str,
        message_id: &str,
        now_ms: i64,
        in_progress_for: Duration,
    ) -> Self {
        let in_progress_ms = i64::try_from(in_progress_for.as_millis()).unwrap_or(i64::MAX);
        Self {
            key: key.to_owned(),
            body_sha256: body_sha256.to_owned(),
            message_id: message_id.to_owned(),
            now_ms,
            in_progress_until_ms: now_ms.saturating_add(in_progress_ms),
            expires_at_ms: now_ms.saturating_add(DEDUPE_WINDOW_MS),
        }
    }
}

/// What a claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The key is this delivery's: publish, then complete.
    Claimed,
    /// A live marker holds the key; nothing was written.
    Held(Marker),
}

/// Where dedupe markers live (a DynamoDB table in AWS, SQLite locally).
pub trait DedupeStore: Send + Sync {
    /// Writes an in-progress marker for `claim.key` unless a live marker holds it, and
    /// returns that marker if so (one call).
    fn claim(&self, claim: &Claim) -> impl Future<Output = Result<Claimed, DedupeError>> + Send;

    /// Marks the key completed until `expires_at_ms`, if `message_id` still holds it; false
    /// when it no longer does (its claim expired and another delivery took the key).
    fn complete(
        &self,
        key: &str,
        message_id: &str,
        expires_at_ms: i64,
    ) -> impl Future<Output = Result<bool, DedupeError>> + Send;

    /// Removes the in-progress marker `message_id` holds on `key`, so a retry can claim it
    /// now; does nothing if it holds none.
    fn release(
        &self,
        key: &str,
        message_id: &str,
    ) -> impl Future<Output = Result<(), DedupeError>> + Send;
}

impl<T: DedupeStore> DedupeStore for Arc<T> {
    fn claim(&self, claim: &Claim) -> impl Future<Output = Result<Claimed, DedupeError>> + Send {
        T::claim(self, claim)
    }

    fn complete(
        &self,
        key: &str,
        message_id: &str,
        expires_at_ms: i64,
    ) -> impl Future<Output = Result<bool, DedupeError>> + Send {
        T::complete(self, key, message_id, expires_at_ms)
    }

    fn release(
        &self,
        key: &str,
        message_id: &str,
    ) -> impl Future<Output = Result<(), DedupeError>> + Send {
        T::release(self, key, message_id)
    }
}

crate::port_error::port_error!(
    /// The dedupe store could not answer (after the SDK's own retries).
    DedupeError,
    "dedupe store failed"
);
