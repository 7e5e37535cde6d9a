//! The durable queue: SQS standard-queue semantics on SQLite.
//!
//! - `send` gives each message an id (a UUID, as SQS does) and its sent time, and returns
//!   only once the message is committed to disk (group commit, see [`crate::db::writer`]).
//! - `receive` hands out visible messages, hides them for the visibility timeout, counts
//!   the receive, and moves a message that was already received `max_receive_count` times
//!   to the dead-letter table instead (the SQS redrive policy).
//! - `delete` removes processed messages. A message that is not deleted becomes visible
//!   again when its visibility timeout ends, and is received again.
//!
//! - [`redrive`] moves dead letters back, as SQS's redrive does.
//!
//! Clock readings are arguments, so tests can move time.

pub mod redrive;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use tokio::sync::Notify;

use crate::db::{ReadError, Reads, WriteError, Writer};

/// Message attributes (name to string value), as the API's SQS integration sets them.
pub type Attributes = BTreeMap<String, String>;

/// How the queue behaves (from the flags; SQS's VisibilityTimeout and the redrive
/// policy's maxReceiveCount).
#[derive(Debug, Clone, Copy)]
pub struct QueueOptions {
    pub visibility_timeout: Duration,
    pub max_receive_count: u32,
}

/// The queue; cheap to clone.
#[derive(Debug, Clone)]
pub struct Queue {
    writer: Writer,
    reads: Reads,
    options: QueueOptions,
    arrivals: Arc<Notify>,
}

/// A message the queue has taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub message_id: String,
    pub sent_at_ms: i64,
}

/// A message handed out by [`Queue::receive`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    /// New at every receive, as in SQS.
    pub receipt_handle: String,
    pub body: String,
    pub attributes: Attributes,
    pub sent_at_ms: i64,
    /// Receives so far, this one included.
    pub receive_count: u32,
    pub first_received_at_ms: i64,
}

/// What one [`Queue::receive`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedBatch {
    pub messages: Vec<ReceivedMessage>,
    /// Ids moved to the dead-letter table instead of being received again.
    pub dead_lettered: Vec<String>,
    /// When the earliest hidden message becomes visible, if fewer messages than asked
    /// for were received (so an idle poller knows how long it may sleep).
    pub next_visible_at_ms: Option<i64>,
}

/// A message that failed `max_receive_count` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    pub message_id: String,
    pub body: String,
    pub attributes: Attributes,
    pub sent_at_ms: i64,
    pub receive_count: u32,
    pub dead_lettered_at_ms: i64,
}

/// How many messages are where, at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// Waiting to be received (SQS ApproximateNumberOfMessagesVisible).
    pub visible: i64,
    /// Received and not yet deleted (SQS ApproximateNumberOfMessagesNotVisible).
    pub in_flight: i64,
    pub dead_letters: i64,
}

impl Queue {
    pub fn new(writer: Writer, reads: Reads, options: QueueOptions) -> Self {
        Self {
            writer,
            reads,
            options,
            arrivals: Arc::new(Notify::new()),
        }
    }

    /// Signalled after every send; the poller waits on it when the queue is empty.
    pub fn arrivals(&self) -> &Notify {
        &self.arrivals
    }

    /// Stores a message durably; `Ok` only once it is committed to disk.
    pub async fn send(
        &self,
        body: String,
        attributes: &Attributes,
        now_ms: i64,
    ) -> Result<SentMessage, WriteError> {
        let message_id = uuid::Uuid::new_v4().to_string();
        let attributes = attributes_json(attributes);
        let id = message_id.clone();
        self.writer
            .execute(move |c| {
                c.prepare_cached(
                    "INSERT INTO messages (id, body, attributes, sent_at_ms, visible_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                )?
                .execute(params![id, body, attributes, now_ms])
            })
            .await?;
        self.arrivals.notify_one();
        Ok(SentMessage {
            message_id,
            sent_at_ms: now_ms,
        })
    }

    /// Receives up to `max` visible messages (oldest first, best effort as in SQS).
    pub async fn receive(&self, max: usize, now_ms: i64) -> Result<ReceivedBatch, WriteError> {
        let options = self.options;
        self.writer
            .execute(move |c| receive_in(c, max, now_ms, options))
            .await
    }

    /// Deletes processed messages; returns how many were still there.
    pub async fn delete(&self, message_ids: Vec<String>) -> Result<usize, WriteError> {
        if message_ids.is_empty() {
            return Ok(0);
        }
        self.writer
            .execute(move |c| {
                let mut delete = c.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
                message_ids
                    .iter()
                    .try_fold(0, |n, id| Ok(n + delete.execute([id])?))
            })
            .await
    }

    /// The newest dead letters first.
    pub async fn dead_letters(&self, limit: u32) -> Result<Vec<DeadLetter>, ReadError> {
        self.reads
            .query(move |c| {
                let mut s = c.prepare_cached(
                    "SELECT id, body, attributes, sent_at_ms, receive_count, dead_lettered_at_ms
                     FROM dead_letters ORDER BY seq DESC LIMIT ?1",
                )?;
                let rows = s.query_map([limit], |r| {
                    Ok(DeadLetter {
                        message_id: r.get(0)?,
                        body: r.get(1)?,
                        attributes: attributes_from_json(&r.get::<_, String>(2)?),
                        sent_at_ms: r.get(3)?,
                        receive_count: r.get(4)?,
                        dead_lettered_at_ms: r.get(5)?,
                    })
                })?;
                rows.collect()
            })
            .await
    }

    /// When the oldest message still on the queue (visible or in flight) was sent; none
    /// when the queue is empty (what SQS's ApproximateAgeOfOldestMessage measures).
    pub async fn oldest_sent_at_ms(&self) -> Result<Option<i64>, ReadError> {
        self.reads
            .query(|c| {
                // Messages are inserted in sent order, so the lowest `seq` (the rowid) is
                // the oldest: one index lookup per scrape, not a scan of the queue.
                c.query_row(
                    "SELECT sent_at_ms FROM messages ORDER BY seq LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()
            })
            .await
    }

    pub async fn depth(&self, now_ms: i64) -> Result<QueueDepth, ReadError> {
        self.reads
            .query(move |c| {
                c.query_row(
                    "SELECT
                       (SELECT COUNT(*) FROM messages WHERE visible_at_ms <= ?1),
                       (SELECT COUNT(*) FROM messages WHERE visible_at_ms > ?1),
                       (SELECT COUNT(*) FROM dead_letters)",
                    [now_ms],
                    |r| {
                        Ok(QueueDepth {
                            visible: r.get(0)?,
                            in_flight: r.get(1)?,
                            dead_letters: r.get(2)?,
                        })
                    },
                )
            })
            .await
    }
}

/// The receive, inside the writer's transaction.
fn receive_in(
    c: &Connection,
    max: usize,
    now_ms: i64,
    options: QueueOptions,
) -> rusqlite::Result<ReceivedBatch> {
    let hidden_until = now_ms
        .saturating_add(i64::try_from(options.visibility_timeout.as_millis()).unwrap_or(i64::MAX));
    let mut batch = ReceivedBatch::default();
    // Dead-lettering frees slots, so look again until the batch is full or nothing is left.
    while batch.messages.len() < max {
        let want = max - batch.messages.len();
        let candidates = visible_messages(c, now_ms, want)?;
        if candidates.is_empty() {
            break;
        }
        for m in candidates {
            if m.receive_count >= options.max_receive_count {
                dead_letter(c, m.seq, now_ms)?;
                batch.dead_lettered.push(m.message_id);
                continue;
            }
            let receipt_handle = uuid::Uuid::new_v4().to_string();
            c.prepare_cached(
                "UPDATE messages SET receive_count = receive_count + 1, visible_at_ms = ?2,
                   receipt_handle = ?3, first_received_at_ms = COALESCE(first_received_at_ms, ?4)
                 WHERE seq = ?1",
            )?
            .execute(params![m.seq, hidden_until, receipt_handle, now_ms])?;
            batch.messages.push(ReceivedMessage {
                message_id: m.message_id,
                receipt_handle,
                body: m.body,
                attributes: attributes_from_json(&m.attributes),
                sent_at_ms: m.sent_at_ms,
                receive_count: m.receive_count + 1,
                first_received_at_ms: m.first_received_at_ms.unwrap_or(now_ms),
            });
        }
    }
    if batch.messages.len() < max {
        batch.next_visible_at_ms = c
            .query_row("SELECT MIN(visible_at_ms) FROM messages", [], |r| r.get(0))
            .optional()?
            .flatten();
    }
    Ok(batch)
}

struct Stored {
    seq: i64,
    message_id: String,
    body: String,
    attributes: String,
    sent_at_ms: i64,
    receive_count: u32,
    first_received_at_ms: Option<i64>,
}

fn visible_messages(c: &Connection, now_ms: i64, limit: usize) -> rusqlite::Result<Vec<Stored>> {
    let mut s = c.prepare_cached(
        "SELECT seq, id, body, attributes, sent_at_ms, receive_count, first_received_at_ms
         FROM messages WHERE visible_at_ms <= ?1 ORDER BY visible_at_ms, seq LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = s.query_map(params![now_ms, limit], |r| {
        Ok(Stored {
            seq: r.get(0)?,
            message_id: r.get(1)?,
            body: r.get(2)?,
            attributes: r.get(3)?,
            sent_at_ms: r.get(4)?,
            receive_count: r.get(5)?,
            first_received_at_ms: r.get(6)?,
        })
    })?;
    rows.collect()
}

fn dead_letter(c: &Connection, seq: i64, now_ms: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO dead_letters (id, body, attributes, sent_at_ms, receive_count, dead_lettered_at_ms)
         SELECT id, body, attributes, sent_at_ms, receive_count, ?2 FROM messages WHERE seq = ?1
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![seq, now_ms])?;
    c.prepare_cached("DELETE FROM messages WHERE seq = ?1")?
        .execute([seq])?;
    Ok(())
}

fn attributes_json(attributes: &Attributes) -> String {
    // A map of strings always serialises.
    serde_json::to_string(attributes).unwrap_or_else(|_| "{}".into())
}

/// Attributes as stored; a row this process did not write is read as having none.
fn attributes_from_json(text: &str) -> Attributes {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_database::TestDatabase;

    const VT: Duration = Duration::from_secs(30);

    struct Fixture {
        queue: Queue,
        _db: TestDatabase,
    }

    fn queue(max_receive_count: u32) -> Fixture {
        let db = TestDatabase::new();
        let options = QueueOptions {
            visibility_timeout: VT,
            max_receive_count,
        };
        Fixture {
            queue: Queue::new(db.writer.clone(), db.reads.clone(), options),
            _db: db,
        }
    }

    fn attrs() -> Attributes {
        Attributes::from([("requestId".to_owned(), "r-1".to_owned())])
    }

    #[tokio::test]
    async fn a_sent_message_is_received_with_its_attributes_and_counts() {
        let f = queue(5);
        let sent = f.queue.send("b1".into(), &attrs(), 1_000).await.unwrap();
        assert_eq!(sent.message_id.len(), 36, "a UUID, as SQS message ids are");
        let r = f.queue.receive(10, 2_000).await.unwrap();
        assert_eq!(r.messages.len(), 1);
        let m = &r.messages[0];
        assert_eq!(
            (m.message_id.as_str(), m.body.as_str()),
            (sent.message_id.as_str(), "b1")
        );
        assert_eq!(m.attributes, attrs());
        assert_eq!(
            (m.sent_at_ms, m.receive_count, m.first_received_at_ms),
            (1_000, 1, 2_000)
        );
        assert_eq!(r.next_visible_at_ms, Some(2_000 + 30_000));
    }

    #[tokio::test]
    async fn a_received_message_is_hidden_until_its_visibility_timeout_ends() {
        let f = queue(5);
        f.queue.send("b".into(), &attrs(), 0).await.unwrap();
        let first = f.queue.receive(10, 0).await.unwrap();
        assert_eq!(f.queue.receive(10, 29_999).await.unwrap().messages, []);
        let again = f.queue.receive(10, 30_000).await.unwrap();
        assert_eq!(again.messages.len(), 1);
        assert_eq!(again.messages[0].receive_count, 2);
        assert_eq!(again.messages[0].first_received_at_ms, 0);
        assert_ne!(
            again.messages[0].receipt_handle, first.messages[0].receipt_handle,
            "each receive gets a new receipt handle"
        );
    }

    #[tokio::test]
    async fn a_deleted_message_never_comes_back() {
        let f = queue(5);
        let sent = f.queue.send("b".into(), &attrs(), 0).await.unwrap();
        f.queue.receive(10, 0).await.unwrap();
        assert_eq!(
            f.queue.delete(vec![sent.message_id.clone()]).await.unwrap(),
            1
        );
        assert_eq!(
            f.queue.receive(10, 100_000).await.unwrap(),
            ReceivedBatch::default()
        );
        assert_eq!(f.queue.delete(vec![sent.message_id]).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn receives_at_most_max_oldest_first() {
        let f = queue(5);
        for i in 0..5 {
            f.queue.send(format!("b{i}"), &attrs(), i).await.unwrap();
        }
        let r = f.queue.receive(3, 10).await.unwrap();
        let bodies: Vec<_> = r.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["b0", "b1", "b2"]);
        assert_eq!(
            r.next_visible_at_ms, None,
            "a full batch does not look further"
        );
        assert_eq!(f.queue.receive(3, 10).await.unwrap().messages.len(), 2);
    }

    #[tokio::test]
    async fn after_max_receive_count_receives_the_message_is_dead_lettered() {
        let f = queue(2);
        let sent = f.queue.send("poison".into(), &attrs(), 0).await.unwrap();
        let mut now = 10;
        for expected_count in 1..=2 {
            let r = f.queue.receive(1, now).await.unwrap();
            assert_eq!(r.messages[0].message_id, sent.message_id);
            assert_eq!(r.messages[0].receive_count, expected_count);
            now += 30_000;
        }
        let later = f.queue.send("fine".into(), &attrs(), now).await.unwrap();
        // Third receive: the poison message moves to the DLQ and its slot goes to the next.
        let r = f.queue.receive(1, now).await.unwrap();
        assert_eq!(r.dead_lettered, std::slice::from_ref(&sent.message_id));
        assert_eq!(r.messages[0].message_id, later.message_id);
        let dead = f.queue.dead_letters(10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(
            (
                dead[0].message_id.as_str(),
                dead[0].body.as_str(),
                dead[0].receive_count
            ),
            (sent.message_id.as_str(), "poison", 2)
        );
        assert_eq!(dead[0].attributes, attrs());
        let depth = f.queue.depth(now).await.unwrap();
        assert_eq!(
            depth,
            QueueDepth {
                visible: 0,
                in_flight: 1,
                dead_letters: 1
            }
        );
    }
}
