//! The command line: global options, the commands and their arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::endpoint::LOCAL_DEFAULT;
use crate::failure::EXIT_CODES_HELP;

/// Send a checked message and follow it, read a record, find the broken link of the
/// private chain, and list, inspect and replay dead letters, against the local stack or
/// the cloud API.
#[derive(Debug, Parser)]
#[command(name = "private-ingest", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The API: the local stack's URL, or https://<customDomainName> (with the base path
    /// if the domain maps one). http:// is taken to be the local stack.
    #[arg(long, global = true, env = "PRIVATE_INGEST_ENDPOINT", default_value = LOCAL_DEFAULT)]
    pub endpoint: String,

    /// Print one JSON document on stdout instead of text (its shape is in the README).
    #[arg(long, global = true)]
    pub json: bool,

    /// PEM file of CA certificates to trust besides the system's (a private CA's).
    #[arg(
        long,
        global = true,
        env = "PRIVATE_INGEST_CA_CERT",
        value_name = "FILE"
    )]
    pub ca_cert: Option<PathBuf>,

    /// Seconds one HTTP request may take.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub request_timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a body with the contract, then send it; --follow waits for its outcome.
    #[command(after_help = EXIT_CODES_HELP)]
    Send(SendArgs),
    /// Print the record with this id (a messageId or recordId from send).
    #[command(after_help = EXIT_CODES_HELP)]
    Get(GetArgs),
    /// Walk the chain (DNS, TCP, TLS, the domain's mapping and the API's policy, the
    /// model) and name the first broken link, with the fix.
    #[command(after_help = EXIT_CODES_HELP)]
    Doctor,
    /// Dead letters: list, inspect (what a replay would do), redrive.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Print a shell completion script (e.g. `private-ingest completions bash > /etc/bash_completion.d/private-ingest`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The JSON body, or - (the default) to read it from stdin.
    #[arg(default_value = "-")]
    pub body: String,

    /// Sent as the Idempotency-Key header: the same key again makes no second record.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,

    /// Wait for the outcome: the record (store route) or, on the local stack, the
    /// notification (both for store+notify); or the dead letter.
    #[arg(long)]
    pub follow: bool,

    /// Cloud: the stack's routing rules (its `routingRules` setting), so that the route
    /// printed (and what --follow waits for) follows them; without it, the routing on
    /// Insert. The local stack's rules in force are read from GET /rules.
    #[arg(long, value_name = "FILE", env = "PRIVATE_INGEST_RULES")]
    pub rules: Option<std::path::PathBuf>,

    /// Seconds --follow waits for an outcome.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The record's id.
    pub id: String,
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// The dead letters (the local stack: newest first), each with what the core would do
    /// with it now.
    #[command(after_help = EXIT_CODES_HELP)]
    List(DlqListArgs),
    /// The dead letters grouped by what a replay would do: would store, would notify, or
    /// rejected (by error, with its path).
    #[command(after_help = EXIT_CODES_HELP)]
    Inspect(DlqListArgs),
    /// Move dead letters back to the queue, to be processed again.
    #[command(after_help = format!("{REDRIVE_NOTE}\n\n{EXIT_CODES_HELP}"))]
    Redrive(DlqRedriveArgs),
}

/// What `dlq redrive --help` says before the exit codes.
const REDRIVE_NOTE: &str = "\
Nothing is lost: each message is sent to the queue before it is deleted from the DLQ. Local \
stack: each call to POST /dead-letters/redrive moves up to 100 in one transaction, so an \
interruption leaves each message in exactly one place. AWS: StartMessageMoveTask where the \
backend has it (without --max or --method copy; Ctrl-C cancels it); otherwise receive -> \
send -> delete, 10 at a time at --rate. Interrupted there (Ctrl-C stops after the batch in \
hand; a kill does not), a message can be on both queues, and the next redrive sends it \
again: at-least-once. The duplicate carries the same idempotencyKey attribute as the first \
copy (its own key, or its first message id), which the handler's idempotent store \
deduplicates by.";

#[derive(Debug, Args)]
pub struct DlqListArgs {
    /// At most this many dead letters.
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max: u32,
    #[command(flatten)]
    pub aws: AwsQueues,
}

#[derive(Debug, Args)]
pub struct DlqRedriveArgs {
    /// Print what would be moved and what each would do, and move nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Move at most this many (default: all).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max: Option<u32>,
    /// AWS: messages moved per second (StartMessageMoveTask allows at most 500).
    #[arg(long, value_name = "PER_SECOND", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=500))]
    pub rate: u32,
    /// AWS: how to move them. auto: StartMessageMoveTask unless --max is given or the
    /// backend lacks it, then copy (receive -> send -> delete).
    #[arg(long, value_enum, default_value_t = MoveMethod::Auto)]
    pub method: MoveMethod,
    #[command(flatten)]
    pub aws: AwsQueues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MoveMethod {
    Auto,
    MoveTask,
    Copy,
}

/// The queues in AWS; without any of these, `dlq` works on the local stack (--endpoint).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "AWS (instead of the local stack)")]
pub struct AwsQueues {
    /// The dead-letter queue's URL.
    #[arg(long, value_name = "URL")]
    pub dlq_url: Option<String>,
    /// The queue to move dead letters back to (default: the DLQ's one source queue).
    #[arg(long, value_name = "URL")]
    pub queue_url: Option<String>,
    /// `pulumi stack output --json` saved to a file: takes deadLetterQueueUrl and queueUrl.
    #[arg(long, value_name = "FILE")]
    pub stack_outputs: Option<PathBuf>,
    /// The stack's routing rules (its `routingRules` setting: the document the local
    /// stack's --rules takes), so that "would" follows them; without it, the prediction is
    /// the routing on Insert. The local stack's rules in force are read from GET /rules.
    #[arg(long, value_name = "FILE", env = "PRIVATE_INGEST_RULES")]
    pub rules: Option<PathBuf>,
}

impl AwsQueues {
    /// Whether the DLQ is in AWS (`--rules` alone does not say so: it is also the local
    /// stack's variable, `PRIVATE_INGEST_RULES`).
    pub fn given(&self) -> bool {
        self.dlq_url.is_some() || self.queue_url.is_some() || self.stack_outputs.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
