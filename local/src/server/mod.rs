//! The accept loop: the router served over HTTP/1.1 with bounds on what clients can
//! hold. (axum's own `serve` has no timeouts and no connection limit; this is the same
//! hyper connection it builds, driven directly.)
//!
//! - At most `max_connections` connections are served at once ([`open_files`] keeps the
//!   number under the open-file limit). A connection over the limit is answered 503 with
//!   `Retry-After` and closed ([`shedding`]); past [`shedding::SHED_SLOTS`] of those at
//!   once, it is closed unanswered.
//! - Each served connection ([`connection`]) has a header-read timeout (hyper's, counted
//!   from when the connection is ready for a request) and a keep-alive timeout (idle
//!   between requests). The body-read timeout and the bound on body bytes in memory are
//!   the gateway's (`gateway::body_limits`), where the body is read.
//! - Every accepted connection, served or shed, has `TCP_NODELAY` set ([`no_delay`]).

pub mod connection;
pub mod no_delay;
pub mod open_files;
pub mod shedding;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::{Listener, ListenerExt as _};
use axum::Router;
use tokio::net::TcpStream;
use tokio::sync::{watch, Semaphore};

/// Limits of the accept loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerSettings {
    /// Connections served at once (already fitted under the open-file limit).
    pub max_connections: usize,
    /// From "ready for a request" to "its headers are in".
    pub header_timeout: Duration,
    /// Idle time allowed between requests; `None`: one request per connection.
    pub keep_alive_timeout: Option<Duration>,
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets
/// open connections finish their requests (idle ones close at once) and returns when
/// every served connection has closed.
pub async fn serve<L: Listener<Io = TcpStream>>(
    listener: L,
    app: Router,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()>,
) {
    let mut listener = listener.tap_io(no_delay::disable_nagle);
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let shedder = shedding::Shedder::new(settings.header_timeout);
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection task holds a receiver; `closed()` resolves once all are gone.
    let (open_tx, open_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (io, _peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => {
                let connection = connection::Connection {
                    app: app.clone(),
                    settings,
                    stop: stop_rx.clone(),
                    open: open_rx.clone(),
                    slot,
                };
                tokio::spawn(connection.serve(io));
            }
            Err(_) => shedder.shed(io, settings.max_connections),
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    open_tx.closed().await;
}
