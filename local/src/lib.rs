//! private-ingest on one machine: the cloud pipeline's contract, queue semantics and
//! Lambda handler on 127.0.0.1, with SQLite in place of SQS, DynamoDB and SNS.
//!
//! Where a request goes, in reading order: [`gateway`] (the API) -> [`queue`] (durable,
//! SQS semantics, on [`db`] with group commit) -> [`poller`] (the event source mapping;
//! builds the event in [`sqs_event`]) -> the Lambda's `handle_batch` -> [`record_store`]
//! or [`notifier`]. [`config`] holds the flags; [`faults`] is a testing-only hook.
//! [`server`] is the accept loop (connection limit, timeouts); [`health`] says whether
//! writes work; [`log_throttle`] keeps repeated errors from flooding the log.

pub mod config;
pub mod db;
pub mod faults;
pub mod gateway;
pub mod health;
pub mod log_throttle;
pub mod notifier;
pub mod poller;
pub mod queue;
pub mod record_store;
pub mod server;
pub mod sqs_event;

use std::future::Future;
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use private_ingest_lambda::{Clock, Deps, RandomSource};
use tokio::sync::watch;

pub use config::Config;

use crate::db::data_dir::DataDirError;
use crate::db::watch::DatabaseWatch;
use crate::db::Reads;
use crate::faults::Faults;
use crate::gateway::body_limits::BodyLimits;
use crate::gateway::host_check::AllowedHosts;
use crate::gateway::{AppState, ClientLimits};
use crate::health::{WriteHealth, WriteState};
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
    #[error("could not listen on {listen}: {source}")]
    Listen {
        listen: String,
        source: std::io::Error,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Refused(#[from] DataDirError),
    #[error("the database was lost while the stack ran: {reason}. {rescue}")]
    DatabaseLost { reason: String, rescue: String },
}

impl RunError {
    /// The process's exit code: 1 for most failures (2 is clap's, for bad flags); the
    /// data-dir refusals and a lost database get their own, so scripts can tell them.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Refused(DataDirError::DatabaseMissing { .. })
            | RunError::Refused(DataDirError::NotThisDataDirs { .. }) => 3,
            RunError::Refused(DataDirError::Malformed { .. }) => 4,
            RunError::DatabaseLost { .. } => 5,
            _ => 1,
        }
    }
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
    let opened = db::data_dir::open(&config.data_dir, config.init)?;
    tracing::info!(
        database = %opened.path.display(),
        database_id = %opened.database_id,
        quick_check_ms = opened.checked_in.map(|d| d.as_millis() as u64),
        "database opened"
    );
    let clock = system_clock();
    let health = WriteHealth::default();
    let watch = DatabaseWatch::new(
        opened.files,
        health.clone(),
        clock.clone(),
        &config.data_dir,
    );
    let (writer, writer_thread) = db::writer::start_observed(opened.conn, watch)?;
    let reads = Reads::new(opened.path);
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
    let notifications = SqliteNotifier::new(writer.clone(), reads.clone(), faults, clock.clone());

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|source| RunError::Listen {
            listen: config.listen.clone(),
            source,
        })?;
    let address = listener.local_addr()?;
    let settings = server_settings(&config);

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
            reads,
            health: health.clone(),
            limits: ClientLimits {
                body: BodyLimits::new(config.max_body_bytes_in_flight, config.body_timeout()),
                list_bytes: usize::try_from(config.max_list_bytes).unwrap_or(usize::MAX),
                hosts: AllowedHosts::new(&config.listen, &config.allowed_hosts),
            },
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
        max_connections = settings.max_connections,
        header_timeout_ms = config.header_timeout_ms,
        body_timeout_ms = config.body_timeout_ms,
        keep_alive_timeout_ms = config.keep_alive_timeout_ms,
        max_body_bytes_in_flight = config.max_body_bytes_in_flight,
        max_list_bytes = config.max_list_bytes,
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
    let serve = server::serve(listener, app, settings, async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    });
    let mut stopped = stop_rx;
    let drained = tokio::select! {
        () = serve => true,
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
        if let WriteState::Failed {
            reason,
            rescued_copy,
            ..
        } = health.current()
        {
            return Err(lost(reason, rescued_copy));
        }
        tracing::info!("stopped cleanly");
    } else {
        // Connections still open keep writer handles; what they had not committed was
        // never acknowledged, so leaving now loses nothing that was answered 200.
        tracing::warn!("stopped with HTTP requests still open after {HTTP_DRAIN_LIMIT:?}");
        if let WriteState::Failed {
            reason,
            rescued_copy,
            ..
        } = health.current()
        {
            return Err(lost(reason, rescued_copy));
        }
    }
    Ok(())
}

fn lost(reason: String, rescued_copy: Option<String>) -> RunError {
    let rescue = match rescued_copy {
        Some(copy) => format!(
            "Every message acknowledged before the loss is in {copy}: move it to {} in the \
             data dir to resume from it",
            db::FILE_NAME
        ),
        None => "No copy could be made: messages acknowledged before the loss are gone".into(),
    };
    RunError::DatabaseLost { reason, rescue }
}

/// The accept loop's limits from the flags, the connection limit fitted under the
/// open-file limit (raised first where allowed).
fn server_settings(config: &Config) -> server::ServerSettings {
    let files = server::open_files::raise_soft_limit();
    let max_connections = server::open_files::connection_cap(config.max_connections, files.now);
    if max_connections < config.max_connections as usize {
        tracing::warn!(
            requested = config.max_connections,
            serving = max_connections,
            open_file_limit = files.now,
            "--max-connections lowered to fit under the open-file limit (raise it with ulimit -n)"
        );
    }
    server::ServerSettings {
        max_connections,
        header_timeout: config.header_timeout(),
        keep_alive_timeout: (config.keep_alive_timeout_ms > 0).then(|| config.keep_alive_timeout()),
    }
}
