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

/// Ctrl-C or SIGTERM (what `docker stop`, systemd and `kill` send).
async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
