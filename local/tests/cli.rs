//! The binary's command line: flags and their environment variables, the one stdout line
//! with the URL, exit codes, a clean stop on SIGTERM. (The API itself is tested end to
//! end in the workspace's `tests/` crate.) Having integration tests here also makes
//! `cargo test --workspace` build the binary that those end-to-end tests run.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_private-ingest-local");
const LIMIT: Duration = Duration::from_secs(20);

fn command() -> Command {
    let mut c = Command::new(BIN);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PRIVATE_INGEST_") {
            c.env_remove(key);
        }
    }
    c.stdin(Stdio::null());
    c
}

/// Runs to completion (bounded: these invocations exit at once).
fn output(c: &mut Command) -> Output {
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_bounded(child)
}

fn wait_bounded(mut child: Child) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > LIMIT {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("the binary did not exit within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A started stack: its child and the address from the first stdout line.
struct Started {
    child: Child,
    line: String,
    address: String,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(mut c: Command, out: &Path) -> Started {
    let stdout = std::fs::File::create(out).unwrap();
    // Owned by `Started` at once, so every path below kills and reaps it.
    let mut started = Started {
        child: c.stdout(stdout).stderr(Stdio::null()).spawn().unwrap(),
        line: String::new(),
        address: String::new(),
    };
    let since = Instant::now();
    loop {
        let text = std::fs::read_to_string(out).unwrap_or_default();
        if let Some(line) = text.strip_suffix('\n').filter(|l| !l.contains('\n')) {
            started.address = line
                .split("http://")
                .nth(1)
                .and_then(|rest| rest.strip_suffix('/'))
                .unwrap_or_else(|| panic!("unexpected start line {line:?}"))
                .to_owned();
            started.line = line.to_owned();
            return started;
        }
        assert!(since.elapsed() < LIMIT, "no start line within {LIMIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn http_get(address: &str, path: &str) -> String {
    let mut s = TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < LIMIT,
            "no exit within {LIMIT:?} of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn help_names_every_flag_with_its_environment_variable() {
    let out = output(command().arg("--help"));
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, env) in [
        ("--listen", "PRIVATE_INGEST_LISTEN"),
        ("--data-dir", "PRIVATE_INGEST_DATA_DIR"),
        ("--visibility-timeout", "PRIVATE_INGEST_VISIBILITY_TIMEOUT"),
        ("--max-receive-count", "PRIVATE_INGEST_MAX_RECEIVE_COUNT"),
        ("--batch-size", "PRIVATE_INGEST_BATCH_SIZE"),
        ("--batch-window-ms", "PRIVATE_INGEST_BATCH_WINDOW_MS"),
        ("--max-concurrency", "PRIVATE_INGEST_MAX_CONCURRENCY"),
        ("--web-dir", "PRIVATE_INGEST_WEB_DIR"),
        ("--fail-rate", "PRIVATE_INGEST_FAIL_RATE"),
        (
            "--fail-first-attempts",
            "PRIVATE_INGEST_FAIL_FIRST_ATTEMPTS",
        ),
        ("--init", "PRIVATE_INGEST_INIT"),
        ("--allowed-host", "PRIVATE_INGEST_ALLOWED_HOSTS"),
        ("--max-connections", "PRIVATE_INGEST_MAX_CONNECTIONS"),
        ("--header-timeout-ms", "PRIVATE_INGEST_HEADER_TIMEOUT_MS"),
        ("--body-timeout-ms", "PRIVATE_INGEST_BODY_TIMEOUT_MS"),
        (
            "--keep-alive-timeout-ms",
            "PRIVATE_INGEST_KEEP_ALIVE_TIMEOUT_MS",
        ),
        (
            "--max-body-bytes-in-flight",
            "PRIVATE_INGEST_MAX_BODY_BYTES_IN_FLIGHT",
        ),
        ("--max-list-bytes", "PRIVATE_INGEST_MAX_LIST_BYTES"),
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
        assert!(help.contains(env), "--help lacks {env}");
    }
    assert!(help.contains("[default: 127.0.0.1:8080]"));
    assert!(help.contains("[default: 5]"));
    assert!(help.contains("[default: 10]"));
    assert!(help.contains("Testing only: fault injection"));
    assert!(help.contains("Limits on clients"));
}

#[test]
fn prints_one_line_with_the_url_serves_it_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = command();
    c.args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .args(["--web-dir"])
        .arg(dir.path().join("no-page"));
    let mut stack = start(c, &dir.path().join("stdout"));
    assert!(
        stack
            .line
            .starts_with("private-ingest-local: serving http://127.0.0.1:"),
        "{}",
        stack.line
    );
    let health = http_get(&stack.address, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""status":"ok""#), "{health}");
    let page = http_get(&stack.address, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("make web"),
        "the missing page says how to build it: {page}"
    );
    assert!(terminate(&mut stack.child).success());
    let printed = std::fs::read_to_string(dir.path().join("stdout")).unwrap();
    assert_eq!(printed.lines().count(), 1, "stdout: {printed:?}");
}

#[test]
fn environment_variables_work_like_flags() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-env");
    let mut c = command();
    c.env("PRIVATE_INGEST_LISTEN", "127.0.0.1:0")
        .env("PRIVATE_INGEST_DATA_DIR", &data)
        .env("PRIVATE_INGEST_BATCH_SIZE", "3");
    let stack = start(c, &dir.path().join("stdout"));
    assert!(stack.address.starts_with("127.0.0.1:"));
    assert!(
        data.join("private-ingest.sqlite3").exists(),
        "the database is in the data dir named by PRIVATE_INGEST_DATA_DIR"
    );
}

#[test]
fn bad_values_are_usage_errors() {
    let out = output(command().args(["--max-receive-count", "0"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-receive-count"));
    let out = output(command().env("PRIVATE_INGEST_FAIL_RATE", "2"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not between 0 and 1"));
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = output(
        command()
            .args(["--listen", &address, "--data-dir"])
            .arg(dir.path()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("could not listen on {address}")),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no URL line when nothing is served");
}
