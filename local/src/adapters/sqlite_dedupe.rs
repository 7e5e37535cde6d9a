//! The handler's `DedupeStore` port on SQLite: the `dedupe_markers` table, one marker per
//! `Idempotency-Key` (the DynamoDB dedupe table's twin). One writer thread runs every
//! write, so a claim's read and write in one operation are as atomic as DynamoDB's
//! conditional put. Expired markers are treated as absent by every claim and deleted by
//! [`SqliteDedupe::sweep`], which the stack runs every [`SWEEP_INTERVAL`] (DynamoDB TTL's
//! job in the cloud).

use std::time::Duration;

use private_ingest_handler::{Claim, Claimed, DedupeError, DedupeStore, Marker, MarkerStatus};
use rusqlite::{params, OptionalExtension};

use crate::db::{ReadError, Reads, WriteError, Writer};

/// How often expired markers are deleted. They stop deduplicating at `expires_at_ms`
/// whether swept or not; the sweep only bounds the table (one row per key in a day).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Clone)]
pub struct SqliteDedupe {
    writer: Writer,
    reads: Reads,
}

fn failed(call: &str, error: WriteError) -> DedupeError {
    DedupeError::with_source(format!("dedupe {call} in SQLite"), error)
}

impl SqliteDedupe {
    pub fn new(writer: Writer, reads: Reads) -> Self {
        Self { writer, reads }
    }

    /// Deletes the markers past their `expires_at_ms`; returns how many.
    pub async fn sweep(&self, now_ms: i64) -> Result<usize, WriteError> {
        self.writer
            .execute(move |c| {
                c.prepare_cached("DELETE FROM dedupe_markers WHERE expires_at_ms < ?1")?
                    .execute([now_ms])
            })
            .await
    }

    /// The marker of `key`, live or not (for tests and `GET /healthz`).
    pub async fn marker(&self, key: String) -> Result<Option<(Marker, i64)>, ReadError> {
        self.reads
            .query(move |c| {
                c.prepare_cached(
                    "SELECT status, message_id, body_sha256, expires_at_ms
                     FROM dedupe_markers WHERE key = ?1",
                )?
                .query_row([key], |r| {
                    let status: String = r.get(0)?;
                    Ok((
                        Marker {
                            status: MarkerStatus::parse(&status)
                                .unwrap_or(MarkerStatus::InProgress),
                            message_id: r.get(1)?,
                            body_sha256: r.get(2)?,
                        },
                        r.get(3)?,
                    ))
                })
                .optional()
            })
            .await
    }

    pub async fn count(&self) -> Result<i64, ReadError> {
        self.reads
            .query(|c| c.query_row("SELECT COUNT(*) FROM dedupe_markers", [], |r| r.get(0)))
            .await
    }
}

const IN_PROGRESS: &str = MarkerStatus::InProgress.as_str();
const COMPLETED: &str = MarkerStatus::Completed.as_str();

impl DedupeStore for SqliteDedupe {
    async fn claim(&self, claim: &Claim) -> Result<Claimed, DedupeError> {
        let claim = claim.clone();
        self.writer
            .execute(move |c| {
                // The same rule as the DynamoDB condition: a marker holds its key until
                // expires_at, and an in-progress one only until in_progress_until.
                let live = c
                    .prepare_cached(
                        "SELECT status, message_id, body_sha256 FROM dedupe_markers
                         WHERE key = ?1 AND expires_at_ms >= ?2
                           AND (status = ?3 OR in_progress_until_ms >= ?2)",
                    )?
                    .query_row(params![claim.key, claim.now_ms, COMPLETED], |r| {
                        let status: String = r.get(0)?;
                        Ok(Marker {
                            status: MarkerStatus::parse(&status)
                                .unwrap_or(MarkerStatus::InProgress),
                            message_id: r.get(1)?,
                            body_sha256: r.get(2)?,
                        })
                    })
                    .optional()?;
                if let Some(marker) = live {
                    return Ok(Claimed::Held(marker));
                }
                c.prepare_cached(
                    "INSERT OR REPLACE INTO dedupe_markers
                     (key, status, message_id, body_sha256, in_progress_until_ms, expires_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    claim.key,
                    IN_PROGRESS,
                    claim.message_id,
                    claim.body_sha256,
                    claim.in_progress_until_ms,
                    claim.expires_at_ms
                ])?;
                Ok(Claimed::Claimed)
            })
            .await
            .map_err(|e| failed("claim", e))
    }

    async fn complete(
        &self,
        key: &str,
        message_id: &str,
        expires_at_ms: i64,
    ) -> Result<bool, DedupeError> {
        let (key, message_id) = (key.to_owned(), message_id.to_owned());
        self.writer
            .execute(move |c| {
                c.prepare_cached(
                    "UPDATE dedupe_markers SET status = ?1, expires_at_ms = ?2
                     WHERE key = ?3 AND message_id = ?4 AND status = ?5",
                )?
                .execute(params![
                    COMPLETED,
                    expires_at_ms,
                    key,
                    message_id,
                    IN_PROGRESS
                ])
                .map(|updated| updated == 1)
            })
            .await
            .map_err(|e| failed("complete", e))
    }

    async fn release(&self, key: &str, message_id: &str) -> Result<(), DedupeError> {
        let (key, message_id) = (key.to_owned(), message_id.to_owned());
        self.writer
            .execute(move |c| {
                c.prepare_cached(
                    "DELETE FROM dedupe_markers WHERE key = ?1 AND message_id = ?2 AND status = ?3",
                )?
                .execute(params![key, message_id, IN_PROGRESS])
            })
            .await
            .map(drop)
            .map_err(|e| failed("release", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_database::TestDatabase;

    const NOW: i64 = 1_700_000_000_000;

    fn claim(message_id: &str, digest: &str, now_ms: i64) -> Claim {
        Claim::new("k", digest, message_id, now_ms, Duration::from_secs(30))
    }

    fn dedupe() -> (SqliteDedupe, TestDatabase) {
        let db = TestDatabase::new();
        (SqliteDedupe::new(db.writer.clone(), db.reads.clone()), db)
    }

    #[tokio::test]
    async fn a_claim_holds_the_key_until_completed_and_then_for_the_window() {
        let (d, _db) = dedupe();
        assert_eq!(
            d.claim(&claim("m-1", "a", NOW)).await.unwrap(),
            Claimed::Claimed
        );
        let Claimed::Held(held) = d.claim(&claim("m-2", "a", NOW + 1)).await.unwrap() else {
            panic!("held in progress")
        };
        assert_eq!(
            (held.status, held.message_id.as_str()),
            (MarkerStatus::InProgress, "m-1")
        );
        assert!(d.complete("k", "m-1", NOW + 86_400_000).await.unwrap());
        let Claimed::Held(held) = d.claim(&claim("m-2", "b", NOW + 60_000)).await.unwrap() else {
            panic!("held completed")
        };
        assert_eq!(
            (held.status, held.body_sha256.as_str()),
            (MarkerStatus::Completed, "a")
        );
        assert_eq!(
            d.claim(&claim("m-3", "a", NOW + 86_400_001)).await.unwrap(),
            Claimed::Claimed,
            "past its window the key is free again"
        );
    }

    #[tokio::test]
    async fn an_expired_in_progress_claim_is_taken_over_and_its_writer_can_no_longer_complete() {
        let (d, _db) = dedupe();
        d.claim(&claim("m-1", "a", NOW)).await.unwrap();
        assert_eq!(
            d.claim(&claim("m-2", "a", NOW + 30_001)).await.unwrap(),
            Claimed::Claimed
        );
        assert!(!d.complete("k", "m-1", NOW + 1).await.unwrap());
        d.release("k", "m-1").await.unwrap();
        assert_eq!(
            d.marker("k".into()).await.unwrap().unwrap().0.message_id,
            "m-2"
        );
    }

    #[tokio::test]
    async fn a_release_frees_the_key_and_the_sweep_deletes_expired_markers() {
        let (d, _db) = dedupe();
        d.claim(&claim("m-1", "a", NOW)).await.unwrap();
        d.release("k", "m-1").await.unwrap();
        assert_eq!(d.count().await.unwrap(), 0);
        d.claim(&claim("m-1", "a", NOW)).await.unwrap();
        d.complete("k", "m-1", NOW + 1_000).await.unwrap();
        assert_eq!(d.sweep(NOW + 1_000).await.unwrap(), 0, "not yet expired");
        assert_eq!(d.sweep(NOW + 1_001).await.unwrap(), 1);
        assert_eq!(d.count().await.unwrap(), 0);
    }
}
