//! Read-only connections for the gateway's GET routes, kept in a small pool. Reads run
//! on tokio's blocking threads and, under WAL, never wait for the writer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use tokio::sync::Semaphore;

/// Idle connections kept for reuse; more are opened under load and closed after.
const MAX_IDLE: usize = 8;

/// Reads at once (so connections, blocking threads and their three files each are
/// bounded whatever the number of clients); further reads wait for one to finish.
pub const MAX_OPEN: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("database read failed")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a database read was cancelled or panicked")]
    Task(#[from] tokio::task::JoinError),
}

/// Pool of read-only connections to one database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Reads {
    inner: Arc<Pool>,
}

#[derive(Debug)]
struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    open: Arc<Semaphore>,
}

impl Reads {
    pub fn new(path: PathBuf) -> Self {
        Self {
            inner: Arc::new(Pool {
                path,
                idle: Mutex::new(Vec::new()),
                open: Arc::new(Semaphore::new(MAX_OPEN)),
            }),
        }
    }

    /// Runs `query` on a pooled connection.
    pub async fn query<T, F>(&self, query: F) -> Result<T, ReadError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let pool = Arc::clone(&self.inner);
        // Held by the blocking task itself, so a caller that goes away early does not
        // free its slot while the read still runs. The semaphore is never closed.
        let permit = Arc::clone(&self.inner.open).acquire_owned().await;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = match pool.take() {
                Some(conn) => conn,
                None => crate::db::open_for_reading(&pool.path)?,
            };
            let result = query(&conn)?;
            pool.give_back(conn);
            Ok(result)
        })
        .await?
    }
}

impl Pool {
    fn take(&self) -> Option<Connection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }
}
