//! The local stack's flags: its command line, each flag with an environment variable of
//! the same meaning (`PRIVATE_INGEST_<FLAG>`). Defaults mirror what the cloud stack
//! deploys (its stack settings' defaults and AWS's own).

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use private_ingest_core::NotificationContent;

/// Heading of the fault-injection flags in `--help`.
const TESTING: &str = "Testing only: fault injection (off by default; never use for real data)";

/// Heading of the flags that bound what hostile clients can hold.
const HARDENING: &str = "Limits on clients (connections, timeouts, memory, Host names)";

/// The whole private-ingest pipeline on 127.0.0.1: the API gateway, a durable SQLite
/// queue with SQS semantics, the Lambda's own batch handler, and SQLite storage.
#[derive(Debug, Clone, Parser)]
#[command(name = "private-ingest-local", version, about)]
pub struct Flags {
    /// Address to serve on. Port 0 picks a free port; the printed URL names it.
    #[arg(long, env = "PRIVATE_INGEST_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Folder of the SQLite database (queue, records, notifications, dead letters).
    #[arg(long, env = "PRIVATE_INGEST_DATA_DIR", default_value = "./.local-data")]
    pub data_dir: PathBuf,

    /// Seconds a received message stays hidden before it can be received again
    /// (SQS VisibilityTimeout: default 30, at most 43200 = 12 hours).
    #[arg(long, env = "PRIVATE_INGEST_VISIBILITY_TIMEOUT", value_name = "SECONDS",
          default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=43_200))]
    pub visibility_timeout: u32,

    /// Receives after which a message that still fails moves to the dead-letter table
    /// (SQS redrive policy maxReceiveCount: 1 to 1000).
    #[arg(long, env = "PRIVATE_INGEST_MAX_RECEIVE_COUNT", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub max_receive_count: u32,

    /// Most messages per handler invocation (Lambda SQS BatchSize: default 10, at most
    /// 10000 for a standard queue).
    #[arg(long, env = "PRIVATE_INGEST_BATCH_SIZE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_size: u32,

    /// How long to wait for a batch to fill once its first message is received
    /// (Lambda MaximumBatchingWindowInSeconds: default 0, at most 300 s).
    #[arg(long, env = "PRIVATE_INGEST_BATCH_WINDOW_MS", value_name = "MILLISECONDS",
          default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=300_000))]
    pub batch_window_ms: u64,

    /// Batches handled at once (the event source mapping's ScalingConfig
    /// MaximumConcurrency, 2 to 1000 in AWS). Concurrent batches share group commits:
    /// with 1, processing on a 2-core machine fell 3x behind the accepted rate; with 8 it
    /// kept up.
    #[arg(long, env = "PRIVATE_INGEST_MAX_CONCURRENCY", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=1_000))]
    pub max_concurrency: u16,

    /// Folder of the built test page, served at `/` (built by `make web`).
    #[arg(long, env = "PRIVATE_INGEST_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,

    /// Let notifications carry the caller's content (`Insert`, `data`, the start of a
    /// rejected body); without it they carry ids, the route and reasons only, as in the
    /// cloud by default (its NOTIFICATION_INCLUDES_DATA).
    #[arg(long, env = "PRIVATE_INGEST_NOTIFICATION_INCLUDES_DATA", value_name = "true|false",
          num_args = 0..=1, default_value_t = false, default_missing_value = "true",
          action = clap::ArgAction::Set)]
    pub notification_includes_data: bool,

    /// Routing rules (a rules document, JSON: see fixtures/rules/): which messages are
    /// stored, notified about, or both, in place of the routing on `Insert`. Checked at
    /// start: a bad file stops the start with every problem named. As the cloud's
    /// `routingRules` setting.
    #[arg(long, env = "PRIVATE_INGEST_RULES", value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// TESTING ONLY: fraction (0 to 1) of store and notify attempts that fail on purpose,
    /// so the queue redelivers them and finally dead-letters them.
    #[arg(long, env = "PRIVATE_INGEST_FAIL_RATE", value_name = "FRACTION",
          default_value_t = 0.0, value_parser = parse_fraction, help_heading = TESTING)]
    pub fail_rate: f64,

    /// TESTING ONLY: fail the first N store or notify attempts of every message (counted
    /// per message id, in memory), so each message is redelivered N times.
    #[arg(long, env = "PRIVATE_INGEST_FAIL_FIRST_ATTEMPTS", value_name = "N",
          default_value_t = 0, help_heading = TESTING)]
    pub fail_first_attempts: u32,

    /// TESTING ONLY: seed of the random failures of `--fail-rate`, to replay a run's
    /// sequence of failures (without it a random seed is chosen and logged at start).
    #[arg(long, env = "PRIVATE_INGEST_FAIL_SEED", value_name = "SEED", help_heading = TESTING)]
    pub fail_seed: Option<u64>,

    /// Start with a new, empty database although the data dir says it had one (its
    /// marker file or WAL is there, the database file is not). Without it such a start
    /// is refused, so a deleted database is never silently replaced by an empty one.
    #[arg(long, env = "PRIVATE_INGEST_INIT")]
    pub init: bool,

    /// More names the server answers to besides localhost, `*.localhost`, IP addresses
    /// and the `--listen` host (repeatable, or comma-separated in the environment; a
    /// leading dot allows every subdomain; `*` turns the check off). Any other `Host`
    /// gets 421: a web page whose name resolves to 127.0.0.1 (DNS rebinding) cannot read
    /// or send through this stack.
    #[arg(long = "allowed-host", env = "PRIVATE_INGEST_ALLOWED_HOSTS", value_name = "HOST",
          value_delimiter = ',', help_heading = HARDENING)]
    pub allowed_hosts: Vec<String>,

    /// Most client connections served at once. Further connections get 503 with
    /// Retry-After. Lowered at start to fit under the open-file limit (the soft limit is
    /// raised to the hard one first).
    #[arg(long, env = "PRIVATE_INGEST_MAX_CONNECTIONS", default_value_t = 1_024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000), help_heading = HARDENING)]
    pub max_connections: u32,

    /// How long a client has to send a request's headers, counted from when the
    /// connection is ready for the request.
    #[arg(long, env = "PRIVATE_INGEST_HEADER_TIMEOUT_MS", value_name = "MILLISECONDS",
          default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=3_600_000),
          help_heading = HARDENING)]
    pub header_timeout_ms: u64,

    /// How long a client has to send a whole request body; slower gets 408.
    #[arg(long, env = "PRIVATE_INGEST_BODY_TIMEOUT_MS", value_name = "MILLISECONDS",
          default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..=3_600_000),
          help_heading = HARDENING)]
    pub body_timeout_ms: u64,

    /// How long a connection may stay idle between requests before it is closed
    /// (0 = one request per connection).
    #[arg(long, env = "PRIVATE_INGEST_KEEP_ALIVE_TIMEOUT_MS", value_name = "MILLISECONDS",
          default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(0..=3_600_000),
          help_heading = HARDENING)]
    pub keep_alive_timeout_ms: u64,

    /// Most request-body bytes held in memory across all connections at once; a
    /// request that would go over gets 503 with Retry-After.
    #[arg(long, env = "PRIVATE_INGEST_MAX_BODY_BYTES_IN_FLIGHT", value_name = "BYTES",
          default_value_t = 64 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1_048_576..=u64::from(u32::MAX)),
          help_heading = HARDENING)]
    pub max_body_bytes_in_flight: u64,

    /// Byte budget of one `GET /notifications` or `/dead-letters` page: entries stop
    /// once it is reached (a page always holds at least one), and `next` names the rest.
    #[arg(long, env = "PRIVATE_INGEST_MAX_LIST_BYTES", value_name = "BYTES",
          default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(4_096..=268_435_456),
          help_heading = HARDENING)]
    pub max_list_bytes: u64,
}

impl Flags {
    pub fn visibility_timeout(&self) -> Duration {
        Duration::from_secs(self.visibility_timeout.into())
    }

    pub fn batch_window(&self) -> Duration {
        Duration::from_millis(self.batch_window_ms)
    }

    /// How long a notification's dedupe claim holds its `Idempotency-Key`: the visibility
    /// timeout (a delivery that runs longer is redelivered anyway, as in SQS), at least one
    /// second so a zero timeout cannot make claims worthless.
    pub fn in_progress_expiry(&self) -> Duration {
        self.visibility_timeout().max(Duration::from_secs(1))
    }

    pub fn notification_content(&self) -> NotificationContent {
        NotificationContent::from_includes_data(self.notification_includes_data)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.body_timeout_ms)
    }

    pub fn keep_alive_timeout(&self) -> Duration {
        Duration::from_millis(self.keep_alive_timeout_ms)
    }
}

fn parse_fraction(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0 and 1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_mirror_what_the_cloud_deploys() {
        let c = Flags::try_parse_from(["private-ingest-local"]).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./.local-data"));
        assert_eq!(c.visibility_timeout(), Duration::from_secs(30));
        assert_eq!((c.max_receive_count, c.batch_size), (5, 10));
        assert_eq!(c.batch_window(), Duration::ZERO);
        assert_eq!(c.max_concurrency, 8);
        assert_eq!(c.web_dir, PathBuf::from("web/dist"));
        assert_eq!((c.fail_rate, c.fail_first_attempts), (0.0, 0));
        assert_eq!(c.notification_content(), NotificationContent::IdsOnly);
        assert!(!c.init);
        assert_eq!(c.rules, None, "no rules: the routing on Insert");
        assert!(c.allowed_hosts.is_empty());
        assert_eq!(c.max_connections, 1_024);
        assert_eq!(c.header_timeout(), Duration::from_secs(10));
        assert_eq!(c.body_timeout(), Duration::from_secs(30));
        assert_eq!(c.keep_alive_timeout(), Duration::from_secs(5));
        assert_eq!(c.max_body_bytes_in_flight, 64 << 20);
        assert_eq!(c.max_list_bytes, 1 << 20);
    }

    #[test]
    fn notification_includes_data_is_a_switch_or_takes_true_or_false() {
        let parse = |args: &[&str]| {
            Flags::try_parse_from([&["private-ingest-local"], args].concat())
                .map(|f| f.notification_content())
        };
        let with = NotificationContent::WithCallerData;
        let without = NotificationContent::IdsOnly;
        assert_eq!(parse(&["--notification-includes-data"]).unwrap(), with);
        assert_eq!(parse(&["--notification-includes-data=true"]).unwrap(), with);
        assert_eq!(
            parse(&["--notification-includes-data=false"]).unwrap(),
            without
        );
        assert!(parse(&["--notification-includes-data=yes"]).is_err());
    }

    #[test]
    fn allowed_hosts_repeat_or_come_comma_separated() {
        let c = Flags::try_parse_from([
            "private-ingest-local",
            "--allowed-host",
            "a.example,.b.example",
            "--allowed-host",
            "c",
        ])
        .unwrap();
        assert_eq!(c.allowed_hosts, ["a.example", ".b.example", "c"]);
    }

    #[test]
    fn out_of_range_values_are_refused() {
        for args in [
            ["--max-receive-count", "0"],
            ["--batch-size", "0"],
            ["--max-concurrency", "0"],
            ["--visibility-timeout", "43201"],
            ["--fail-rate", "1.5"],
            ["--fail-rate", "x"],
            ["--max-connections", "0"],
            ["--header-timeout-ms", "0"],
            ["--max-body-bytes-in-flight", "1000"],
            ["--max-list-bytes", "10"],
        ] {
            let parsed = Flags::try_parse_from(["private-ingest-local", args[0], args[1]]);
            assert!(parsed.is_err(), "{args:?} was accepted");
        }
    }
}
