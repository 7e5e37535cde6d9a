//! Read-only connections for the gateway's GET routes, kept in a small pool. Reads run
//! on tokio's blocking threads and, under WAL, never wait for the writer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

/// Idle connections kept for reuse; more are opened under load and closed after.
const MAX_IDLE: usize = 8;

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
}

impl Reads {
    pub fn new(path: PathBuf) -> Self {
        Self {
            inner: Arc::new(Pool {
                path,
                idle: Mutex::new(Vec::new()),
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
        tokio::task::spawn_blocking(move || {
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
