//! HTTP/1.1 by hand over a `TcpStream`, for what a well-behaved client never sends:
//! any `Host`, a request that stops half-way, a socket that says nothing. Every read
//! and write is bounded by a timeout.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

/// A parsed answer.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Value::Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Connects to `address` (`127.0.0.1:PORT`) with reads bounded by `limit`.
pub fn connect(address: &str, limit: Duration) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(limit))?;
    stream.set_write_timeout(Some(limit))?;
    Ok(stream)
}

/// Sends `request` as is on a new connection and reads one answer.
pub fn exchange(address: &str, request: &[u8], limit: Duration) -> io::Result<RawResponse> {
    let mut stream = connect(address, limit)?;
    stream.write_all(request)?;
    read_response(&mut stream, limit)
}

/// A GET of `path` with `host` as its `Host`.
pub fn get(address: &str, path: &str, host: &str) -> io::Result<RawResponse> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    exchange(address, request.as_bytes(), Duration::from_secs(10))
}

/// Reads one response (Content-Length, chunked, or to the end of the connection).
pub fn read_response(stream: &mut TcpStream, limit: Duration) -> io::Result<RawResponse> {
    let started = Instant::now();
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at;
        }
        read_more(stream, &mut buffer, started, limit)?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no status line in {head:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut response = RawResponse {
        status,
        headers,
        body: buffer[head_end + 4..].to_vec(),
    };
    if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(io::Error::other)?;
        while response.body.len() < length {
            read_more(stream, &mut response.body, started, limit)?;
        }
        response.body.truncate(length);
    } else if response
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        let mut raw = std::mem::take(&mut response.body);
        response.body = loop {
            if let Some(body) = dechunk(&raw)? {
                break body;
            }
            read_more(stream, &mut raw, started, limit)?;
        };
    } else if status != 304 && status != 204 && status / 100 != 1 {
        while read_more(stream, &mut response.body, started, limit).is_ok() {}
    }
    Ok(response)
}

fn read_more(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    started: Instant,
    limit: Duration,
) -> io::Result<()> {
    if started.elapsed() > limit {
        return Err(io::ErrorKind::TimedOut.into());
    }
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk)?;
    if n == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    buffer.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// The body of a complete chunked encoding, `None` while more is needed.
fn dechunk(raw: &[u8]) -> io::Result<Option<Vec<u8>>> {
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        let Some(line_end) = find(&raw[at..], b"\r\n") else {
            return Ok(None);
        };
        let size_text = String::from_utf8_lossy(&raw[at..at + line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(io::Error::other)?;
        let start = at + line_end + 2;
        if size == 0 {
            return Ok(Some(body));
        }
        if raw.len() < start + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&raw[start..start + size]);
        at = start + size + 2;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the server closed `stream` (EOF or reset) within `limit`; bytes it sends
/// meanwhile (a 408 or 503 before closing) are read and skipped.
pub fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let started = Instant::now();
    let mut chunk = [0u8; 4096];
    while started.elapsed() < limit {
        let left = limit
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(1));
        if stream.set_read_timeout(Some(left)).is_err() {
            return true;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true, // reset
        }
    }
    false
}
