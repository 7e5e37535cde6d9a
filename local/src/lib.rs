//! private-ingest on one machine: the cloud pipeline's contract, queue semantics and
//! Lambda handler on 127.0.0.1, with SQLite in place of SQS, DynamoDB and SNS.
//!
//! Where a request goes, in reading order: [`gateway`] (the API) -> [`queue`] (durable,
//! SQS semantics, on [`db`] with group commit) -> [`poller`] (the event source mapping;
//! builds the event in [`sqs_event`]) -> the handler's `handle_batch` -> [`adapters`]
//! (its ports on SQLite). [`flags`] are the command line; [`faults`] is a testing-only
//! hook. [`server`] is the accept loop (connection limit, timeouts); [`health`] says
//! whether writes work; [`log_throttle`] keeps repeated errors from flooding the log;
//! [`metrics`] counts what each part does, for `GET /metrics`; [`routing_rules`] reads
//! `--rules`.

pub mod adapters;
pub mod db;
pub mod faults;
pub mod flags;
pub mod gateway;
pub mod health;
pub mod log_throttle;
pub mod metrics;
pub mod poller;
pub mod queue;
pub mod routing_rules;
pub mod server;
pub mod sqs_event;

use std::future::Future;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use private_ingest_handler::{system_clock, system_random, Clock, Deps};
use tokio::sync::watch;

pub use flags::Flags;

use crate::adapters::sqlite_dedupe::SWEEP_INTERVAL;
use crate::adapters::{SqliteDedupe, SqliteNotifier, SqliteRecordStore};
use crate::db::data_dir::DataDirError;
use crate::db::watch::DatabaseWatch;
use crate::db::Reads;
use crate::faults::Faults;
use crate::gateway::body_limits::BodyLimits;
use crate::gateway::host_check::AllowedHosts;
use crate::gateway::{AppState, ClientLimits};
use crate::health::{WriteHealth, WriteState};
use crate::metrics::{CountingCommits, Metrics};
use crate::poller::{Poller, PollerOptions};
use crate::queue::{Queue, QueueOptions};
use crate::routing_rules::RulesFileError;

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
    #[error(transparent)]
    Rules(#[from] RulesFileError),
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

/// Serves until `shutdown` completes, then stops in order: no new connections, open
/// requests answered, the batch in flight finished and deleted, the last writes
/// committed, the database closed.
pub async fn run(
    flags: Flags,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    // Before anything is opened: a bad rules file changes nothing on disk.
    let rules = flags
        .rules
        .as_deref()
        .map(routing_rules::load)
        .transpose()?;
    let rules_in_force: Arc<str> =
        private_ingest_core::rules::in_force(rules.as_ref(), flags.notification_content()).into();
    std::fs::create_dir_all(&flags.data_dir).map_err(|source| RunError::DataDir {
        path: flags.data_dir.display().to_string(),
        source,
    })?;
    let opened = db::data_dir::open(&flags.data_dir, flags.init)?;
    tracing::info!(
        database = %opened.path.display(),
        database_id = %opened.database_id,
        quick_check_ms = opened.checked_in.map(|d| d.as_millis() as u64),
        "database opened"
    );
    let clock = system_clock();
    let health = WriteHealth::default();
    let metrics = Arc::new(Metrics::new());
    let watch = CountingCommits::new(
        DatabaseWatch::new(opened.files, health.clone(), clock.clone(), &flags.data_dir),
        Arc::clone(&metrics),
    );
    let (writer, writer_thread) = db::writer::start_observed(opened.conn, watch)?;
    let reads = Reads::new(opened.path);
    let faults = Arc::new(Faults::new(
        flags.fail_rate,
        flags.fail_first_attempts,
        flags.fail_seed.unwrap_or_else(rand::random),
    ));
    if faults.is_active() {
        tracing::warn!(
            fail_rate = flags.fail_rate,
            fail_first_attempts = flags.fail_first_attempts,
            fail_seed = faults.seed(),
            "TESTING fault injection is ON: the store and notifier fail on purpose (--fail-seed replays the failures)"
        );
    }
    let queue = Queue::new(
        writer.clone(),
        reads.clone(),
        QueueOptions {
            visibility_timeout: flags.visibility_timeout(),
            max_receive_count: flags.max_receive_count,
        },
    );
    let records =
        SqliteRecordStore::new(writer.clone(), reads.clone(), faults.clone(), clock.clone());
    let notifications = SqliteNotifier::new(writer.clone(), reads.clone(), faults, clock.clone());
    let dedupe = SqliteDedupe::new(writer.clone(), reads.clone());

    let listener = tokio::net::TcpListener::bind(&flags.listen)
        .await
        .map_err(|source| RunError::Listen {
            listen: flags.listen.clone(),
            source,
        })?;
    let address = listener.local_addr()?;
    let settings = server_settings(&flags);

    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let batch_size = usize::try_from(flags.batch_size).unwrap_or(usize::MAX);
    let poller = Arc::new(
        Poller::new(
            queue.clone(),
            Deps {
                store: records.clone(),
                notifier: notifications.clone(),
                dedupe: dedupe.clone(),
                clock: clock.clone(),
                random: system_random(),
                concurrency: batch_size,
                notification_content: flags.notification_content(),
                in_progress_expiry: flags.in_progress_expiry(),
                rules: rules.clone(),
            },
            PollerOptions {
                batch_size,
                batch_window: flags.batch_window(),
            },
            clock.clone(),
        )
        .with_metrics(Arc::clone(&metrics)),
    );
    let pollers: Vec<_> = (0..flags.max_concurrency)
        .map(|_| tokio::spawn(Arc::clone(&poller).run(stop_rx.clone())))
        .collect();
    drop(poller);
    let sweeper = tokio::spawn(sweep_dedupe_markers(
        dedupe.clone(),
        clock.clone(),
        stop_rx.clone(),
    ));

    let app = gateway::router(
        AppState {
            queue,
            records,
            notifications,
            dedupe,
            writer,
            clock,
            reads,
            health: health.clone(),
            limits: ClientLimits {
                body: BodyLimits::new(flags.max_body_bytes_in_flight, flags.body_timeout()),
                list_bytes: usize::try_from(flags.max_list_bytes).unwrap_or(usize::MAX),
                hosts: AllowedHosts::new(&flags.listen, &flags.allowed_hosts),
            },
            metrics,
            rules_in_force,
        },
        flags.web_dir.clone(),
    );
    // The one line on stdout: scripts and tests read the URL from it.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "private-ingest-local: serving http://{address}/")?;
    stdout.flush()?;
    drop(stdout);
    tracing::info!(
        data_dir = %flags.data_dir.display(),
        web_dir = %flags.web_dir.display(),
        visibility_timeout_s = flags.visibility_timeout,
        max_receive_count = flags.max_receive_count,
        batch_size = flags.batch_size,
        batch_window_ms = flags.batch_window_ms,
        max_concurrency = flags.max_concurrency,
        notification_includes_data = flags.notification_includes_data,
        rules = flags.rules.as_ref().map(|p| p.display().to_string()),
        max_connections = settings.max_connections,
        header_timeout_ms = flags.header_timeout_ms,
        body_timeout_ms = flags.body_timeout_ms,
        keep_alive_timeout_ms = flags.keep_alive_timeout_ms,
        max_body_bytes_in_flight = flags.max_body_bytes_in_flight,
        max_list_bytes = flags.max_list_bytes,
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
    if sweeper.await.is_err() {
        tracing::error!("the dedupe sweeper panicked");
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
fn server_settings(flags: &Flags) -> server::ServerSettings {
    let files = server::open_files::raise_soft_limit();
    let max_connections = server::open_files::connection_cap(flags.max_connections, files.now);
    if max_connections < flags.max_connections as usize {
        tracing::warn!(
            requested = flags.max_connections,
            serving = max_connections,
            open_file_limit = files.now,
            "--max-connections lowered to fit under the open-file limit (raise it with ulimit -n)"
        );
    }
    server::ServerSettings {
        max_connections,
        header_timeout: flags.header_timeout(),
        keep_alive_timeout: (flags.keep_alive_timeout_ms > 0).then(|| flags.keep_alive_timeout()),
    }
}

/// Deletes expired dedupe markers now and every [`SWEEP_INTERVAL`] until `stop` (what
/// DynamoDB's TTL does for the cloud's dedupe table).
async fn sweep_dedupe_markers(dedupe: SqliteDedupe, clock: Clock, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match dedupe.sweep(clock()).await {
            Ok(0) => {}
            Ok(swept) => tracing::debug!(swept, "expired dedupe markers deleted"),
            Err(error) => tracing::warn!(%error, "could not sweep expired dedupe markers"),
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_INTERVAL) => {}
            changed = stop.changed() => if changed.is_err() { break },
        }
    }
}
