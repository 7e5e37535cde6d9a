//! The handler's `RecordStore` port on SQLite: the `records` table, keyed by `id` (the
//! queue message id, or the caller's `Idempotency-Key`), written once per id
//! ([`InsertOnce`]) so a redelivered message or a retry finds its record already there,
//! exactly like DynamoDB's conditional put; the existing record comes back in the same
//! write, so the handler can tell a retry from a reused key.

use std::sync::Arc;

use private_ingest_core::Record;
use private_ingest_handler::{Clock, ExistingRecord, PutIfAbsent, RecordStore, StoreError};
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::insert_once::{InsertOnce, Written};
use crate::db::{ReadError, Reads, Writer};
use crate::faults::Faults;

#[derive(Debug, Clone)]
pub struct SqliteRecordStore {
    rows: InsertOnce,
    reads: Reads,
}

impl SqliteRecordStore {
    pub fn new(writer: Writer, reads: Reads, faults: Arc<Faults>, clock: Clock) -> Self {
        let rows = InsertOnce::new(
            writer,
            faults,
            clock,
            "record",
            "INSERT INTO records (id, item, stored_at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO NOTHING",
        )
        .reading_existing("SELECT item FROM records WHERE id = ?1");
        Self { rows, reads }
    }

    /// The stored record as JSON (the core `Record`'s serde form), if there is one.
    pub async fn get(&self, id: String) -> Result<Option<String>, ReadError> {
        self.reads
            .query(move |c| {
                c.prepare_cached("SELECT item FROM records WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()
            })
            .await
    }

    pub async fn count(&self) -> Result<i64, ReadError> {
        self.reads
            .query(|c| c.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0)))
            .await
    }
}

impl RecordStore for SqliteRecordStore {
    async fn put_if_absent(&self, record: &Record) -> Result<PutIfAbsent, StoreError> {
        match self.rows.insert(&record.id, record).await {
            Ok(Written::Inserted) => Ok(PutIfAbsent::Stored),
            Ok(Written::Exists(item)) => Ok(PutIfAbsent::Exists(existing_of(item.as_deref()))),
            Err(error) => {
                let (message, source) = error.into_parts();
                Err(StoreError { message, source })
            }
        }
    }
}

/// Who wrote an existing record (its stored JSON's `message_id` and `body_sha256`).
fn existing_of(item: Option<&str>) -> ExistingRecord {
    let item: Value = item
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let string = |name: &str| item[name].as_str().map(str::to_owned);
    ExistingRecord {
        message_id: string("message_id"),
        body_sha256: string("body_sha256"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_database::TestDatabase;
    use private_ingest_core::{build_record, parse_message, Envelope, RandomValue};
    use private_ingest_handler::fixed_clock;

    fn store(faults: Faults) -> (SqliteRecordStore, TestDatabase) {
        let db = TestDatabase::new();
        let store = SqliteRecordStore::new(
            db.writer.clone(),
            db.reads.clone(),
            Arc::new(faults),
            fixed_clock(1_700_000_000_000),
        );
        (store, db)
    }

    fn record(id: &str, value: u8) -> Record {
        let m = parse_message(br#"{"Insert":"DynamoDB","data":{"k":[1,"x"]}}"#).unwrap();
        build_record(&m, &Envelope::new(id), RandomValue::new(value).unwrap(), 0).unwrap()
    }

    #[tokio::test]
    async fn the_first_put_stores_and_a_redelivery_finds_it_there() {
        let (store, _db) = store(Faults::none());
        let first = record("m-1", 7);
        assert_eq!(
            store.put_if_absent(&first).await.unwrap(),
            PutIfAbsent::Stored
        );
        let redelivered = record("m-1", 99);
        assert_eq!(
            store.put_if_absent(&redelivered).await.unwrap(),
            PutIfAbsent::Exists(ExistingRecord::default())
        );
        let stored: Record =
            serde_json::from_str(&store.get("m-1".into()).await.unwrap().unwrap()).unwrap();
        assert_eq!(
            stored, first,
            "the first write wins, as with a conditional put"
        );
        assert_eq!(store.get("m-2".into()).await.unwrap(), None);
        assert_eq!(store.count().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_keyed_record_s_writer_comes_back_with_the_conflict() {
        let (store, _db) = store(Faults::none());
        let dedupe = private_ingest_core::Dedupe::new(
            private_ingest_core::parse_idempotency_key("k").unwrap(),
            b"{}",
        );
        let first = record("m-1", 7).keyed(&dedupe);
        assert_eq!(
            store.put_if_absent(&first).await.unwrap(),
            PutIfAbsent::Stored
        );
        let retry = record("m-2", 8).keyed(&dedupe);
        assert_eq!(
            store.put_if_absent(&retry).await.unwrap(),
            PutIfAbsent::Exists(ExistingRecord::of(&first))
        );
    }

    #[tokio::test]
    async fn injected_failures_write_nothing() {
        let (store, _db) = store(Faults::new(0.0, 1, 7));
        let err = store.put_if_absent(&record("m-1", 7)).await.unwrap_err();
        assert!(err.to_string().contains("injected failure"));
        assert_eq!(store.count().await.unwrap(), 0);
        assert_eq!(
            store.put_if_absent(&record("m-1", 7)).await.unwrap(),
            PutIfAbsent::Stored
        );
    }
}
