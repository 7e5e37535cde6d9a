//! The handler's `Notifier` port on SQLite: what SNS would have emailed goes into the
//! `notifications` table (the local stack's outbox, served at `GET /notifications`) and
//! one log line. The table keeps one notification per queue message id
//! ([`InsertOnce`]), so a message redelivered after a crash between publish and delete
//! does not notify twice.

use std::sync::Arc;

use private_ingest_core::Notification;
use private_ingest_handler::{Clock, Notifier, NotifyError};
use serde_json::Value;

use super::insert_once::{InsertOnce, Written};
use crate::db::{ReadError, Reads, Writer};
use crate::faults::Faults;

#[derive(Debug, Clone)]
pub struct SqliteNotifier {
    rows: InsertOnce,
    reads: Reads,
}

/// One published notification as `GET /notifications` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The core `Notification`'s serde form, as stored.
    pub notification: Value,
    pub published_at_ms: i64,
}

impl SqliteNotifier {
    pub fn new(writer: Writer, reads: Reads, faults: Arc<Faults>, clock: Clock) -> Self {
        let rows = InsertOnce::new(
            writer,
            faults,
            clock,
            "notification",
            "INSERT INTO notifications (message_id, item, published_at_ms)
             VALUES (?1, ?2, ?3) ON CONFLICT (message_id) DO NOTHING",
        );
        Self { rows, reads }
    }

    /// The newest notifications first.
    pub async fn newest(&self, limit: u32) -> Result<Vec<Published>, ReadError> {
        self.reads
            .query(move |c| {
                let mut s = c.prepare_cached(
                    "SELECT item, published_at_ms FROM notifications ORDER BY seq DESC LIMIT ?1",
                )?;
                let rows = s.query_map([limit], |r| {
                    let item: String = r.get(0)?;
                    Ok(Published {
                        // Written by `publish` from serde_json, so it parses.
                        notification: serde_json::from_str(&item).map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                0,
                                rusqlite::types::Type::Text,
                                Box::new(e),
                            )
                        })?,
                        published_at_ms: r.get(1)?,
                    })
                })?;
                rows.collect()
            })
            .await
    }

    pub async fn count(&self) -> Result<i64, ReadError> {
        self.reads
            .query(|c| c.query_row("SELECT COUNT(*) FROM notifications", [], |r| r.get(0)))
            .await
    }
}

impl Notifier for SqliteNotifier {
    async fn publish(&self, notification: &Notification) -> Result<(), NotifyError> {
        let inserted = self
            .rows
            .insert(&notification.message_id, notification)
            .await
            .map_err(|error| {
                let (message, source) = error.into_parts();
                NotifyError { message, source }
            })?;
        if inserted == Written::Inserted {
            tracing::info!(
                target: "notification",
                message_id = %notification.message_id,
                kind = notification.kind.as_str(),
                subject = %notification.subject,
                "notification published"
            );
        } else {
            tracing::debug!(
                message_id = %notification.message_id,
                "notification already published for this message; not repeated"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_database::TestDatabase;
    use private_ingest_core::notification::for_notify_route;
    use private_ingest_core::{parse_message, Envelope, NotificationContent};
    use private_ingest_handler::fixed_clock;

    fn notifier(faults: Faults) -> (SqliteNotifier, TestDatabase) {
        let db = TestDatabase::new();
        let n = SqliteNotifier::new(
            db.writer.clone(),
            db.reads.clone(),
            Arc::new(faults),
            fixed_clock(42),
        );
        (n, db)
    }

    fn notification(id: &str) -> Notification {
        let m = parse_message(br#"{"Insert":"Dynamoooo"}"#).unwrap();
        for_notify_route(
            &m,
            &Envelope::new(id),
            None,
            0,
            NotificationContent::IdsOnly,
        )
        .unwrap()
    }

    #[tokio::test]
    async fn publishes_newest_first_and_once_per_message() {
        let (n, _db) = notifier(Faults::none());
        n.publish(&notification("m-1")).await.unwrap();
        n.publish(&notification("m-2")).await.unwrap();
        n.publish(&notification("m-1")).await.unwrap();
        let listed = n.newest(10).await.unwrap();
        let ids: Vec<String> = listed
            .iter()
            .map(|p| {
                let n: Notification = serde_json::from_value(p.notification.clone()).unwrap();
                n.message_id
            })
            .collect();
        assert_eq!(ids, ["m-2", "m-1"]);
        assert_eq!(listed[0].published_at_ms, 42);
        let back: Notification = serde_json::from_value(listed[1].notification.clone()).unwrap();
        assert_eq!(back, notification("m-1"));
        assert_eq!(n.count().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn injected_failures_publish_nothing() {
        let (n, _db) = notifier(Faults::new(1.0, 0, 7));
        assert!(n.publish(&notification("m-1")).await.is_err());
        assert_eq!(n.count().await.unwrap(), 0);
    }
}
