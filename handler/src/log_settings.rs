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
}
