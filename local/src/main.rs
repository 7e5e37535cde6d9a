//! `private-ingest-local`: wiring only. Flags and env (see [`Flags`]), logs to stderr,
//! the URL on stdout, and a stop on Ctrl-C or SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use private_ingest_local::{run, Flags};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let flags = Flags::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(flags, stop_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("private-ingest-local: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Ctrl-C or SIGTERM (what `docker stop`, systemd and `kill` send). The handlers are
/// installed here, before the stack starts, not when the returned future is first polled:
/// a SIGTERM that arrives while the stack opens its database or prints its URL still stops
/// it cleanly instead of killing the process with the signal's default action.
fn stop_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                // Without signal handlers the process keeps the default actions (it
                // still stops); serve until then.
                _ => std::future::pending::<()>().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
