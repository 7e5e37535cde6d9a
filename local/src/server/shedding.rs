//! Connections over the limit: answered `503` with `Retry-After` and closed, rather than
//! left waiting in the accept queue until the client times out. The answer still needs
//! the request's headers read (a response sent before them can be lost to a reset), so
//! those connections are bounded too: at most [`SHED_SLOTS`] at once, each for at most
//! [`SHED_HEADER_TIMEOUT`]; beyond that a connection is closed unanswered.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Semaphore;

use crate::gateway::refusals;
use crate::log_throttle::{Throttle, DEFAULT_INTERVAL};

/// Over-limit connections answered at once.
pub const SHED_SLOTS: usize = 64;
/// How long an over-limit connection may take to send its headers.
pub const SHED_HEADER_TIMEOUT: Duration = Duration::from_secs(2);

static SHEDDING: Throttle = Throttle::new(DEFAULT_INTERVAL);

/// Answers over-limit connections.
#[derive(Debug, Clone)]
pub struct Shedder {
    slots: Arc<Semaphore>,
    header_timeout: Duration,
}

impl Shedder {
    pub fn new(header_timeout: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(SHED_SLOTS)),
            header_timeout: header_timeout.min(SHED_HEADER_TIMEOUT),
        }
    }

    /// Answers `io` with 503 in a task of its own, or closes it when too many are
    /// being answered already.
    pub fn shed<I>(&self, io: I, max_connections: usize)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        if let Some(suppressed) = SHEDDING.admit() {
            tracing::warn!(
                max_connections,
                suppressed,
                "connection limit reached; answering new connections 503 with Retry-After (--max-connections)"
            );
        }
        let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
            return; // dropping `io` closes it
        };
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout)
            .keep_alive(false);
        tokio::spawn(async move {
            let busy = service_fn(|_request| async {
                Ok::<_, Infallible>(refusals::busy(
                    "the server is at its connection limit (--max-connections)",
                ))
            });
            let _ = builder.serve_connection(TokioIo::new(io), busy).await;
            drop(slot);
        });
    }
}
