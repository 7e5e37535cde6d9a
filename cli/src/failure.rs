//! Exit codes, and the one-line reason a failed command gives.

use serde::Serialize;
use serde_json::Value;

/// What `--help` says about exit codes (every command, the same table).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  done (doctor: every step ok or not applicable)
  1  failed: the endpoint or AWS could not be reached, or answered what the contract does not say
  2  usage error, or a body the contract refuses (nothing was sent)
  3  not found (get: no record with that id)
  4  timed out (send --follow: no outcome within --timeout)
  5  the API refused the message (any answer but 200; a 503 means: send it again)
  6  doctor: a link of the chain is broken (the first FAIL names it and the fix)
  7  send --follow: the message was dead-lettered
Failures print one line on stderr; with --json, stdout has one JSON document either way.";

/// How the process ends; see [`EXIT_CODES_HELP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    Done,
    Failed,
    Invalid,
    NotFound,
    TimedOut,
    Refused,
    Broken,
    DeadLettered,
}

impl Exit {
    pub const fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Failed => 1,
            Exit::Invalid => 2,
            Exit::NotFound => 3,
            Exit::TimedOut => 4,
            Exit::Refused => 5,
            Exit::Broken => 6,
            Exit::DeadLettered => 7,
        }
    }
}

/// A command that could not finish: its exit, a one-line reason, and whatever it
/// learnt on the way (the API's answer, for one), for the JSON document.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct Failure {
    pub exit: Exit,
    pub reason: String,
    pub details: Option<Value>,
    /// Text for people beyond the one-line reason (a refused body's errors, one a line).
    pub human: Option<String>,
}

impl Failure {
    pub fn new(exit: Exit, reason: impl Into<String>) -> Self {
        Self {
            exit,
            reason: one_line(&reason.into()),
            details: None,
            human: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_human(mut self, human: String) -> Self {
        self.human = Some(human);
        self
    }

    /// Exit 1: something failed that is no one's input.
    pub fn failed(reason: impl Into<String>) -> Self {
        Self::new(Exit::Failed, reason)
    }

    /// Exit 2: the arguments (or the body) are wrong.
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::new(Exit::Invalid, reason)
    }
}

/// `error` and its sources, `: `-joined, on one line.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    one_line(&text)
}

/// Newlines and runs of whitespace as single spaces, so a reason stays on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_code_is_in_the_help_once() {
        for exit in [
            Exit::Done,
            Exit::Failed,
            Exit::Invalid,
            Exit::NotFound,
            Exit::TimedOut,
            Exit::Refused,
            Exit::Broken,
            Exit::DeadLettered,
        ] {
            let line = format!("\n  {}  ", exit.code());
            assert_eq!(EXIT_CODES_HELP.matches(&line).count(), 1, "{exit:?}");
        }
    }

    #[test]
    fn a_reason_is_one_line() {
        let failure = Failure::failed("first\nsecond\t third");
        assert_eq!(failure.reason, "first second third");
    }
}
