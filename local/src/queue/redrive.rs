//! Dead letters back to the queue, as SQS's redrive (`StartMessageMoveTask`) moves them:
//! oldest first, each as a new message (a new message id, sent now, received zero
//! times) with its body and attributes as they were, plus the `idempotencyKey` the core
//! gives a redriven message (its first message id when it had no key).
//!
//! One call moves at most `max` dead letters in one transaction of the writer: a dead
//! letter is in exactly one of the two tables at every commit, so a crash in the middle
//! of a redrive neither loses nor duplicates one.

use private_ingest_core::contract::{redriven_idempotency_key, IDEMPOTENCY_KEY_ATTRIBUTE};
use rusqlite::{params, Connection};
use serde::Serialize;

use super::{attributes_from_json, attributes_json, Queue};
use crate::db::WriteError;

/// One dead letter moved back to the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redriven {
    /// Its message id as a dead letter.
    pub message_id: String,
    /// The new message's id on the queue.
    pub redriven_as: String,
}

/// What one [`Queue::redrive`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Redrive {
    pub moved: Vec<Redriven>,
    /// Dead letters left after this call.
    pub remaining: i64,
}

impl Queue {
    /// Moves up to `max` of the oldest dead letters back to the queue, visible at once.
    pub async fn redrive(&self, max: u32, now_ms: i64) -> Result<Redrive, WriteError> {
        let redrive = self
            .writer
            .execute(move |c| redrive_in(c, max, now_ms))
            .await?;
        if !redrive.moved.is_empty() {
            self.arrivals.notify_waiters();
            self.arrivals.notify_one();
        }
        Ok(redrive)
    }
}

struct DeadRow {
    seq: i64,
    message_id: String,
    body: String,
    attributes: String,
}

fn redrive_in(c: &Connection, max: u32, now_ms: i64) -> rusqlite::Result<Redrive> {
    let oldest: Vec<DeadRow> = c
        .prepare_cached(
            "SELECT seq, id, body, attributes FROM dead_letters ORDER BY seq ASC LIMIT ?1",
        )?
        .query_map([max], |r| {
            Ok(DeadRow {
                seq: r.get(0)?,
                message_id: r.get(1)?,
                body: r.get(2)?,
                attributes: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut moved = Vec::with_capacity(oldest.len());
    for dead in oldest {
        let mut attributes = attributes_from_json(&dead.attributes);
        let key = redriven_idempotency_key(
            attributes
                .get(IDEMPOTENCY_KEY_ATTRIBUTE)
                .map(String::as_str),
            &dead.message_id,
        )
        .to_owned();
        attributes.insert(IDEMPOTENCY_KEY_ATTRIBUTE.to_owned(), key);
        let redriven_as = uuid::Uuid::new_v4().to_string();
        c.prepare_cached(
            "INSERT INTO messages (id, body, attributes, sent_at_ms, visible_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![
            redriven_as,
            dead.body,
            attributes_json(&attributes),
            now_ms
        ])?;
        c.prepare_cached("DELETE FROM dead_letters WHERE seq = ?1")?
            .execute([dead.seq])?;
        moved.push(Redriven {
            message_id: dead.message_id,
            redriven_as,
        });
    }
    let remaining = c.query_row("SELECT COUNT(*) FROM dead_letters", [], |r| r.get(0))?;
    Ok(Redrive { moved, remaining })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::db::test_database::TestDatabase;
    use crate::queue::{Attributes, QueueOptions};

    fn queue(db: &TestDatabase) -> Queue {
        let options = QueueOptions {
            visibility_timeout: Duration::from_secs(30),
            max_receive_count: 1,
        };
        Queue::new(db.writer.clone(), db.reads.clone(), options)
    }

    /// Sends `bodies` and receives each twice, so each is dead-lettered at the second.
    async fn dead_letter(q: &Queue, bodies: &[&str], attributes: &Attributes) -> Vec<String> {
        let mut ids = Vec::new();
        for body in bodies {
            ids.push(
                q.send((*body).into(), attributes, 0)
                    .await
                    .unwrap()
                    .message_id,
            );
        }
        q.receive(100, 0).await.unwrap();
        let second = q.receive(100, 60_000).await.unwrap();
        assert_eq!(second.dead_lettered.len(), bodies.len());
        ids
    }

    #[tokio::test]
    async fn dead_letters_go_back_oldest_first_as_new_messages_with_their_attributes() {
        let db = TestDatabase::new();
        let q = queue(&db);
        let attributes = Attributes::from([("requestId".to_owned(), "r-1".to_owned())]);
        let ids = dead_letter(&q, &["b0", "b1", "b2"], &attributes).await;

        let first = q.redrive(2, 100_000).await.unwrap();

        assert_eq!(first.remaining, 1);
        let moved: Vec<_> = first.moved.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(moved, [ids[0].as_str(), ids[1].as_str()], "oldest first");
        let received = q.receive(10, 100_000).await.unwrap().messages;
        assert_eq!(received.len(), 2);
        for (m, redriven) in received.iter().zip(&first.moved) {
            assert_eq!(m.message_id, redriven.redriven_as, "a new message id");
            assert_ne!(m.message_id, redriven.message_id);
            assert_eq!(m.receive_count, 1, "received zero times before this");
            assert_eq!(m.sent_at_ms, 100_000, "sent at the redrive");
            assert_eq!(m.attributes["requestId"], "r-1");
            assert_eq!(
                m.attributes[IDEMPOTENCY_KEY_ATTRIBUTE], redriven.message_id,
                "keyed by its first message id"
            );
        }
        assert_eq!(
            (received[0].body.as_str(), received[1].body.as_str()),
            ("b0", "b1")
        );
        let rest = q.redrive(10, 100_000).await.unwrap();
        assert_eq!((rest.moved.len(), rest.remaining), (1, 0));
        assert_eq!(q.redrive(10, 100_000).await.unwrap(), Redrive::default());
    }

    #[tokio::test]
    async fn a_message_with_its_own_key_keeps_it() {
        let db = TestDatabase::new();
        let q = queue(&db);
        let attributes =
            Attributes::from([(IDEMPOTENCY_KEY_ATTRIBUTE.to_owned(), "k-9".to_owned())]);
        dead_letter(&q, &["b"], &attributes).await;
        q.redrive(10, 100_000).await.unwrap();
        let received = q.receive(10, 100_000).await.unwrap().messages;
        assert_eq!(received[0].attributes[IDEMPOTENCY_KEY_ATTRIBUTE], "k-9");
    }
}
