//! The local stack's one SQLite database: the queue, its dead-letter table, the records,
//! the notifications and the notifications' dedupe markers. One connection writes (see [`writer`]: it groups concurrent
//! writes into one transaction); any number read (see [`reads`]), which WAL allows while
//! the writer commits.

pub mod data_dir;
pub mod file_identity;
pub mod integrity;
pub mod reads;
#[cfg(test)]
pub(crate) mod test_database;
pub mod watch;
pub mod writer;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use reads::{ReadError, Reads};
pub use writer::{WriteError, Writer, WriterThread};

/// The database file inside `--data-dir`.
pub const FILE_NAME: &str = "private-ingest.sqlite3";

/// How long a connection waits for another process's lock before giving up. Only a
/// second process on the same data dir ever holds one: in this process one thread writes.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The tables. `messages` is the queue (SQS standard-queue semantics, see
/// [`crate::queue`]); `records` is keyed by `id` (the queue message id, or the caller's
/// `Idempotency-Key`), so a redelivery or a client's retry cannot make a second record;
/// `notifications` keeps one row per message id for the same reason; `dedupe_markers`
/// holds one marker per `Idempotency-Key` of the notify route (the DynamoDB dedupe
/// table's twin), swept once past `expires_at_ms`.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    body                 TEXT NOT NULL,
    attributes           TEXT NOT NULL,
    sent_at_ms           INTEGER NOT NULL,
    visible_at_ms        INTEGER NOT NULL,
    receive_count        INTEGER NOT NULL DEFAULT 0,
    first_received_at_ms INTEGER,
    receipt_handle       TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (visible_at_ms, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    body                TEXT NOT NULL,
    attributes          TEXT NOT NULL,
    sent_at_ms          INTEGER NOT NULL,
    receive_count       INTEGER NOT NULL,
    dead_lettered_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id           TEXT PRIMARY KEY,
    item         TEXT NOT NULL,
    stored_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    seq             INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    item            TEXT NOT NULL,
    published_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dedupe_markers (
    key                  TEXT PRIMARY KEY,
    status               TEXT NOT NULL,
    message_id           TEXT NOT NULL,
    body_sha256          TEXT NOT NULL,
    in_progress_until_ms INTEGER NOT NULL,
    expires_at_ms        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dedupe_markers_by_expiry ON dedupe_markers (expires_at_ms);
";

/// Why the database could not be opened for writing.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// WAL needs shared memory between processes, which some network file systems lack.
    #[error("SQLite refused WAL mode (journal_mode stayed {0}); is the data dir on a network file system?")]
    NoWal(String),
}

/// Opens the database for writing and creates the tables when missing.
///
/// Durability: `journal_mode=WAL` with `synchronous=FULL` fsyncs the WAL at every
/// commit, so a committed transaction survives a process crash *and* a power loss.
/// `NORMAL` would survive `kill -9` but may lose the last commits on power loss, and the
/// gateway's 200 promises the message is on disk. The cost (one fsync per commit) is
/// paid once per group of writes, not once per request (see [`writer`]).
pub fn open_for_writing(path: &Path) -> Result<Connection, OpenError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::NoWal(mode));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Opens a read-only view of a database that [`open_for_writing`] created. Never
/// creates one: a reader that found the file gone used to create an empty database in
/// its place, which the next start then took for the real one.
pub fn open_for_reading(path: &Path) -> rusqlite::Result<Connection> {
    // Read-write (not read-only) so the reader can map WAL's shared memory like the
    // writer does; `query_only` below keeps it from writing.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_wal_mode_with_full_sync_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let conn = open_for_writing(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2), "2 is FULL");
        drop(conn);
        open_for_writing(&path).expect("reopening keeps the tables");
    }

    #[test]
    fn a_reader_never_creates_a_missing_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert!(open_for_reading(&path).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn readers_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let _writer = open_for_writing(&path).unwrap();
        let reader = open_for_reading(&path).unwrap();
        assert!(reader.execute("DELETE FROM records", []).is_err());
    }
}
