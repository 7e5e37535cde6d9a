//! Reliability: the local stack on a hostile disk (issue 17, items 3 and 7). Each test
//! reproduces what broke before:
//!
//! - `rm` of the SQLite files under load: 4,693 more 200s went into the unlinked file,
//!   `/healthz` said 500, the stop said "stopped cleanly", and the restart silently
//!   began an empty database, losing every acknowledged message;
//! - a database with garbage written into it was opened without complaint;
//! - a full disk: 503s, but 49 MB of identical ERROR lines in 10 s and `/healthz` "ok".

use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use private_ingest_testkit::local_stack::{binary, Api, LocalStack};

const DB: &str = "private-ingest.sqlite3";
const SENDERS: usize = 8;
const WAIT: Duration = Duration::from_secs(60);

/// One answer of a load run.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    message_id: Option<String>,
    at: Instant,
}

/// Every answer of a load run, by sequence number.
type Answers = Arc<Mutex<BTreeMap<usize, Answer>>>;

/// `SENDERS` tasks sending `body(seq)` until `stop`; every answer, by sequence number.
fn start_load(
    api: &Api,
    body: fn(usize) -> String,
    stop: Arc<AtomicBool>,
) -> (Answers, Vec<tokio::task::JoinHandle<()>>) {
    let answers = Arc::new(Mutex::new(BTreeMap::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let tasks = (0..SENDERS)
        .map(|_| {
            let (api, answers, next, stop) =
                (api.clone(), answers.clone(), next.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let seq = next.fetch_add(1, Ordering::Relaxed);
                    let Ok((status, json)) =
                        api.try_send(body(seq), Some("application/json")).await
                    else {
                        continue;
                    };
                    let message_id = json["messageId"].as_str().map(str::to_owned);
                    answers.lock().unwrap().insert(
                        seq,
                        Answer {
                            status,
                            message_id,
                            at: Instant::now(),
                        },
                    );
                }
            })
        })
        .collect();
    (answers, tasks)
}

fn store_body(seq: usize) -> String {
    format!(r#"{{"Insert":"DynamoDB","data":{{"seq":{seq}}}}}"#)
}

/// Runs the binary on `data_dir` to its exit (bounded); its exit code and stderr.
fn run_to_exit(data_dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut command = Command::new(binary());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PRIVATE_INGEST_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the stack started instead of refusing:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_removed_under_load_stops_acknowledging_and_loses_nothing_acknowledged() {
    // GIVEN a stack under load from 8 senders
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut stack = LocalStack::start(&data, &[]);
    let api = stack.api();
    let stop = Arc::new(AtomicBool::new(false));
    let (answers, senders) = start_load(&api, store_body, stop.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;

    // WHEN its database files are removed
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(data.join(format!("{DB}{suffix}"))).unwrap();
    }
    let removed_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.await.unwrap();
    }

    // THEN it stops acknowledging: after the first 503 no 200, and the only 200s answered
    // after the removal are those whose group had passed the check (one per sender)
    let answers = answers.lock().unwrap().clone();
    let after: Vec<&Answer> = answers.values().filter(|a| a.at > removed_at).collect();
    let first_refusal = after
        .iter()
        .filter(|a| a.status == 503)
        .map(|a| a.at)
        .min()
        .expect("no 503 after the database was removed");
    let late_200s = after.iter().filter(|a| a.status == 200).count();
    assert!(
        !after
            .iter()
            .any(|a| a.status == 200 && a.at > first_refusal),
        "a 200 after the first 503"
    );
    assert!(late_200s <= SENDERS, "{late_200s} 200s after the removal");
    assert!(answers.values().all(|a| matches!(a.status, 200 | 503)));
    let acknowledged: Vec<String> = answers
        .values()
        .filter(|a| a.status == 200)
        .map(|a| a.message_id.clone().unwrap())
        .collect();
    eprintln!(
        "figure: database removed under load: {} acknowledged before, {late_200s} 200s answered after the removal, first 503 {:?} after it, {} 503s",
        acknowledged.len() - late_200s,
        first_refusal - removed_at,
        after.iter().filter(|a| a.status == 503).count()
    );
    // AND /healthz says it failed, and where the rescue copy is
    let (status, health) = api.get("/healthz").await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["status"], "failed", "{health}");
    assert!(
        health["database"]["reason"]
            .as_str()
            .unwrap()
            .contains("was removed"),
        "{health}"
    );
    let rescued = health["database"]["rescued_copy"]
        .as_str()
        .expect("a rescue copy")
        .to_owned();
    assert!(stack.log().contains("DATABASE LOST"), "{}", stack.log());

    // AND the stop says so, with its own exit code
    let stopped = stack.terminate(WAIT);
    assert_eq!(stopped.code(), Some(5), "{}", stack.log());
    assert!(stack
        .log()
        .contains("the database was lost while the stack ran"));

    // AND a restart on the emptied data dir is refused, naming --init and the copy
    let (code, stderr) = run_to_exit(&data, &[]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("--init") && stderr.contains("private-ingest.rescued-"),
        "{stderr}"
    );
    assert!(
        !data.join(DB).exists(),
        "a refused start creates no database"
    );

    // AND the rescue copy, put in place, holds every acknowledged message
    std::fs::rename(&rescued, data.join(DB)).unwrap();
    let stack = LocalStack::start(&data, &[]);
    let api = stack.api();
    api.wait_until_drained(WAIT).await;
    let mut missing = Vec::new();
    for id in &acknowledged {
        if api.get(&format!("/messages/{id}")).await.0 != 200 {
            missing.push(id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged messages lost: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
    eprintln!(
        "figure: all {} acknowledged messages found after resuming from the rescue copy",
        acknowledged.len()
    );
}

#[test]
fn init_starts_an_empty_database_on_a_data_dir_whose_database_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut stack = LocalStack::start(&data, &[]);
    assert!(stack.terminate(WAIT).success());
    std::fs::remove_file(data.join(DB)).unwrap();
    let (code, stderr) = run_to_exit(&data, &[]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("is missing, but this data dir had one"),
        "{stderr}"
    );
    let mut stack = LocalStack::start(&data, &["--init"]);
    assert!(stack.terminate(WAIT).success());
    let _ = LocalStack::start(&data, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_with_garbage_in_its_pages_is_refused_at_start() {
    // GIVEN a stopped stack's database with a few hundred records
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut stack = LocalStack::start(&data, &[]);
    let api = stack.api();
    for seq in 0..300 {
        let body = format!(
            r#"{{"Insert":"DynamoDB","data":{{"seq":{seq},"pad":"{}"}}}}"#,
            "x".repeat(1_000)
        );
        api.send_ok(&body).await;
    }
    api.wait_until_drained(WAIT).await;
    assert!(stack.terminate(WAIT).success());

    // WHEN garbage is written over pages in the middle of the file
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(data.join(DB))
        .unwrap();
    let pages = file.metadata().unwrap().len() / 4096;
    assert!(pages > 50, "{pages} pages");
    file.seek(SeekFrom::Start(pages / 2 * 4096)).unwrap();
    file.write_all(&[0xA5; 4 * 4096]).unwrap();
    drop(file);

    // THEN the start is refused with the malformed-database exit code and what is wrong
    let (code, stderr) = run_to_exit(&data, &[]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(stderr.contains("the database is malformed"), "{stderr}");
    assert!(
        stderr.contains(&data.join(DB).display().to_string()),
        "{stderr}"
    );
}

fn large_store_body(seq: usize) -> String {
    format!(
        r#"{{"Insert":"DynamoDB","data":{{"seq":{seq},"pad":"{}"}}}}"#,
        "x".repeat(100_000)
    )
}

fn error_lines(log: &str) -> usize {
    log.lines().filter(|l| l.contains(" ERROR ")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_gives_503_few_log_lines_and_degraded_health_until_space_returns() {
    // GIVEN a stack whose data dir is an 8 MiB file system (a tmpfs in a mount namespace
    // of its own), 3 MiB of it taken by a ballast file
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let script = format!(
        r#"mount -t tmpfs -o size=8m tmpfs '{0}' && dd if=/dev/zero of='{0}/ballast' bs=1M count=3 2>/dev/null && exec "$0" "$@""#,
        data.display()
    );
    let stack = LocalStack::start_wrapped(
        &data,
        &[],
        &[
            "unshare",
            "--mount",
            "--map-root-user",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
        ],
    );
    let api = stack.api();

    // WHEN it is filled until the disk is full
    let mut seq = 0;
    loop {
        let (status, _) = api.send(large_store_body(seq)).await;
        seq += 1;
        if status == 503 {
            break;
        }
        assert_eq!(status, 200);
        assert!(seq < 200, "the disk never filled");
    }
    // AND 8 senders keep sending for 3 s
    let before = stack.log();
    let stop = Arc::new(AtomicBool::new(false));
    let (answers, senders) = start_load(&api, store_body, stop.clone());
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.await.unwrap();
    }

    // THEN they are refused with 503 (never anything but 200 or 503)
    let answers = answers.lock().unwrap().clone();
    let refused = answers.values().filter(|a| a.status == 503).count();
    assert!(answers.values().all(|a| matches!(a.status, 200 | 503)));
    assert!(refused > 100, "only {refused} refusals in 3 s");
    // AND the log holds a few lines, not one per refusal
    let during = stack.log()[before.len()..].to_owned();
    let errors = error_lines(&during);
    eprintln!(
        "figure: full disk, 3 s of 8 senders: {refused} refused, {errors} ERROR lines, {} bytes of log",
        during.len()
    );
    assert!(
        errors <= 12,
        "{errors} ERROR lines for {refused} refusals:\n{during}"
    );
    // AND /healthz says writes fail, and why
    let (status, health) = api.get("/healthz").await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(
        health["writes"]["last_error"]
            .as_str()
            .unwrap()
            .contains("full"),
        "{health}"
    );
    assert!(
        health["writes"]["failed_commits"].as_u64().unwrap() > 1,
        "{health}"
    );

    // WHEN space returns (the ballast goes, through the stack's own view of its mounts)
    let ballast = format!("/proc/{}/root{}/ballast", stack.pid(), data.display());
    std::fs::remove_file(&ballast).unwrap_or_else(|e| panic!("{ballast}: {e}"));

    // THEN sends succeed again and health is ok, and the log says writes recovered
    let id = api
        .wait_for("a 200 once space returned", WAIT, |api| async move {
            let (status, json) = api.send(store_body(0)).await;
            (status == 200).then(|| json["messageId"].as_str().unwrap().to_owned())
        })
        .await;
    api.wait_for_record(&id, WAIT).await;
    let (status, health) = api.get("/healthz").await;
    assert_eq!(
        (status, &health["status"]),
        (200, &serde_json::json!("ok")),
        "{health}"
    );
    assert!(
        stack.log().contains("database writes work again"),
        "{}",
        stack.log()
    );
    // AND over the whole episode the log said what happened in a few lines, and the
    // recovery line counts the failed commits it did not log one by one
    let log = stack.log();
    let errors = error_lines(&log);
    assert!(errors <= 12, "{errors} ERROR lines:\n{log}");
    assert!(log.contains("database or disk is full"), "{log}");
    let recovered = log
        .lines()
        .find(|l| l.contains("database writes work again"))
        .unwrap();
    let failed_commits: u64 = recovered
        .split("failed_commits=")
        .nth(1)
        .and_then(|n| n.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(failed_commits > 100, "{recovered}");
    eprintln!(
        "figure: full disk episode: {errors} ERROR lines and {} bytes of log in all for {failed_commits} failed commits",
        log.len()
    );
}
