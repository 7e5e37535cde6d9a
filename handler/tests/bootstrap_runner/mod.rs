//! Which `bootstrap` the end-to-end tests start, and how: the binary (`BOOTSTRAP_BIN`,
//! by default cargo's native build of it) behind an optional runner prefix
//! (`BOOTSTRAP_RUNNER`, e.g. `qemu-aarch64-static -L /usr/aarch64-linux-gnu -cpu
//! neoverse-n1` for the arm64 package, which `make test-package` sets). And how a binary
//! that died is described, so that a crash reads as one (a signal by name, the emulator's
//! own complaint) instead of as a missing answer.

use std::path::PathBuf;
use std::process::{Command, ExitStatus};

/// The value `make test-package` gives `BOOTSTRAP_RUNNER`'s `-cpu`: Lambda's arm64
/// functions run on Graviton2 (Arm Neoverse N1).
pub const GRAVITON2_CPU: &str = "neoverse-n1";

#[derive(Debug, Clone)]
pub struct Target {
    pub binary: PathBuf,
    /// The runner's program and arguments; empty runs the binary directly.
    pub runner: Vec<String>,
}

impl Target {
    /// From `BOOTSTRAP_BIN` and `BOOTSTRAP_RUNNER`, else the native build cargo made.
    pub fn from_env(native_build: &str) -> Self {
        let binary =
            std::env::var_os("BOOTSTRAP_BIN").map_or_else(|| native_build.into(), PathBuf::from);
        let runner = std::env::var("BOOTSTRAP_RUNNER")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Self { binary, runner }
    }

    /// The runner with `flag`'s value replaced (added when absent): the same harness on
    /// another emulated CPU (`-cpu`) or another system root (`-L`).
    pub fn with_runner_option(&self, flag: &str, value: &str) -> Self {
        let mut runner = self.runner.clone();
        match runner.iter().position(|arg| arg == flag) {
            Some(at) if at + 1 < runner.len() => runner[at + 1] = value.to_owned(),
            _ => runner.extend([flag.to_owned(), value.to_owned()]),
        }
        Self {
            binary: self.binary.clone(),
            runner,
        }
    }

    /// The command that starts the binary, through the runner when there is one.
    pub fn command(&self) -> Command {
        match self.runner.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(&self.binary);
                command
            }
            None => Command::new(&self.binary),
        }
    }

    pub fn describe(&self) -> String {
        if self.runner.is_empty() {
            self.binary.display().to_string()
        } else {
            format!("{} {}", self.runner.join(" "), self.binary.display())
        }
    }
}

/// How a process ended, in words: the signal by name and what it usually means here.
pub fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => {
            let meaning = match signal {
                4 => "SIGILL: an instruction this CPU does not have",
                6 => "SIGABRT: aborted, e.g. a panic with panic=abort",
                7 => "SIGBUS",
                9 => "SIGKILL",
                11 => "SIGSEGV: invalid memory access",
                _ => "",
            };
            format!("killed by signal {signal} ({meaning})")
        }
        (None, None) => format!("ended with {status}"),
    }
}
