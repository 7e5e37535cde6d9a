//! How the Lambda logs, from Lambda's own logging settings (advanced logging controls),
//! read as `lambda_runtime`'s `tracing::init_default_subscriber()` reads them:
//! `AWS_LAMBDA_LOG_LEVEL` first (the function's `applicationLogLevel`), then `RUST_LOG`,
//! then `INFO`; `AWS_LAMBDA_LOG_FORMAT` says JSON or text.
//!
//! Two differences, both on purpose: Lambda's `FATAL` means errors only (tracing has no
//! fatal level; the runtime's parser would fall back to INFO), and without
//! `AWS_LAMBDA_LOG_FORMAT` the lines stay JSON (the project's log lines are structured;
//! only an explicit `Text` asks for text).

/// Lambda's application log level (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`).
pub const LOG_LEVEL_VAR: &str = "AWS_LAMBDA_LOG_LEVEL";
/// Lambda's log format (`JSON` or `Text`).
pub const LOG_FORMAT_VAR: &str = "AWS_LAMBDA_LOG_FORMAT";
/// tracing's own filter directives, used when Lambda sets no level.
pub const RUST_LOG_VAR: &str = "RUST_LOG";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// A filter directive: a level, or `RUST_LOG`'s per-target levels.
    pub filter: String,
    pub json: bool,
    /// What was set but could not be used, to log once the subscriber is up.
    pub ignored: Option<String>,
}

impl LogSettings {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let json = !lookup(LOG_FORMAT_VAR).is_some_and(|f| f.trim().eq_ignore_ascii_case("text"));
        let mut ignored = None;
        let filter = match lookup(LOG_LEVEL_VAR).map(|l| l.trim().to_ascii_uppercase()) {
            Some(level) => match level.as_str() {
                "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" => level.to_ascii_lowercase(),
                "FATAL" => "error".to_owned(),
                _ => {
                    ignored = Some(format!(
                        "{LOG_LEVEL_VAR}={level:?} is not a Lambda log level; logging at INFO"
                    ));
                    "info".to_owned()
                }
            },
            None => lookup(RUST_LOG_VAR)
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| "info".to_owned()),
        };
        Self {
            filter,
            json,
            ignored,
        }
    }
}

#[cfg(feature = "aws")]
impl LogSettings {
    /// The filter as per-target levels (`info`, `warn,aws_smithy_runtime=debug`), which is
    /// what the Lambda applies: `Targets` reads the same `target=level` directives as
    /// `EnvFilter` without its span and field filters, and so without the regex engine
    /// they need (~270 KiB of the binary). A filter it cannot read gives INFO, and the
    /// reason, to log once the subscriber is up. A span filter (`[span]`, `{field}`) is
    /// refused here, as `Targets` would read it as a target's name and log nothing else.
    pub fn targets(&self) -> (tracing_subscriber::filter::Targets, Option<String>) {
        use tracing_subscriber::filter::Targets;
        let parsed = if self.filter.contains(['[', '{']) {
            Err("span and field filters are not supported".to_owned())
        } else {
            self.filter.parse::<Targets>().map_err(|e| e.to_string())
        };
        match parsed {
            Ok(targets) => (targets, None),
            Err(error) => (
                Targets::new().with_default(tracing::Level::INFO),
                Some(format!(
                    "the log filter {:?} is not per-target levels ({error}); logging at INFO",
                    self.filter
                )),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> LogSettings {
        LogSettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn lambdas_level_wins_over_rust_log() {
        let s = settings(&[(LOG_LEVEL_VAR, "DEBUG"), (RUST_LOG_VAR, "warn")]);
        assert_eq!((s.filter.as_str(), s.json), ("debug", true));
    }

    #[test]
    fn without_lambdas_level_rust_log_then_info() {
        assert_eq!(
            settings(&[(RUST_LOG_VAR, "private_ingest=trace")]).filter,
            "private_ingest=trace"
        );
        assert_eq!(settings(&[]).filter, "info");
    }

    #[test]
    fn fatal_is_errors_only_and_an_unknown_level_is_info_and_said() {
        assert_eq!(settings(&[(LOG_LEVEL_VAR, "FATAL")]).filter, "error");
        let s = settings(&[(LOG_LEVEL_VAR, "loud")]);
        assert_eq!(s.filter, "info");
        assert!(s
            .ignored
            .unwrap()
            .contains("\"LOUD\" is not a Lambda log level"));
    }

    #[test]
    fn json_unless_lambda_says_text() {
        assert!(settings(&[(LOG_FORMAT_VAR, "JSON")]).json);
        assert!(!settings(&[(LOG_FORMAT_VAR, "Text")]).json);
        assert!(settings(&[]).json);
    }

    #[cfg(feature = "aws")]
    #[test]
    fn the_filter_is_read_as_per_target_levels_else_info_and_said() {
        use tracing::Level;
        let level_of = |filter: &str, target: &str| {
            let (targets, unreadable) = LogSettings {
                filter: filter.into(),
                json: true,
                ignored: None,
            }
            .targets();
            let enabled = [
                Level::TRACE,
                Level::DEBUG,
                Level::INFO,
                Level::WARN,
                Level::ERROR,
            ]
            .into_iter()
            .find(|level| targets.would_enable(target, level));
            (enabled, unreadable.is_some())
        };
        assert_eq!(level_of("error", "bootstrap"), (Some(Level::ERROR), false));
        assert_eq!(
            level_of(
                "warn,aws_smithy_runtime=debug",
                "aws_smithy_runtime::client"
            ),
            (Some(Level::DEBUG), false)
        );
        assert_eq!(
            level_of("warn,aws_smithy_runtime=debug", "bootstrap"),
            (Some(Level::WARN), false)
        );
        // A span filter is EnvFilter's alone, and a level must be one: INFO, and the
        // reason is kept to be logged.
        assert_eq!(
            level_of("[message]=debug", "bootstrap"),
            (Some(Level::INFO), true)
        );
        assert_eq!(
            level_of("warn,bootstrap=loud", "bootstrap"),
            (Some(Level::INFO), true)
        );
    }
}
