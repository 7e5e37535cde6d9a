//! The writer's watch over its database (a [`CommitObserver`]): before every group
//! commit, checks that the database files are still the ones opened
//! ([`OpenedFiles`]); after it, reports the outcome to [`WriteHealth`].
//!
//! When the files are gone, the group is rolled back (its callers get 503), every later
//! write is refused at once, and the database, still open, is copied with
//! `VACUUM INTO` next to where it was: the copy holds every message acknowledged
//! before the loss, which a restart on the emptied data dir would otherwise lose.

use std::path::{Path, PathBuf};

use private_ingest_handler::Clock;
use rusqlite::Connection;

use super::file_identity::OpenedFiles;
use super::writer::{CommitObserver, WriteError};
use crate::health::WriteHealth;

/// Name of the rescue copy: `private-ingest.rescued-<epoch ms>.sqlite3`.
pub const RESCUE_PREFIX: &str = "private-ingest.rescued-";

pub struct DatabaseWatch {
    files: OpenedFiles,
    health: WriteHealth,
    clock: Clock,
    /// Where a rescue copy goes.
    data_dir: PathBuf,
    lost: bool,
    rescue_tried: bool,
}

impl std::fmt::Debug for DatabaseWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseWatch")
            .field("files", &self.files)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

impl DatabaseWatch {
    pub fn new(files: OpenedFiles, health: WriteHealth, clock: Clock, data_dir: &Path) -> Self {
        Self {
            files,
            health,
            clock,
            data_dir: data_dir.to_path_buf(),
            lost: false,
            rescue_tried: false,
        }
    }

    fn rescue(&self, conn: &Connection) {
        let path = self
            .data_dir
            .join(format!("{RESCUE_PREFIX}{}.sqlite3", (self.clock)()));
        let copied = std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                conn.execute("VACUUM INTO ?1", [path.to_string_lossy()])
                    .map_err(|e| e.to_string())
            });
        match copied {
            Ok(_) => {
                tracing::error!(
                    rescued_copy = %path.display(),
                    "RESCUED: the open database, with every message acknowledged before the loss, \
                     was copied to {}. To resume from it: stop this stack, move it to \
                     {}/{}, and start again",
                    path.display(),
                    self.data_dir.display(),
                    super::FILE_NAME
                );
                self.health.rescued_to(path.display().to_string());
            }
            Err(error) => tracing::error!(
                %error,
                "could not copy the lost database; messages acknowledged before the loss \
                 are gone when this process exits"
            ),
        }
    }
}

impl CommitObserver for DatabaseWatch {
    fn before_commit(&mut self, _: &Connection) -> Result<(), WriteError> {
        if self.lost {
            return Err(WriteError::DatabaseLost);
        }
        let Err(vanished) = self.files.check() else {
            return Ok(());
        };
        tracing::error!(
            reason = %vanished,
            "DATABASE LOST: {vanished}. Nothing written from now on would survive a restart, \
             so every write is refused (sends get 503) until the stack is restarted; \
             /healthz says failed"
        );
        self.lost = true;
        self.health
            .database_lost(vanished.to_string(), (self.clock)());
        Err(WriteError::DatabaseLost)
    }

    fn after_commit(&mut self, conn: &Connection, outcome: &Result<(), WriteError>, wrote: bool) {
        match outcome {
            Ok(()) if wrote => self.health.commit_succeeded(),
            Ok(()) => {}
            Err(WriteError::DatabaseLost) => {
                if !self.rescue_tried {
                    self.rescue_tried = true;
                    self.rescue(conn);
                }
            }
            Err(error) => self.health.commit_failed(error, (self.clock)()),
        }
    }
}
