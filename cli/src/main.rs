//! `private-ingest`: the operator's command line for the private-ingest API. Wiring only:
//! the command line ([`args`]), the endpoint and its HTTP client ([`endpoint`], [`api`]),
//! one module per command ([`commands`]), the routing a message meets ([`routing`]), and what is printed ([`report`]) with which
//! exit code ([`failure`]).

mod api;
mod args;
mod commands;
mod endpoint;
mod failure;
mod report;
mod routing;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use crate::api::{Api, Connection};
use crate::args::{Cli, Command};
use crate::endpoint::Endpoint;
use crate::failure::Failure;
use crate::report::Report;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let name = command_name(&cli.command);
    let report = match run(&cli).await {
        Ok(report) => report,
        Err(failure) => Report::failed(name, failure),
    };
    report.print(cli.global.json);
    ExitCode::from(report.exit.code())
}

async fn run(cli: &Cli) -> Result<Report, Failure> {
    if let Command::Completions { shell } = &cli.command {
        let mut command = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut command, "private-ingest", &mut script);
        return Ok(Report::done(
            "completions",
            String::from_utf8_lossy(&script).into_owned(),
            serde_json::json!({ "shell": shell.to_string(), "script": String::from_utf8_lossy(&script) }),
        ));
    }
    let endpoint = Endpoint::parse(&cli.global.endpoint)?;
    let connection = Connection {
        ca_cert: cli.global.ca_cert.clone(),
        request_timeout: Duration::from_secs(cli.global.request_timeout),
    };
    let api = Api::new(endpoint, &connection)?;
    // Spinners and bars on stderr, for a person at a terminal only.
    let show_progress = !cli.global.json && std::io::stderr().is_terminal();
    match &cli.command {
        Command::Send(args) => commands::send::run(&api, args, show_progress).await,
        Command::Get(args) => commands::get::run(&api, &args.id).await,
        Command::Doctor => commands::doctor::run(&api, cli.global.ca_cert.as_ref()).await,
        Command::Dlq(command) => commands::dlq::run(&api, command, show_progress).await,
        Command::Completions { .. } => unreachable!("handled above"),
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Send(_) => "send",
        Command::Get(_) => "get",
        Command::Doctor => "doctor",
        Command::Dlq(args::DlqCommand::List(_)) => "dlq list",
        Command::Dlq(args::DlqCommand::Inspect(_)) => "dlq inspect",
        Command::Dlq(args::DlqCommand::Redrive(_)) => "dlq redrive",
        Command::Completions { .. } => "completions",
    }
}
