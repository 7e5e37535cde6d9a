//! The real `private-ingest-local` binary for end-to-end tests: started on a free
//! 127.0.0.1 port (`--listen 127.0.0.1:0`; the URL is read from the one line it prints)
//! with a data dir ([`TempDataDir`], or the caller's for a restart), stopped on drop, and
//! an HTTP client for its API.
//!
//! The binary is the one cargo builds next to this test executable, so it follows
//! `CARGO_TARGET_DIR`, `--target-dir` and the profile. `cargo test --workspace` builds it
//! (the local package has integration tests, and cargo builds a package's binaries for
//! them); `PRIVATE_INGEST_LOCAL_BIN` overrides the path. A missing or stale binary fails
//! the test with the command that fixes it, rather than testing old code.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

const BINARY: &str = "private-ingest-local";
/// How long a start may take before the test fails (a debug build starts in well under 1 s).
const START_LIMIT: Duration = Duration::from_secs(20);
/// Bound on every HTTP request a test makes.
const REQUEST_LIMIT: Duration = Duration::from_secs(15);

/// Path of the binary under test.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PRIVATE_INGEST_LOCAL_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("path of the running test executable");
    // <target>/<profile>/deps/<test>-<hash>  ->  <target>/<profile>/private-ingest-local
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in <target>/<profile>/deps");
    let path = profile_dir.join(format!("{BINARY}{}", std::env::consts::EXE_SUFFIX));
    let fix = "run `cargo test --workspace` (it builds the binary) or `cargo build -p private-ingest-local` first";
    let built = fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} not found: {fix}", path.display()));
    if let Some(newer) = source_changed_after(&path, built) {
        panic!(
            "{} is older than {}: {fix}",
            path.display(),
            newer.display()
        );
    }
    path
}

/// A source file of the binary that changed after it was built, if any. The files are
/// those cargo lists in the binary's dep-info (`<binary>.d`), so a change elsewhere in
/// the workspace is not mistaken for one.
fn source_changed_after(binary: &Path, built: SystemTime) -> Option<PathBuf> {
    let dep_info = fs::read_to_string(binary.with_extension("d")).ok()?;
    let (_, sources) = dep_info.lines().next()?.split_once(": ")?;
    // Paths are separated by spaces; a space inside a path is escaped as "\ ".
    let sources = sources.replace("\\ ", "\0");
    sources
        .split_whitespace()
        .map(|p| PathBuf::from(p.replace('\0', " ")))
        .find(|p| {
            fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified > built)
        })
}

/// A data dir in a fresh temp folder, removed (database and all) when dropped.
#[derive(Debug)]
pub struct TempDataDir {
    _root: tempfile::TempDir,
    path: PathBuf,
}

impl TempDataDir {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("a temp folder for the data dir");
        // A folder the stack creates itself, as it would on a first start.
        let path = root.path().join("data");
        Self { _root: root, path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stack's SQLite database in this data dir.
    pub fn database(&self) -> PathBuf {
        self.path.join(private_ingest_local::db::FILE_NAME)
    }
}

impl Default for TempDataDir {
    fn default() -> Self {
        Self::new()
    }
}

/// One running `private-ingest-local`; killed on drop.
#[derive(Debug)]
pub struct LocalStack {
    child: Option<Child>,
    base_url: String,
    logs: tempfile::TempDir,
}

impl LocalStack {
    /// Starts the binary with a fresh [`TempDataDir`] (returned: keep it alive while the
    /// stack runs) and extra `args`.
    pub fn start_fresh(args: &[&str]) -> (Self, TempDataDir) {
        let data = TempDataDir::new();
        let stack = Self::start(data.path(), args);
        (stack, data)
    }

    /// Starts the binary on a free port with `data_dir` and extra `args`, and waits for
    /// the line with its URL.
    pub fn start(data_dir: &Path, args: &[&str]) -> Self {
        Self::start_wrapped(data_dir, args, &[])
    }

    /// As [`LocalStack::start`], run through `wrapper` (a command that ends by exec'ing
    /// its arguments, such as `sh -c 'ulimit -n 512 && exec "$0" "$@"'`), so the
    /// process id is still the stack's.
    pub fn start_wrapped(data_dir: &Path, args: &[&str], wrapper: &[&str]) -> Self {
        let logs = tempfile::tempdir().expect("temp dir for the stack's logs");
        let stdout = fs::File::create(logs.path().join("stdout")).expect("stdout file");
        let stderr = fs::File::create(logs.path().join("stderr")).expect("stderr file");
        let mut command = match wrapper.split_first() {
            Some((program, wrapper_args)) => {
                let mut c = Command::new(program);
                c.args(wrapper_args).arg(binary());
                c
            }
            None => Command::new(binary()),
        };
        command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        // Variables from the developer's shell must not change what a test runs.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PRIVATE_INGEST_") {
                command.env_remove(key);
            }
        }
        let child = command.spawn().expect("spawn private-ingest-local");
        let mut stack = Self {
            child: Some(child),
            base_url: String::new(),
            logs,
        };
        stack.base_url = stack.wait_for_url();
        stack
    }

    fn wait_for_url(&mut self) -> String {
        let started = Instant::now();
        loop {
            let out = fs::read_to_string(self.logs.path().join("stdout")).unwrap_or_default();
            if let Some(line) = out.lines().next().filter(|_| out.contains('\n')) {
                let url = line
                    .split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .unwrap_or_else(|| panic!("no URL in the start line {line:?}"));
                return url.trim_end_matches('/').to_owned();
            }
            if let Some(status) = self.child_mut().try_wait().expect("child status") {
                panic!(
                    "private-ingest-local exited at start ({status}):\n{}",
                    self.log()
                );
            }
            assert!(
                started.elapsed() < START_LIMIT,
                "private-ingest-local printed no URL within {START_LIMIT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("the stack is running")
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        self.base_url.trim_start_matches("http://")
    }

    /// The stack's process id (for /proc).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the stack is running").id()
    }

    pub fn api(&self) -> Api {
        Api::new(&self.base_url)
    }

    /// What the stack logged to stderr so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.logs.path().join("stderr")).unwrap_or_default()
    }

    /// What the stack printed to stdout so far.
    pub fn stdout(&self) -> String {
        fs::read_to_string(self.logs.path().join("stdout")).unwrap_or_default()
    }

    /// `kill -9`: no chance to flush, finish or close anything.
    pub fn kill_9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reap the killed stack");
        }
    }

    /// SIGTERM, then waits at most `limit` for the exit; returns its status.
    pub fn terminate(&mut self, limit: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("the stack is running");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(sent.success(), "kill -TERM failed");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("child status") {
                return status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no exit within {limit:?} of SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        self.kill_9();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "--- last lines of private-ingest-local's log ({}):",
                self.base_url
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// The stack's HTTP API. Statuses come back as numbers, bodies as JSON (`Value::Null`
/// when a body is not JSON).
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base_url: String,
}

/// A status and a JSON body.
pub type Answer = (u16, Value);

impl Api {
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_LIMIT)
            .build()
            .expect("HTTP client");
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `POST /send-message` with any body and content type (`None`: no Content-Type).
    pub async fn try_send(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self.http.post(self.url("/send-message")).body(body);
        if let Some(t) = content_type {
            request = request.header("content-type", t);
        }
        answer(request.send().await?).await
    }

    /// `POST /send-message` of a JSON body; panics if the stack does not answer.
    pub async fn send(&self, body: impl Into<reqwest::Body>) -> Answer {
        self.try_send(body, Some("application/json"))
            .await
            .expect("POST /send-message")
    }

    /// Sends a body the contract accepts and returns the queue's message id.
    pub async fn send_ok(&self, body: &str) -> String {
        let (status, json) = self.send(body.to_owned()).await;
        assert_eq!(status, 200, "{body} was refused: {json}");
        json["messageId"].as_str().expect("messageId").to_owned()
    }

    /// `POST /send-message` of a JSON body with an `Idempotency-Key` header.
    pub async fn send_keyed(&self, body: &str, key: &str) -> Answer {
        let request = self
            .http
            .post(self.url("/send-message"))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body.to_owned());
        answer(request.send().await.expect("POST /send-message"))
            .await
            .expect("read the answer")
    }

    pub async fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        answer(response).await.expect("read the answer")
    }

    /// Asks `probe` every 50 ms until it returns `Some`, for at most `limit`.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, limit: Duration, mut probe: F) -> T
    where
        F: FnMut(Api) -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let started = Instant::now();
        loop {
            if let Some(found) = probe(self.clone()).await {
                return found;
            }
            assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The record of `message_id`, once it is there.
    pub async fn wait_for_record(&self, message_id: &str, limit: Duration) -> Value {
        let path = format!("/messages/{message_id}");
        self.wait_for(&format!("record {message_id}"), limit, |api| {
            let path = path.clone();
            async move {
                let (status, json) = api.get(&path).await;
                (status == 200).then_some(json)
            }
        })
        .await
    }

    /// Every entry of a paginated list (`/notifications`, `/dead-letters`): the pages
    /// from `path`, following `next` until it is null. `key` names the entries.
    pub async fn list_all(&self, path: &str, key: &str) -> Vec<Value> {
        let mut entries = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next: Option<String> = None;
        loop {
            let url = match &next {
                Some(cursor) => format!("{path}{separator}cursor={cursor}"),
                None => path.to_owned(),
            };
            let (status, page) = self.get(&url).await;
            assert_eq!(status, 200, "GET {url}: {page}");
            entries.extend(page[key].as_array().expect("a list page").iter().cloned());
            match page["next"].as_str() {
                Some(cursor) => next = Some(cursor.to_owned()),
                None => return entries,
            }
        }
    }

    /// The notification of `message_id`, once it is there.
    pub async fn wait_for_notification(&self, message_id: &str, limit: Duration) -> Value {
        let id = message_id.to_owned();
        self.wait_for(&format!("notification {message_id}"), limit, |api| {
            let id = id.clone();
            async move {
                let listed = api
                    .list_all("/notifications?limit=1000", "notifications")
                    .await;
                listed.into_iter().find(|n| n["message_id"] == id.as_str())
            }
        })
        .await
    }

    /// `/healthz` once the queue holds no message (visible or in flight).
    pub async fn wait_until_drained(&self, limit: Duration) -> Value {
        self.wait_for("queue drained", limit, |api| async move {
            let (status, json) = api.get("/healthz").await;
            let queue = &json["queue"];
            (status == 200 && queue["visible"] == 0 && queue["in_flight"] == 0).then_some(json)
        })
        .await
    }
}

async fn answer(response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}
