//! What both SQLite adapters do with one record or notification: fail on purpose when
//! the testing faults say so, serialise it, and insert it unless a row with its key is
//! there (`INSERT ... ON CONFLICT DO NOTHING`, DynamoDB's conditional put on SQLite), and
//! then, for the store, read the row that was there in the same write (DynamoDB's
//! `ReturnValuesOnConditionCheckFailure = ALL_OLD`).

use std::sync::Arc;

use private_ingest_handler::Clock;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::db::{WriteError, Writer};
use crate::faults::{Faults, INJECTED};

/// A cause an adapter keeps in its port error.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Inserts rows of one table, at most one per key.
#[derive(Clone)]
pub struct InsertOnce {
    writer: Writer,
    faults: Arc<Faults>,
    clock: Clock,
    /// What a row is, for error messages: "record", "notification".
    what: &'static str,
    /// Inserts `(key, item, written at ms)` as `?1, ?2, ?3`, doing nothing on a conflict.
    insert_sql: &'static str,
    /// Reads the `item` of the row with key `?1`, after a conflict.
    existing_sql: Option<&'static str>,
}

/// What an insert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Inserted,
    /// A row with the key was there; its item, when the adapter reads it.
    Exists(Option<String>),
}

impl std::fmt::Debug for InsertOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InsertOnce({} rows, {:?})", self.what, self.faults)
    }
}

/// Why a row was not written.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error("{INJECTED}")]
    Injected,
    #[error("could not serialise the {what}")]
    Serialise {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("could not write the {what} to SQLite")]
    Write {
        what: &'static str,
        #[source]
        source: WriteError,
    },
}

impl InsertError {
    /// Its text and its cause, for the port's error.
    pub fn into_parts(self) -> (String, Option<Cause>) {
        let message = self.to_string();
        let cause: Option<Cause> = match self {
            InsertError::Injected => None,
            InsertError::Serialise { source, .. } => Some(Box::new(source)),
            InsertError::Write { source, .. } => Some(Box::new(source)),
        };
        (message, cause)
    }
}

impl InsertOnce {
    pub fn new(
        writer: Writer,
        faults: Arc<Faults>,
        clock: Clock,
        what: &'static str,
        insert_sql: &'static str,
    ) -> Self {
        Self {
            writer,
            faults,
            clock,
            what,
            insert_sql,
            existing_sql: None,
        }
    }

    /// After a conflict, also read the existing row's item with `sql` (key as `?1`).
    pub fn reading_existing(mut self, sql: &'static str) -> Self {
        self.existing_sql = Some(sql);
        self
    }

    /// Inserts `value` (as JSON) under `key` unless a row with that key is there.
    pub async fn insert<T: Serialize>(&self, key: &str, value: &T) -> Result<Written, InsertError> {
        let what = self.what;
        if self.faults.should_fail(key) {
            return Err(InsertError::Injected);
        }
        let item = serde_json::to_string(value)
            .map_err(|source| InsertError::Serialise { what, source })?;
        let key = key.to_owned();
        let now_ms = (self.clock)();
        let (sql, existing_sql) = (self.insert_sql, self.existing_sql);
        self.writer
            .execute(move |c| {
                if c.prepare_cached(sql)?.execute(params![key, item, now_ms])? == 1 {
                    return Ok(Written::Inserted);
                }
                let existing = match existing_sql {
                    Some(existing) => c
                        .prepare_cached(existing)?
                        .query_row([&key], |r| r.get(0))
                        .optional()?,
                    None => None,
                };
                Ok(Written::Exists(existing))
            })
            .await
            .map_err(|source| InsertError::Write { what, source })
    }
}
