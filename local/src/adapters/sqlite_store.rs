//! The handler's `RecordStore` port on SQLite: the `records` table, keyed by `id` (the
//! queue message id), written once per id ([`InsertOnce`]) so a redelivered message
//! finds its record already there, exactly like DynamoDB's conditional put.

use std::sync::Arc;

use private_ingest_core::Record;
use private_ingest_handler::{Clock, PutIfAbsent, RecordStore, StoreError};
use rusqlite::OptionalExtension;

use super::insert_once::InsertOnce;
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
        );
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
            Ok(true) => Ok(PutIfAbsent::Stored),
            Ok(false) => Ok(PutIfAbsent::AlreadyStored),
            Err(error) => {
                let (message, source) = error.into_parts();
                Err(StoreError { message, source })
            }
        }
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
            PutIfAbsent::AlreadyStored
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
