//! Whether writes work, as `/healthz` reports it. The writer reports every commit here:
//!
//! - `ok`: the last commit that wrote something succeeded.
//! - `degraded`: commits fail (disk full, I/O errors); sends get 503 until a commit
//!   succeeds again, which puts the state back to `ok`.
//! - `failed`: the database file was removed or replaced while open. Nothing written
//!   now would survive a restart, so writes are refused until the stack is restarted;
//!   this state never clears on its own.
//!
//! A transition is logged once (not at every failed commit): the repeated lines are the
//! writer's, rate-limited there.

use std::sync::{Arc, Mutex, PoisonError};

use private_ingest_core::time::format_millis;
use serde::Serialize;

/// The write state; cheap to clone, shared by the writer and the gateway.
#[derive(Debug, Clone, Default)]
pub struct WriteHealth {
    state: Arc<Mutex<WriteState>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WriteState {
    #[default]
    Ok,
    Degraded {
        /// When the first failed commit of this run of failures happened (RFC 3339).
        since: String,
        failed_commits: u64,
        last_error: String,
    },
    Failed {
        since: String,
        reason: String,
        /// Where the open database was copied to when the loss was found, if it could be.
        #[serde(skip_serializing_if = "Option::is_none")]
        rescued_copy: Option<String>,
    },
}

impl WriteState {
    pub fn is_ok(&self) -> bool {
        matches!(self, WriteState::Ok)
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, WriteState::Failed { .. })
    }
}

impl WriteHealth {
    pub fn current(&self) -> WriteState {
        self.lock().clone()
    }

    /// A commit that wrote something succeeded.
    pub fn commit_succeeded(&self) {
        let mut state = self.lock();
        if let WriteState::Degraded {
            since,
            failed_commits,
            ..
        } = &*state
        {
            tracing::warn!(
                failing_since = %since,
                failed_commits,
                "database writes work again; health is ok"
            );
            *state = WriteState::Ok;
        }
    }

    /// A commit failed with `error`.
    pub fn commit_failed(&self, error: &dyn std::error::Error, now_ms: i64) {
        let mut state = self.lock();
        let last_error = error_chain(error);
        match &mut *state {
            WriteState::Ok => {
                tracing::error!(error = %last_error,
                    "database writes fail; health is degraded and sends get 503 until a commit succeeds");
                *state = WriteState::Degraded {
                    since: timestamp(now_ms),
                    failed_commits: 1,
                    last_error,
                };
            }
            WriteState::Degraded {
                failed_commits,
                last_error: last,
                ..
            } => {
                *failed_commits += 1;
                *last = last_error;
            }
            WriteState::Failed { .. } => {}
        }
    }

    /// The database is gone for good (logged loudly by the caller, who knows the detail).
    pub fn database_lost(&self, reason: String, now_ms: i64) {
        *self.lock() = WriteState::Failed {
            since: timestamp(now_ms),
            reason,
            rescued_copy: None,
        };
    }

    /// Records where the lost database was copied to.
    pub fn rescued_to(&self, path: String) {
        if let WriteState::Failed { rescued_copy, .. } = &mut *self.lock() {
            *rescued_copy = Some(path);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WriteState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `error: its source: its source`, as one line for the health report.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn timestamp(now_ms: i64) -> String {
    format_millis(now_ms).unwrap_or_else(|| now_ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("database write failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn failures_degrade_and_a_success_clears_them() {
        let health = WriteHealth::default();
        assert!(health.current().is_ok());
        let full = Outer(std::io::Error::other("database or disk is full"));
        health.commit_failed(&full, 0);
        health.commit_failed(&full, 5);
        assert_eq!(
            health.current(),
            WriteState::Degraded {
                since: "1970-01-01T00:00:00.000Z".into(),
                failed_commits: 2,
                last_error: "database write failed: database or disk is full".into(),
            }
        );
        health.commit_succeeded();
        assert!(health.current().is_ok());
    }

    #[test]
    fn a_lost_database_stays_failed() {
        let health = WriteHealth::default();
        health.database_lost("removed".into(), 0);
        health.rescued_to("/d/rescued.sqlite3".into());
        health.commit_succeeded();
        health.commit_failed(&std::io::Error::other("x"), 1);
        let state = health.current();
        assert!(state.is_failed());
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(json["status"], "failed");
        assert_eq!(json["rescued_copy"], "/d/rescued.sqlite3");
    }
}
