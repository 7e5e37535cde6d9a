//! The open-file limit and the connection limit under it. Every connection is a file
//! descriptor, and so is every database file, log and page asset; when a process runs
//! out (EMFILE), `accept` fails and every client waits until it times out. With the
//! default soft limit of 1,024, about 1,010 silent sockets did exactly that.
//!
//! So at start the soft limit is raised to the hard one where allowed, and the
//! connection limit is fitted under what it then is.

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Descriptors kept for everything but client connections: SQLite's files (three per
/// connection: database, WAL, shared memory; one writer and at most
/// `db::reads::MAX_OPEN` readers), the over-limit connections being answered
/// (`shedding::SHED_SLOTS`), stdio, the listener, the runtime's epoll and eventfds.
pub const RESERVED_FILES: u64 = 256;

/// Descriptors one connection may hold: its socket and a page file it is sending.
pub const FILES_PER_CONNECTION: u64 = 2;

/// The soft open-file limit before and after [`raise_soft_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    pub before: Option<u64>,
    pub now: Option<u64>,
}

/// Raises the soft open-file limit to the hard limit. `None` means unlimited.
pub fn raise_soft_limit() -> FileLimit {
    let limit = getrlimit(Resource::Nofile);
    let before = limit.current;
    let now = match limit.maximum {
        Some(hard) if limit.current.is_some_and(|soft| soft < hard) => {
            let raised = Rlimit {
                current: Some(hard),
                maximum: Some(hard),
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => Some(hard),
                Err(error) => {
                    tracing::warn!(%error, soft = before, hard, "could not raise the open-file limit");
                    before
                }
            }
        }
        _ => before,
    };
    FileLimit { before, now }
}

/// The connections to serve at once: what was asked for, or less if the open-file
/// limit cannot hold that many (never 0).
pub fn connection_cap(requested: u32, soft_limit: Option<u64>) -> usize {
    let requested = u64::from(requested);
    let fits = soft_limit.map_or(requested, |soft| {
        soft.saturating_sub(RESERVED_FILES) / FILES_PER_CONNECTION
    });
    usize::try_from(requested.min(fits).max(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_what_was_asked_for_when_the_limit_holds_it() {
        assert_eq!(connection_cap(1_024, Some(1_048_576)), 1_024);
        assert_eq!(connection_cap(1_024, None), 1_024);
    }

    #[test]
    fn the_cap_fits_under_a_low_file_limit() {
        // The default 1,024: 256 reserved, two per connection.
        assert_eq!(connection_cap(1_024, Some(1_024)), 384);
        assert_eq!(connection_cap(1_024, Some(100)), 1, "never 0");
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        let limit = raise_soft_limit();
        assert!(limit.now >= limit.before || limit.now.is_none());
        assert_eq!(getrlimit(Resource::Nofile).current, limit.now);
    }
}
