//! Reliability: memory stays bounded whatever clients ask for, measured on the real
//! process (VmHWM, the peak resident set, from /proc).
//!
//! - The list load of issue 17: 400 notifications of ~400 KB, then `GET /notifications`
//!   with the default limit, one `?limit=1000`, and six `?limit=1000` at once, each
//!   followed page by page to the end. Before pages were streamed with a byte budget,
//!   the default limit took RSS from 54 MB to 531 MB, `?limit=1000` to 3.9 GB and six at
//!   once to 14 GB.
//! - 300 connections that each send 1 MB of a 1 MiB body and stall: before the body
//!   budget they pinned 360 MB.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use private_ingest_core::notification::for_notify_route;
use private_ingest_core::{parse_message, Envelope, NotificationContent};
use private_ingest_testkit::local_stack::{Api, LocalStack};
use private_ingest_testkit::proc_status::{peak_rss_kib, reset_peak, rss_kib};
use private_ingest_testkit::raw_http;

const NOTIFICATIONS: usize = 400;
/// The default byte budget of a list page (`--max-list-bytes`).
const PAGE_BUDGET: usize = 1 << 20;
/// What the stack may grow by, at its peak, over its resident set before the load: the
/// pages in flight (a chunk and an entry each), SQLite's page caches (2 MiB per read
/// connection, at most 16), allocator slack.
const GROWTH_LIMIT_KIB: u64 = 96 * 1024;
const WAIT: Duration = Duration::from_secs(60);

/// A notify-route body just under 256 KiB whose notification is about 400 KB: many
/// short fields, which the notification carries as data and also names in its text.
fn large_body() -> Vec<u8> {
    let mut body = br#"{"Insert":"notify","data":{"#.to_vec();
    let mut i = 0;
    while body.len() < 256 * 1024 - 64 {
        if i > 0 {
            body.push(b',');
        }
        write!(body, r#""field{i:06}":"value-{i:06}""#).unwrap();
        i += 1;
    }
    body.extend_from_slice(b"}}");
    body
}

/// Writes `count` notifications as the notifier stores them, into the stopped stack's
/// database. Returns their message ids, oldest first.
fn store_notifications(data_dir: &Path, count: usize) -> Vec<String> {
    let message = parse_message(&large_body()).expect("a valid notify-route body");
    // Built once by the core (as the notifier builds it, with the caller's data so each
    // is large), then given each id: the id has a fixed width, so every copy is the same
    // size.
    let template = for_notify_route(
        &message,
        &Envelope::new("msg-????"),
        None,
        1_700_000_000_000,
        NotificationContent::WithCallerData,
    )
    .unwrap();
    let template = serde_json::to_string(&template).unwrap();
    assert!(
        template.len() > 350_000,
        "about 400 KB each, not {}",
        template.len()
    );
    let conn = rusqlite::Connection::open(data_dir.join("private-ingest.sqlite3")).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    let ids: Vec<String> = (0..count).map(|i| format!("msg-{i:04}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let item = template.replace("msg-????", id);
        conn.execute(
            "INSERT INTO notifications (message_id, item, published_at_ms) VALUES (?1, ?2, ?3)",
            (id, item, 1_700_000_000_000 + i as i64),
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    ids
}

/// Every page of `path`, checking each against the byte budget; the ids in order.
async fn all_pages(api: &Api, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut url = path.to_owned();
    loop {
        let response = reqwest::get(api.url(&url)).await.unwrap();
        assert_eq!(response.status(), 200, "GET {url}");
        let bytes = response.bytes().await.unwrap();
        let page: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let entries = page["notifications"].as_array().unwrap();
        assert!(!entries.is_empty(), "a page before the end holds an entry");
        let largest = entries.iter().map(|e| e.to_string().len()).max().unwrap();
        assert!(
            bytes.len() <= PAGE_BUDGET + largest + 64,
            "a page of {} bytes is over the budget by more than one entry",
            bytes.len()
        );
        ids.extend(
            entries
                .iter()
                .map(|e| e["message_id"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(cursor) => url = format!("{path}&cursor={cursor}"),
            None => return ids,
        }
    }
}

fn growth_kib(pid: u32, baseline_kib: u64, phase: &str) -> u64 {
    let growth = peak_rss_kib(pid).saturating_sub(baseline_kib);
    eprintln!(
        "{phase}: peak RSS {} KiB, {growth} KiB over the start",
        peak_rss_kib(pid)
    );
    assert!(
        growth < GROWTH_LIMIT_KIB,
        "{phase}: the stack's peak RSS grew by {growth} KiB (limit {GROWTH_LIMIT_KIB} KiB)"
    );
    growth
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_notification_load_of_issue_17_stays_within_bounded_memory() {
    // GIVEN 400 notifications of ~400 KB in the stack's database
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut first = LocalStack::start(&data, &[]);
    assert!(first.terminate(WAIT).success());
    let mut newest_first = store_notifications(&data, NOTIFICATIONS);
    newest_first.reverse();
    let stack = LocalStack::start(&data, &[]);
    let (api, pid) = (stack.api(), stack.pid());
    let (_, health) = api.get("/healthz").await;
    assert_eq!(health["notifications"], NOTIFICATIONS, "{health}");
    reset_peak(pid);
    let baseline = rss_kib(pid);
    eprintln!("after start: RSS {baseline} KiB");

    // WHEN the default page is asked for, THEN memory stays bounded and the pages
    // followed to the end are every notification, newest first, once
    let (status, page) = api.get("/notifications").await;
    assert_eq!(status, 200);
    growth_kib(pid, baseline, "GET /notifications");
    assert_eq!(
        page["notifications"][0]["message_id"],
        newest_first[0].as_str()
    );
    assert!(
        page["next"].is_string(),
        "more pages follow: {}",
        page["next"]
    );

    // WHEN ?limit=1000 is asked for
    assert_eq!(
        all_pages(&api, "/notifications?limit=1000").await,
        newest_first
    );
    growth_kib(pid, baseline, "GET /notifications?limit=1000");

    // WHEN six clients read every page at once
    let readers: Vec<_> = (0..6)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { all_pages(&api, "/notifications?limit=1000").await })
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.await.unwrap(), newest_first);
    }
    let growth = growth_kib(pid, baseline, "six clients at once");
    eprintln!(
        "figure: {NOTIFICATIONS} notifications of ~400 KB, six ?limit=1000 readers: peak RSS {} KiB ({growth} KiB over {baseline} KiB at start)",
        peak_rss_kib(pid)
    );
}

/// A valid request on a connection of its own, closed after the answer.
const PROBE: &[u8] = b"POST /send-message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{\"Insert\":\"notify\"}";

#[test]
fn stalled_bodies_hold_no_more_than_the_body_budget() {
    // GIVEN a stack whose bodies in flight may hold 16 MiB, each for at most 8 s
    let dir = tempfile::tempdir().unwrap();
    let stack = LocalStack::start(
        &dir.path().join("data"),
        &[
            "--max-body-bytes-in-flight",
            "16777216",
            "--body-timeout-ms",
            "8000",
        ],
    );
    let (address, pid) = (stack.address().to_owned(), stack.pid());
    let baseline = rss_kib(pid);

    // WHEN 300 connections each declare 1 MiB, send 1,000,000 bytes and stall
    let started = std::time::Instant::now();
    let megabyte = vec![b' '; 1_000_000];
    let head = format!(
        "POST /send-message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        1 << 20
    );
    let mut stalled = Vec::new();
    let mut cut_short = 0;
    for _ in 0..300 {
        let mut stream = raw_http::connect(&address, Duration::from_secs(5)).unwrap();
        // A refused request is answered (503) and closed before its body is read, so
        // the write may fail part-way: that is the point.
        if stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&megabyte))
            .is_err()
        {
            cut_short += 1;
        }
        stalled.push(stream);
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "the load took too long to set up"
    );
    let peak = peak_rss_kib(pid).saturating_sub(baseline);
    eprintln!(
        "figure: 300 stalled 1 MB bodies: peak RSS {peak} KiB over {baseline} KiB at start ({cut_short} writes cut short)"
    );

    // THEN the stack holds at most the budget (plus what any process allocates)
    assert!(peak < (16 + 48) * 1024, "stalled bodies pinned {peak} KiB");
    // AND a request meanwhile is refused at once with 503 + Retry-After in the contract's
    // shape, not left waiting
    let busy = raw_http::exchange(&address, PROBE, Duration::from_secs(5)).unwrap();
    assert_eq!(busy.status, 503, "{:?}", busy.json());
    assert_eq!(busy.header("retry-after"), Some("1"));
    let message = busy.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.starts_with("The server is busy"), "{message}");

    // AND once the body timeout has freed the stalled ones, requests are served again
    std::thread::sleep(Duration::from_secs(9).saturating_sub(started.elapsed()));
    let served = raw_http::exchange(&address, PROBE, Duration::from_secs(10)).unwrap();
    assert_eq!(served.status, 200, "{:?}", served.json());
    drop(stalled);
}
