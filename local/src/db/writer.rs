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

use crate::log_throttle::{Throttle, DEFAULT_INTERVAL};

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
    /// Latched by [`crate::db::watch`]: nothing written now would survive a restart.
    #[error(
        "the database file was removed or replaced while open; writes are refused until a restart"
    )]
    DatabaseLost,
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

/// Told about every group commit (see [`crate::db::watch`]).
pub trait CommitObserver: Send + 'static {
    /// Inside the group's transaction, just before COMMIT: an `Err` rolls the group
    /// back and fails every operation in it with that error.
    fn before_commit(&mut self, conn: &Connection) -> Result<(), WriteError>;
    /// Once the transaction has ended, before the callers are answered. `wrote`: the
    /// commit succeeded and changed rows.
    fn after_commit(&mut self, conn: &Connection, outcome: &Result<(), WriteError>, wrote: bool);
    /// A group of `operations` writes committed (the metrics' commit group size).
    fn committed(&mut self, _operations: usize) {}
}

/// No checks, nothing reported.
#[derive(Debug)]
struct Unobserved;

impl CommitObserver for Unobserved {
    fn before_commit(&mut self, _: &Connection) -> Result<(), WriteError> {
        Ok(())
    }
    fn after_commit(&mut self, _: &Connection, _: &Result<(), WriteError>, _: bool) {}
}

/// Starts the writer thread on `conn`.
pub fn start(conn: Connection) -> std::io::Result<(Writer, WriterThread)> {
    start_observed(conn, Unobserved)
}

/// Starts the writer thread on `conn`, with `observer` told about every commit.
pub fn start_observed(
    conn: Connection,
    mut observer: impl CommitObserver,
) -> std::io::Result<(Writer, WriterThread)> {
    let (jobs, receiver) = mpsc::channel(CHANNEL_CAPACITY);
    let stats = Arc::new(Counters::default());
    let counters = Arc::clone(&stats);
    let thread = std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || run(conn, receiver, &counters, &mut observer))?;
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

fn run(
    mut conn: Connection,
    mut jobs: mpsc::Receiver<Job>,
    stats: &Counters,
    observer: &mut dyn CommitObserver,
) {
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
        commit_group(&mut conn, group.drain(..), observer, stats);
        let took = started.elapsed();
        if took > SLOW_COMMIT {
            static SLOW: Throttle = Throttle::new(DEFAULT_INTERVAL);
            if let Some(suppressed) = SLOW.admit() {
                tracing::warn!(
                    operations = size,
                    took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
                    suppressed,
                    "slow commit (the disk's fsync, or a WAL checkpoint)"
                );
            }
        }
    }
    // Every handle is gone: fold the WAL back into the database so a clean stop leaves
    // one file. Not needed for safety (the WAL is replayed on open).
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "could not checkpoint the WAL at shutdown");
    }
}

/// Runs a group in one transaction and answers each caller. The counters (and the
/// observer's [`CommitObserver::committed`]) are updated before the callers are answered, so a caller that reads them after its answer sees its
/// own operation counted (a test once read 256 of 500).
fn commit_group(
    conn: &mut Connection,
    group: impl Iterator<Item = Job>,
    observer: &mut dyn CommitObserver,
    stats: &Counters,
) {
    let changes_before = conn.total_changes();
    let (outcome, replies) = run_group(conn, group, observer);
    let committed = outcome.is_ok();
    let wrote = committed && conn.total_changes() > changes_before;
    observer.after_commit(conn, &outcome, wrote);
    if committed {
        stats.commits.fetch_add(1, Ordering::Relaxed);
        stats
            .operations
            .fetch_add(replies.len() as u64, Ordering::Relaxed);
        observer.committed(replies.len());
    }
    for reply in replies {
        reply(outcome.clone());
    }
}

/// The group's transaction: its operations, the observer's check, the commit.
fn run_group(
    conn: &mut Connection,
    group: impl Iterator<Item = Job>,
    observer: &mut dyn CommitObserver,
) -> (Result<(), WriteError>, Vec<Reply>) {
    // Repeats at every group while the disk is full: rate-limited.
    static BEGIN_FAILED: Throttle = Throttle::new(DEFAULT_INTERVAL);
    static COMMIT_FAILED: Throttle = Throttle::new(DEFAULT_INTERVAL);
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            if let Some(suppressed) = BEGIN_FAILED.admit() {
                tracing::error!(error = %e, suppressed, "could not begin a write transaction");
            }
            let error = WriteError::from(e);
            let replies = group.map(|job| job(Err(error.clone()))).collect();
            return (Err(error), replies);
        }
    };
    let replies: Vec<Reply> = group.map(|job| job(Ok(&tx))).collect();
    let outcome = match observer.before_commit(&tx) {
        Err(refused) => {
            // Dropping the transaction rolls it back.
            drop(tx);
            Err(refused)
        }
        Ok(()) => tx.commit().map_err(|e| {
            if let Some(suppressed) = COMMIT_FAILED.admit() {
                tracing::error!(error = %e, suppressed, "could not commit a write transaction");
            }
            WriteError::from(e)
        }),
    };
    (outcome, replies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_database::TestDatabase;

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
    async fn operations_queued_during_a_commit_share_the_next_one() {
        const QUEUED: usize = 100;
        let db = TestDatabase::new();
        // GIVEN the writer held inside a first operation
        let (started, running) = tokio::sync::oneshot::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let w = db.writer.clone();
            async move {
                w.execute(move |c| {
                    let _ = started.send(());
                    released.recv().expect("the test releases the writer");
                    insert("first")(c)
                })
                .await
            }
        });
        running.await.unwrap();

        // WHEN 100 more operations are queued behind it, then it is released
        let queued: Vec<_> = (0..QUEUED)
            .map(|i| {
                let w = db.writer.clone();
                tokio::spawn(async move { w.execute(insert(&format!("r{i}"))).await })
            })
            .collect();
        while db.writer.jobs.capacity() > CHANNEL_CAPACITY - QUEUED {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        release.send(()).unwrap();

        // THEN the first one is one commit and all the others one more
        assert_eq!(first.await.unwrap().unwrap(), 1);
        for q in queued {
            assert_eq!(q.await.unwrap().unwrap(), 1);
        }
        assert_eq!(
            db.writer.stats(),
            WriterStats {
                commits: 2,
                operations: QUEUED as u64 + 1
            }
        );
        db.stop_writer();
    }

    #[tokio::test]
    async fn a_failing_operation_undoes_only_itself() {
        let db = TestDatabase::new();
        let writer = &db.writer;
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
        db.stop_writer();
    }

    #[tokio::test]
    async fn a_panicking_operation_is_an_error_not_a_dead_writer() {
        let db = TestDatabase::new();
        let r = db
            .writer
            .execute(|_| -> rusqlite::Result<()> { panic!("bug in an operation") })
            .await;
        assert!(matches!(r, Err(WriteError::Panicked)));
        assert_eq!(db.writer.execute(insert("after")).await.unwrap(), 1);
        db.stop_writer();
    }

    #[tokio::test]
    async fn stops_once_the_last_handle_is_dropped_after_committing_its_work() {
        let db = TestDatabase::new();
        let other = db.writer.clone();
        other.execute(insert("x")).await.unwrap();
        drop(other);
        let conn = crate::db::open_for_reading(&db.path).unwrap();
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM records WHERE id = 'x'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(rows, 1, "committed before the answer");
        // Drops the last handle: fails (instead of hanging) if the thread outlives it.
        db.stop_writer();
    }
}
