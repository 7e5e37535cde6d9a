//! Group commit: the one thread that writes to the database.
//!
//! Callers hand it small operations ([`Writer::execute`]). The thread takes every
//! operation waiting in its channel, runs them in one transaction (each inside its own
//! savepoint, so one failing operation does not undo the others), commits once, and only
//! then answers each caller. While one commit waits for its fsync, new operations queue
//! up and go into the next commit, so the number of fsyncs per second stays bounded by
//! the disk while the number of writes per commit grows with the load.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

/// Operations that may wait for the writer before callers feel backpressure.
const CHANNEL_CAPACITY: usize = 4_096;

/// Most operations in one transaction. Bounds the transaction's size (a message may be
/// 256 KiB, so a group of 256 sends is at most 64 MiB of WAL) and how long the first
/// caller of a group waits behind the others.
const MAX_GROUP: usize = 256;

/// A commit slower than this is logged: every caller in its group waited that long.
const SLOW_COMMIT: std::time::Duration = std::time::Duration::from_millis(100);

/// Why a write did not happen. Cloneable: one failed commit fails its whole group.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("the database writer has stopped")]
    Closed,
    #[error("database write failed")]
    Sqlite(#[source] Arc<rusqlite::Error>),
    #[error("a database operation panicked")]
    Panicked,
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        WriteError::Sqlite(Arc::new(e))
    }
}

/// Called once the group's commit is known (`Ok` when it is on disk).
type Reply = Box<dyn FnOnce(Result<(), WriteError>) + Send>;
/// One operation: runs inside the open transaction (`Err` when none could be opened) and
/// returns what to tell its caller once the commit is known.
type Job = Box<dyn FnOnce(Result<&Connection, WriteError>) -> Reply + Send>;

/// Handle to the writer thread; cheap to clone. The thread stops once every handle is
/// dropped and the operations already sent are committed.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    stats: Arc<Counters>,
}

/// The running writer thread.
#[derive(Debug)]
pub struct WriterThread(JoinHandle<()>);

impl WriterThread {
    /// Waits until the last operations are committed and the connection is closed.
    pub fn join(self) {
        if self.0.join().is_err() {
            tracing::error!("the database writer thread panicked");
        }
    }
}

#[derive(Debug, Default)]
struct Counters {
    commits: AtomicU64,
    operations: AtomicU64,
}

/// How much grouping happened: `operations / commits` is the mean group size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WriterStats {
    pub commits: u64,
    pub operations: u64,
}

/// Starts the writer thread on `conn`.
pub fn start(conn: Connection) -> std::io::Result<(Writer, WriterThread)> {
    let (jobs, receiver) = mpsc::channel(CHANNEL_CAPACITY);
    let stats = Arc::new(Counters::default());
    let counters = Arc::clone(&stats);
    let thread = std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || run(conn, receiver, &counters))?;
    Ok((Writer { jobs, stats }, WriterThread(thread)))
}

impl Writer {
    /// Runs `op` in the next group and returns its result once the group is committed.
    /// An `Err` from `op` undoes only `op`'s own changes.
    pub async fn execute<T, F>(&self, op: F) -> Result<T, WriteError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, WriteError>>();
        let job: Job = Box::new(move |conn| {
            let result = conn.and_then(|c| in_savepoint(c, op));
            Box::new(move |commit| {
                // The caller may have gone (client disconnected): nothing to tell then.
                let _ = answer.send(commit.and(result));
            })
        });
        self.jobs.send(job).await.map_err(|_| WriteError::Closed)?;
        answered.await.map_err(|_| WriteError::Closed)?
    }

    pub fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.stats.commits.load(Ordering::Relaxed),
            operations: self.stats.operations.load(Ordering::Relaxed),
        }
    }
}

/// Statements the writer keeps prepared: the operations' own (`prepare_cached`) and the
/// savepoint pair. Above rusqlite's default of 16, so none is evicted and parsed again.
const STATEMENT_CACHE: usize = 64;

/// Each operation in its own savepoint. The two statements every operation runs are
/// prepared once: parsing them at every operation took ~8% of the writer thread's time
/// under load (perf, `make bench`'s durable POST).
fn in_savepoint<T>(
    conn: &Connection,
    op: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> Result<T, WriteError> {
    conn.prepare_cached("SAVEPOINT op")?.execute([])?;
    let result = match catch_unwind(AssertUnwindSafe(|| op(conn))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(WriteError::from(e)),
        Err(_) => Err(WriteError::Panicked),
    };
    if result.is_ok() {
        conn.prepare_cached("RELEASE op")?.execute([])?;
    } else {
        conn.execute_batch("ROLLBACK TO op; RELEASE op")?;
    }
    result
}

fn run(mut conn: Connection, mut jobs: mpsc::Receiver<Job>, stats: &Counters) {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = jobs.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let size = group.len() as u64;
        let started = std::time::Instant::now();
        commit_group(&mut conn, group.drain(..), stats);
        let took = started.elapsed();
        if took > SLOW_COMMIT {
            tracing::warn!(
                operations = size,
                took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
                "slow commit (the disk's fsync, or a WAL checkpoint)"
            );
        }
    }
    // Every handle is gone: fold the WAL back into the database so a clean stop leaves
    // one file. Not needed for safety (the WAL is replayed on open).
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "could not checkpoint the WAL at shutdown");
    }
}

/// Runs a group in one transaction and answers its callers. A committed group is counted
/// before anyone is answered, so a caller that reads the stats after its answer finds
/// its own operation in them.
fn commit_group(conn: &mut Connection, group: impl Iterator<Item = Job>, stats: &Counters) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "could not begin a write transaction");
            let error = WriteError::from(e);
            for job in group {
                job(Err(error.clone()))(Err(error.clone()));
            }
            return;
        }
    };
    let replies: Vec<Reply> = group.map(|job| job(Ok(&tx))).collect();
    let outcome = tx.commit().map_err(|e| {
        tracing::error!(error = %e, "could not commit a write transaction");
        WriteError::from(e)
    });
    if outcome.is_ok() {
        stats.commits.fetch_add(1, Ordering::Relaxed);
        stats
            .operations
            .fetch_add(replies.len() as u64, Ordering::Relaxed);
    }
    for reply in replies {
        reply(outcome.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer, WriterThread) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open_for_writing(&dir.path().join("w.sqlite3")).unwrap();
        let (writer, thread) = start(conn).unwrap();
        (dir, writer, thread)
    }

    fn insert(id: &str) -> impl FnOnce(&Connection) -> rusqlite::Result<usize> + Send + 'static {
        let id = id.to_owned();
        move |c| {
            c.execute(
                "INSERT INTO records (id, item, stored_at_ms) VALUES (?1, '{}', 0)",
                [id],
            )
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits() {
        let (_dir, writer, thread) = writer();
        let tasks: Vec<_> = (0..500)
            .map(|i| {
                let w = writer.clone();
                tokio::spawn(async move { w.execute(insert(&format!("r{i}"))).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), 1);
        }
        let stats = writer.stats();
        assert_eq!(stats.operations, 500);
        assert!(
            stats.commits < 500,
            "500 concurrent writes took {} commits: no grouping",
            stats.commits
        );
        drop(writer);
        thread.join();
    }

    #[tokio::test]
    async fn a_failing_operation_undoes_only_itself() {
        let (_dir, writer, thread) = writer();
        writer.execute(insert("a")).await.unwrap();
        let failing = writer.execute(|c| {
            c.execute(
                "INSERT INTO records (id, item, stored_at_ms) VALUES ('b', '{}', 0)",
                [],
            )?;
            // Duplicate key: the whole operation (including 'b') must be undone.
            c.execute(
                "INSERT INTO records (id, item, stored_at_ms) VALUES ('a', '{}', 0)",
                [],
            )
        });
        let other = writer.execute(insert("c"));
        let (failing, other) = tokio::join!(failing, other);
        assert!(matches!(failing, Err(WriteError::Sqlite(_))));
        assert_eq!(other.unwrap(), 1);
        let ids: Vec<String> = writer
            .execute(|c| {
                let mut s = c.prepare("SELECT id FROM records ORDER BY id")?;
                let ids = s.query_map([], |r| r.get(0))?.collect();
                ids
            })
            .await
            .unwrap();
        assert_eq!(ids, ["a", "c"]);
        drop(writer);
        thread.join();
    }

    #[tokio::test]
    async fn a_panicking_operation_is_an_error_not_a_dead_writer() {
        let (_dir, writer, thread) = writer();
        let r = writer
            .execute(|_| -> rusqlite::Result<()> { panic!("bug in an operation") })
            .await;
        assert!(matches!(r, Err(WriteError::Panicked)));
        assert_eq!(writer.execute(insert("after")).await.unwrap(), 1);
        drop(writer);
        thread.join();
    }

    #[tokio::test]
    async fn stops_when_the_last_handle_is_dropped() {
        let (_dir, writer, thread) = writer();
        let other = writer.clone();
        drop(writer);
        other.execute(insert("x")).await.unwrap();
        drop(other);
        thread.join();
    }
}
