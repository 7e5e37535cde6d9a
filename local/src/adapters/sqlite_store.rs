//! The Lambda's `RecordStore` port on SQLite: the `records` table, keyed by `id` (the
//! queue message id), written with `INSERT ... ON CONFLICT DO NOTHING` so a redelivered
//! message finds its record already there, exactly like DynamoDB's conditional put.

use std::sync::Arc;

use private_ingest_core::Record;
use private_ingest_handler::{Clock, PutOutcome, RecordStore, StoreError};
use rusqlite::{params, OptionalExtension};

use crate::db::{ReadError, Reads, Writer};
use crate::faults::{Faults, INJECTED};

#[derive(Clone)]
pub struct SqliteRecordStore {
    writer: Writer,
    reads: Reads,
    faults: Arc<Faults>,
    clock: Clock,
}

impl std::fmt::Debug for SqliteRecordStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteRecordStore")
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl SqliteRecordStore {
    pub fn new(writer: Writer, reads: Reads, faults: Arc<Faults>, clock: Clock) -> Self {
        Self {
            writer,
            reads,
            faults,
            clock,
        }
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
    async fn put_if_absent(&self, record: &Record) -> Result<PutOutcome, StoreError> {
        if self.faults.should_fail(&record.id) {
            return Err(StoreError::new(INJECTED));
        }
        let item = serde_json::to_string(record)
            .map_err(|e| StoreError::with_source("could not serialise the record", e))?;
        let id = record.id.clone();
        let now_ms = (self.clock)();
        let inserted = self
            .writer
            .execute(move |c| {
                c.prepare_cached(
                    "INSERT INTO records (id, item, stored_at_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![id, item, now_ms])
            })
            .await
            .map_err(|e| StoreError::with_source("could not write the record to SQLite", e))?;
        Ok(if inserted == 1 {
            PutOutcome::Inserted
        } else {
            PutOutcome::AlreadyExists
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, WriterThread};
    use private_ingest_core::{build_record, parse_message, Envelope, RandomValue};

    fn store(faults: Faults) -> (SqliteRecordStore, WriterThread, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(db::FILE_NAME);
        let (writer, thread) = db::writer::start(db::open_for_writing(&path).unwrap()).unwrap();
        let store = SqliteRecordStore::new(
            writer,
            Reads::new(path),
            Arc::new(faults),
            Arc::new(|| 1_700_000_000_000),
        );
        (store, thread, dir)
    }

    fn record(id: &str, value: u8) -> Record {
        let m = parse_message(br#"{"Insert":"DynamoDB","data":{"k":[1,"x"]}}"#).unwrap();
        build_record(&m, &Envelope::new(id), RandomValue::new(value).unwrap(), 0).unwrap()
    }

    #[tokio::test]
    async fn the_first_put_inserts_and_a_redelivery_finds_it_there() {
        let (store, _t, _d) = store(Faults::none());
        let first = record("m-1", 7);
        assert_eq!(
            store.put_if_absent(&first).await.unwrap(),
            PutOutcome::Inserted
        );
        let redelivered = record("m-1", 99);
        assert_eq!(
            store.put_if_absent(&redelivered).await.unwrap(),
            PutOutcome::AlreadyExists
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
        let (store, _t, _d) = store(Faults::new(0.0, 1));
        let err = store.put_if_absent(&record("m-1", 7)).await.unwrap_err();
        assert!(err.to_string().contains("injected failure"));
        assert_eq!(store.count().await.unwrap(), 0);
        assert_eq!(
            store.put_if_absent(&record("m-1", 7)).await.unwrap(),
            PutOutcome::Inserted
        );
    }
}
