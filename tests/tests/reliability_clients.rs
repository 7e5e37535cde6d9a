//! Reliability: the local stack against hostile clients, over raw TCP on loopback
//! (issue 17, items 2, 4, 5 and 6). Each test reproduces what broke before:
//!
//! - silent sockets exhausted the open-file limit and every real request timed out;
//!   half-sent and idle connections stayed open forever;
//! - any `Host` was served (DNS rebinding);
//! - `/.env` and symlinks out of `--web-dir` were served, a 256-byte segment gave an
//!   empty 500, `GET //assets` redirected to another host;
//! - framework rejections answered `text/plain`.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use private_ingest_testkit::local_stack::LocalStack;
use private_ingest_testkit::proc_status::open_files;
use private_ingest_testkit::raw_http::{self, closed_within, RawResponse};

/// A valid request on a connection of its own, closed after the answer.
const PROBE: &[u8] = b"POST /send-message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{\"Insert\":\"notify\"}";
const LIMIT: Duration = Duration::from_secs(10);

fn start(args: &[&str]) -> (LocalStack, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let stack = LocalStack::start(&dir.path().join("data"), args);
    (stack, dir)
}

/// The contract's error shape: JSON with a message and a list of error lines.
fn assert_contract_error(response: &RawResponse, status: u16, first_error_starts: &str) {
    assert_eq!(
        response.status,
        status,
        "{:?}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.header("content-type"), Some("application/json"));
    let json = response.json();
    assert!(json["message"].is_string(), "{json}");
    let first = json["errors"][0].as_str().unwrap_or_default();
    assert!(first.starts_with(first_error_starts), "{json}");
}

#[test]
fn silent_sockets_at_the_open_file_limit_get_503_then_service() {
    // GIVEN a stack that may open 512 files (soft and hard: it cannot raise them) and
    // gives clients 6 s for their headers (over-limit ones get 2 s)
    let dir = tempfile::tempdir().unwrap();
    let stack = LocalStack::start_wrapped(
        &dir.path().join("data"),
        &["--header-timeout-ms", "6000"],
        &["sh", "-c", r#"ulimit -n 512 && exec "$0" "$@""#],
    );
    let (address, pid) = (stack.address().to_owned(), stack.pid());
    assert!(
        stack
            .log()
            .contains("--max-connections lowered to fit under the open-file limit"),
        "{}",
        stack.log()
    );

    // WHEN 600 connections open and say nothing (more than the process has files)
    let flooded = Instant::now();
    let silent: Vec<TcpStream> = (0..600)
        .map(|_| raw_http::connect(&address, LIMIT).unwrap())
        .collect();

    // THEN real requests are answered: 503 + Retry-After while the connections are
    // held, 200 once the header timeout has closed them, never a hang
    let mut answers = Vec::new();
    let mut most_files = 0;
    while flooded.elapsed() < Duration::from_secs(15) {
        most_files = most_files.max(open_files(pid));
        match raw_http::exchange(&address, PROBE, Duration::from_secs(2)) {
            Ok(r) if r.status == 200 => {
                answers.push(200);
                break;
            }
            Ok(r) => {
                assert_contract_error(&r, 503, "/: the server is at its connection limit");
                assert_eq!(r.header("retry-after"), Some("1"));
                answers.push(503);
            }
            // Closed unanswered: past the over-limit connections being answered.
            Err(_) => answers.push(0),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "figure: 600 silent sockets at a 512-file limit: answers {answers:?} over {:?}; at most {most_files} files open",
        flooded.elapsed()
    );
    assert!(
        answers.contains(&503),
        "no 503 while the limit was reached: {answers:?}"
    );
    assert_eq!(answers.last(), Some(&200), "{answers:?}");
    assert!(most_files <= 512, "{most_files} files open");

    // AND once their header timeout has passed, none of the silent connections is held
    std::thread::sleep(Duration::from_secs(8).saturating_sub(flooded.elapsed()));
    let held = silent
        .into_iter()
        .filter_map(|mut s| (!closed_within(&mut s, Duration::from_millis(20))).then_some(()))
        .count();
    eprintln!(
        "figure: silent connections still held {:?} after they opened: {held} of 600",
        flooded.elapsed()
    );
    assert_eq!(held, 0);
}

#[test]
fn half_sent_trickled_and_idle_connections_are_closed_by_their_timeouts() {
    // GIVEN one second each for headers, for a body, and idle between requests
    let (stack, _dir) = start(&[
        "--header-timeout-ms",
        "1000",
        "--body-timeout-ms",
        "1000",
        "--keep-alive-timeout-ms",
        "1000",
    ]);
    let address = stack.address().to_owned();
    let within = Duration::from_secs(4);

    // Headers that stop half-way: closed.
    let mut half_head = raw_http::connect(&address, LIMIT).unwrap();
    half_head
        .write_all(b"POST /send-message HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    assert!(
        closed_within(&mut half_head, within),
        "half-sent headers were kept open"
    );

    // Headers trickled a byte at a time, never finishing in time: closed.
    let mut trickled = raw_http::connect(&address, LIMIT).unwrap();
    let trickler = {
        let mut writer = trickled.try_clone().unwrap();
        std::thread::spawn(move || {
            for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
                if writer.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    assert!(
        closed_within(&mut trickled, within),
        "trickled headers were kept open"
    );
    trickler.join().unwrap();

    // A body that stops half-way: 408 in the contract's shape, then closed.
    let mut half_body = raw_http::connect(&address, LIMIT).unwrap();
    half_body
        .write_all(b"POST /send-message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Insert\":")
        .unwrap();
    let timed_out = raw_http::read_response(&mut half_body, within).unwrap();
    assert_contract_error(
        &timed_out,
        408,
        "/: the request body did not arrive within 1000 ms",
    );
    assert!(closed_within(&mut half_body, within));

    // A body trickled a byte at a time: 408 too (the limit is on the whole body).
    let mut slow_body = raw_http::connect(&address, LIMIT).unwrap();
    slow_body
        .write_all(b"POST /send-message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        .unwrap();
    let trickler = {
        let mut writer = slow_body.try_clone().unwrap();
        std::thread::spawn(move || {
            for _ in 0..40 {
                if writer.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let timed_out = raw_http::read_response(&mut slow_body, within).unwrap();
    assert_eq!(timed_out.status, 408);
    trickler.join().unwrap();

    // A kept-alive connection serves requests while it is used, and is closed once idle.
    let mut kept = raw_http::connect(&address, LIMIT).unwrap();
    for _ in 0..3 {
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        assert_eq!(
            raw_http::read_response(&mut kept, within).unwrap().status,
            200
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let idle = Instant::now();
    assert!(
        closed_within(&mut kept, within),
        "an idle connection was kept open"
    );
    eprintln!(
        "figure: an idle kept-alive connection closed after {:?} (--keep-alive-timeout-ms 1000)",
        idle.elapsed() + Duration::from_millis(500)
    );
}

#[test]
fn a_page_whose_name_resolves_to_loopback_gets_421_everywhere() {
    // GIVEN a stack that also answers to ingest.example
    let (stack, _dir) = start(&["--allowed-host", "ingest.example"]);
    let address = stack.address().to_owned();
    let port = address.rsplit(':').next().unwrap().to_owned();

    // WHEN a DNS-rebinding page asks, under its own name, for every route
    for (method, path) in [
        ("GET", "/notifications"),
        ("GET", "/dead-letters"),
        ("GET", "/messages/00000000-0000-0000-0000-000000000000"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/livez"),
        ("GET", "/"),
        ("POST", "/send-message"),
    ] {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: evil.example:{port}\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{{\"Insert\":\"notify\"}}"
        );
        let answer = raw_http::exchange(&address, request.as_bytes(), LIMIT).unwrap();
        // THEN it is refused as misdirected, in the contract's shape
        assert_contract_error(
            &answer,
            421,
            &format!("/Host: \"evil.example:{port}\" is not a name this server answers to"),
        );
        assert_eq!(answer.json()["message"], "Misdirected request");
    }
    // An absolute-form target names the host too.
    let absolute = format!("GET http://evil.example:{port}/healthz HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
    let answer = raw_http::exchange(&address, absolute.as_bytes(), LIMIT).unwrap();
    assert_eq!(answer.status, 421);

    // AND the names it is known by are served
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "ingest.example".to_owned(),
    ] {
        let answer = raw_http::get(&address, "/healthz", &host).unwrap();
        assert_eq!(answer.status, 200, "Host: {host}: {:?}", answer.json());
    }
}

/// A `--web-dir` with a page, an asset folder, secrets and symlinks in and out.
fn hostile_web_dir(root: &Path) -> std::path::PathBuf {
    let web = root.join("web");
    let outside = root.join("outside");
    std::fs::create_dir_all(web.join("assets")).unwrap();
    std::fs::create_dir_all(web.join(".git")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>page</title>").unwrap();
    std::fs::write(web.join("assets/app.js"), "console.log('app');").unwrap();
    std::fs::write(web.join(".env"), "AWS_SECRET_ACCESS_KEY=leaked-env").unwrap();
    std::fs::write(web.join(".git/config"), "[remote] url = leaked-git").unwrap();
    std::fs::write(outside.join("secret.txt"), "leaked-outside").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), web.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, web.join("outside")).unwrap();
    std::os::unix::fs::symlink(web.join("assets/app.js"), web.join("alias.js")).unwrap();
    web
}

#[test]
fn the_page_folder_serves_only_its_own_visible_files_with_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let web = hostile_web_dir(dir.path());
    let stack = LocalStack::start(
        &dir.path().join("data"),
        &["--web-dir", web.to_str().unwrap()],
    );
    let address = stack.address().to_owned();
    let get = |path: &str| raw_http::get(&address, path, "127.0.0.1").unwrap();

    // Dotfiles, symlinks that lead out, and encodings of either: the API's 404.
    let long_segment = format!("/{}", "a".repeat(256));
    for path in [
        "/.env",
        "/%2Eenv",
        "/.git/config",
        "/assets/../.env",
        "/leak.txt",
        "/outside/secret.txt",
        "/outside/",
        long_segment.as_str(),
    ] {
        let answer = get(path);
        assert_contract_error(&answer, 404, "");
        assert!(
            !String::from_utf8_lossy(&answer.body).contains("leaked"),
            "{path} leaked"
        );
    }
    // Files inside, also through a symlink that stays inside, are served.
    assert_eq!(get("/assets/app.js").status, 200);
    assert_eq!(get("/alias.js").status, 200);

    // No redirect to another host: `//assets` is no path of ours, `/assets` goes to
    // `/assets/` on this host.
    for path in ["//assets", "/%5Cevil.example", "/%2F%2Fevil.example"] {
        let answer = get(path);
        assert_eq!(answer.status, 404, "{path}: {:?}", answer.headers);
        assert_eq!(answer.header("location"), None);
    }
    let folder = get("/assets");
    assert!((300..400).contains(&folder.status), "{folder:?}");
    let location = folder.header("location").unwrap();
    assert!(
        location.starts_with('/') && !location.starts_with("//"),
        "{location}"
    );

    // The page's security headers come as headers.
    let page = get("/");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let api = get("/healthz");
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        api.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
}

#[test]
fn framework_rejections_come_in_the_contract_shape() {
    let (stack, _dir) = start(&[]);
    let address = stack.address().to_owned();
    let get = |path: &str| raw_http::get(&address, path, "127.0.0.1").unwrap();

    assert_contract_error(&get("/messages/%FF"), 400, "/id: is not valid UTF-8");
    assert_contract_error(
        &get("/notifications?limit=abc"),
        400,
        "/limit: \"abc\" is not a whole number",
    );
    assert_contract_error(
        &get("/dead-letters?limit=abc"),
        400,
        "/limit: \"abc\" is not a whole number",
    );
    assert_contract_error(
        &get("/notifications?limit=1&limit=2"),
        400,
        "/limit: given 2 times",
    );
    assert_contract_error(
        &get("/notifications?cursor=x"),
        400,
        "/cursor: \"x\" is not a cursor",
    );
    assert_contract_error(
        &get("/notifications?limti=5"),
        400,
        "/limti: unknown parameter",
    );

    let wrong_method = get("/send-message");
    assert_contract_error(
        &wrong_method,
        405,
        "/: GET is not allowed on /send-message; allowed: POST",
    );
    assert_eq!(wrong_method.header("allow"), Some("POST"));
    let delete = raw_http::exchange(
        &address,
        b"DELETE /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        LIMIT,
    )
    .unwrap();
    assert_contract_error(&delete, 405, "/: DELETE is not allowed on /healthz");
}
