//! private-ingest on one machine: the cloud pipeline's contract, queue semantics and
//! Lambda handler on 127.0.0.1, with SQLite in place of SQS, DynamoDB and SNS.
//!
//! Where a request goes, in reading order: [`gateway`] (the API) -> [`queue`] (durable,
//! SQS semantics, on [`db`] with group commit) -> [`poller`] (the event source mapping;
//! builds the event in [`sqs_event`]) -> the Lambda's `handle_batch` -> [`record_store`]
//! or [`notifier`]. [`config`] holds the flags; [`faults`] is a testing-only hook.

pub mod config;
pub mod db;
pub mod faults;
pub mod gateway;
pub mod notifier;
pub mod poller;
pub mod queue;
pub mod record_store;
pub mod sqs_event;

use std::future::Future;
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::serve::ListenerExt as _;
use private_ingest_lambda::{Clock, Deps, RandomSource};
use tokio::sync::watch;

pub use config::Config;

use crate::db::Reads;
use crate::faults::Faults;
use crate::gateway::AppState;
use crate::notifier::SqliteNotifier;
use crate::poller::{Poller, PollerSettings};
use crate::queue::{Queue, QueueSettings};
use crate::record_store::SqliteRecordStore;

/// How long a stop waits for open HTTP requests to finish before closing anyway.
const HTTP_DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Why the stack could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not create the data dir {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not open the database {path}: {source}")]
    Database { path: String, source: db::OpenError },
    #[error("could not listen on {listen}: {source}")]
    Listen {
        listen: String,
        source: std::io::Error,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Epoch milliseconds from the system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

fn random_source() -> RandomSource {
    Arc::new(|| rand::random_range(1..=100))
}

/// Serves until `shutdown` completes, then stops in order: no new connections, open
/// requests answered, the batch in flight finished and deleted, the last writes
/// committed, the database closed.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| RunError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let path = config.data_dir.join(db::FILE_NAME);
    let conn = db::open_for_writing(&path).map_err(|source| RunError::Database {
        path: path.display().to_string(),
        source,
    })?;
    let (writer, writer_thread) = db::writer::start(conn)?;
    let reads = Reads::new(path);
    let clock = system_clock();
    let faults = Arc::new(Faults::new(config.fail_rate, config.fail_first_attempts));
    if faults.is_active() {
        tracing::warn!(
            fail_rate = config.fail_rate,
            fail_first_attempts = config.fail_first_attempts,
            "TESTING fault injection is ON: the store and notifier fail on purpose"
        );
    }
    let queue = Queue::new(
        writer.clone(),
        reads.clone(),
        QueueSettings {
            visibility_timeout: config.visibility_timeout(),
            max_receive_count: config.max_receive_count,
        },
    );
    let records =
        SqliteRecordStore::new(writer.clone(), reads.clone(), faults.clone(), clock.clone());
    let notifications = SqliteNotifier::new(writer.clone(), reads, faults, clock.clone());

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|source| RunError::Listen {
            listen: config.listen.clone(),
            source,
        })?;
    let address = listener.local_addr()?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let batch_size = usize::try_from(config.batch_size).unwrap_or(usize::MAX);
    let poller = Arc::new(Poller::new(
        queue.clone(),
        Deps {
            store: records.clone(),
            notifier: notifications.clone(),
            clock: clock.clone(),
            random: random_source(),
            concurrency: batch_size,
        },
        PollerSettings {
            batch_size,
            batch_window: config.batch_window(),
        },
        clock.clone(),
    ));
    let pollers: Vec<_> = (0..config.max_concurrency)
        .map(|_| tokio::spawn(Arc::clone(&poller).run(stop_rx.clone())))
        .collect();
    drop(poller);

    let app = gateway::router(
        AppState {
            queue,
            records,
            notifications,
            writer,
            clock,
        },
        config.web_dir.clone(),
    );
    // The one line on stdout: scripts and tests read the URL from it.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "private-ingest-local: serving http://{address}/")?;
    stdout.flush()?;
    drop(stdout);
    tracing::info!(
        data_dir = %config.data_dir.display(),
        web_dir = %config.web_dir.display(),
        visibility_timeout_s = config.visibility_timeout,
        max_receive_count = config.max_receive_count,
        batch_size = config.batch_size,
        batch_window_ms = config.batch_window_ms,
        max_concurrency = config.max_concurrency,
        "local stack started"
    );

    let signalled = Arc::clone(&stop_tx);
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(
            "stopping: no new connections; finishing open requests and the batch in flight"
        );
        let _ = signalled.send(true);
    });
    let mut stopped = stop_rx.clone();
    let listener = listener.tap_io(gateway::accept::disable_nagle);
    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    });
    let mut stopped = stop_rx;
    let drained = tokio::select! {
        result = serve => {
            if let Err(error) = result {
                tracing::error!(%error, "the HTTP server failed; stopping");
            }
            true
        }
        () = async {
            let _ = stopped.wait_for(|stop| *stop).await;
            tokio::time::sleep(HTTP_DRAIN_LIMIT).await;
        } => false,
    };
    // Also when the server ended on its own: the pollers must not outlive it.
    let _ = stop_tx.send(true);
    for poller in pollers {
        if poller.await.is_err() {
            tracing::error!("a poller task panicked");
        }
    }
    tracing::info!("pollers stopped");
    if drained {
        // Every writer handle is gone with the server and the poller: the writer commits
        // what it holds and closes the database.
        tokio::task::spawn_blocking(move || writer_thread.join())
            .await
            .map_err(std::io::Error::other)?;
        tracing::info!("stopped cleanly");
    } else {
        // Connections still open keep writer handles; what they had not committed was
        // never acknowledged, so leaving now loses nothing that was answered 200.
        tracing::warn!("stopped with HTTP requests still open after {HTTP_DRAIN_LIMIT:?}");
    }
    Ok(())
}
