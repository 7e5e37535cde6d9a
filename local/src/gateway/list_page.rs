//! Pages of `GET /notifications` and `GET /dead-letters`, streamed.
//!
//! A page is `{"<list>":[...],"next":"<cursor>"|null}`, newest first. It ends at `limit`
//! entries or once its entries reach the byte budget (`--max-list-bytes`; a page always
//! holds at least one entry, so it may exceed the budget by one entry); `next` is set
//! when older entries remain and is passed back as `?cursor=`.
//!
//! Entries are read a chunk (about [`CHUNK_BYTES`]) at a time, each chunk by a short
//! query of its own keyed on `seq` (both tables only ever grow, so the keyset is
//! stable), and written as the client reads: memory per request is one chunk and one
//! entry, and no read transaction stays open while a slow client reads. Stored JSON is
//! copied as text, never parsed into values: a page of 400 KB notifications used to be
//! built whole in memory (RSS 3.9 GB for `?limit=1000`, 14 GB for six at once).

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};
use private_ingest_core::time::format_millis;
use rusqlite::Row;
use serde::de::IgnoredAny;
use serde::Serialize;

use super::list_query::ListQuery;
use crate::db::{ReadError, Reads};
use crate::queue::Attributes;

/// Bytes read per query (past it, the chunk ends after the entry that crossed it).
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Which list a page is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Notifications,
    DeadLetters,
}

impl ListKind {
    /// The key of the entries in the page's JSON.
    pub fn key(self) -> &'static str {
        match self {
            ListKind::Notifications => "notifications",
            ListKind::DeadLetters => "dead_letters",
        }
    }

    fn select(self) -> &'static str {
        match self {
            ListKind::Notifications => {
                "SELECT seq, item, published_at_ms FROM notifications
                 WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
            }
            ListKind::DeadLetters => {
                "SELECT seq, id, body, attributes, sent_at_ms, receive_count, dead_lettered_at_ms
                 FROM dead_letters WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
            }
        }
    }

    fn any_older(self) -> &'static str {
        match self {
            ListKind::Notifications => "SELECT EXISTS (SELECT 1 FROM notifications WHERE seq < ?1)",
            ListKind::DeadLetters => "SELECT EXISTS (SELECT 1 FROM dead_letters WHERE seq < ?1)",
        }
    }

    /// Appends one row as a JSON object.
    fn write_entry(self, row: &Row<'_>, out: &mut Vec<u8>) -> rusqlite::Result<()> {
        match self {
            ListKind::Notifications => {
                let item: String = row.get(1)?;
                let published_at = format_millis(row.get(2)?);
                write_notification(&item, published_at.as_deref(), out).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })
            }
            ListKind::DeadLetters => {
                let attributes: String = row.get(3)?;
                let entry = DeadLetterEntry {
                    message_id: row.get(1)?,
                    body: row.get(2)?,
                    // Written by the queue from a map of strings.
                    attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                    sent_at: format_millis(row.get(4)?),
                    receive_count: row.get(5)?,
                    dead_lettered_at: format_millis(row.get(6)?),
                };
                serde_json::to_writer(out, &entry)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            }
        }
    }
}

#[derive(Serialize)]
struct DeadLetterEntry {
    message_id: String,
    body: String,
    attributes: Attributes,
    sent_at: Option<String>,
    receive_count: u32,
    dead_lettered_at: Option<String>,
}

/// The stored notification (a JSON object, as the notifier wrote it) with
/// `published_at` added, copied as text.
fn write_notification(
    item: &str,
    published_at: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let item = item.trim();
    // Checked without building values: a damaged row must not break the page's JSON.
    if !(item.starts_with('{') && item.ends_with('}'))
        || serde_json::from_str::<IgnoredAny>(item).is_err()
    {
        return Err("a stored notification is not a JSON object");
    }
    let open = &item[..item.len() - 1];
    out.extend_from_slice(open.as_bytes());
    if open[1..].trim().is_empty() {
        out.extend_from_slice(b"\"published_at\":");
    } else {
        out.extend_from_slice(b",\"published_at\":");
    }
    // A timestamp always serialises.
    let _ = serde_json::to_writer(&mut *out, &published_at);
    out.push(b'}');
    Ok(())
}

/// One chunk's worth of entries.
struct Chunk {
    bytes: Vec<u8>,
    entries: u32,
    last_seq: Option<i64>,
    /// The query returned fewer rows than asked for: nothing older is left.
    exhausted: bool,
}

/// Where a page's stream is.
struct Cursor {
    reads: Reads,
    kind: ListKind,
    before: i64,
    entries_left: u32,
    bytes_left: usize,
    written: u32,
    state: Stage,
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    /// Entries may follow.
    Entries,
    /// The closing `],"next":...}` is due.
    Tail(Option<i64>),
    Done,
}

async fn read_chunk(cursor: &Cursor) -> Result<Chunk, ReadError> {
    let (kind, before, first) = (cursor.kind, cursor.before, cursor.written == 0);
    let (max_entries, bytes_left) = (cursor.entries_left, cursor.bytes_left);
    cursor
        .reads
        .query(move |c| {
            let mut select = c.prepare_cached(kind.select())?;
            let mut rows = select.query((before, max_entries))?;
            let mut chunk = Chunk {
                bytes: Vec::new(),
                entries: 0,
                last_seq: None,
                exhausted: true,
            };
            while let Some(row) = rows.next()? {
                if !(first && chunk.entries == 0) {
                    chunk.bytes.push(b',');
                }
                kind.write_entry(row, &mut chunk.bytes)?;
                chunk.entries += 1;
                chunk.last_seq = Some(row.get(0)?);
                if chunk.bytes.len() >= CHUNK_BYTES.min(bytes_left) {
                    chunk.exhausted = false;
                    break;
                }
            }
            if chunk.entries == max_entries {
                chunk.exhausted = false;
            }
            Ok(chunk)
        })
        .await
}

async fn any_older(reads: &Reads, kind: ListKind, before: i64) -> Result<bool, ReadError> {
    reads
        .query(move |c| c.query_row(kind.any_older(), [before], |r| r.get(0)))
        .await
}

impl Cursor {
    /// Takes `chunk` into account; returns its bytes.
    fn advance(&mut self, chunk: Chunk) -> Vec<u8> {
        self.entries_left -= chunk.entries;
        self.bytes_left = self.bytes_left.saturating_sub(chunk.bytes.len());
        self.written += chunk.entries;
        if let Some(seq) = chunk.last_seq {
            self.before = seq;
        }
        if chunk.exhausted {
            self.state = Stage::Tail(None);
        }
        chunk.bytes
    }

    /// The next piece of the body; `None` once the page is complete.
    async fn next_piece(&mut self) -> Option<Result<Vec<u8>, ReadError>> {
        match self.state {
            Stage::Done => None,
            Stage::Tail(next) => {
                self.state = Stage::Done;
                let next = next.map(|seq| seq.to_string());
                let mut tail = b"],\"next\":".to_vec();
                let _ = serde_json::to_writer(&mut tail, &next);
                tail.push(b'}');
                Some(Ok(tail))
            }
            Stage::Entries if self.entries_left == 0 || self.bytes_left == 0 => {
                Some(match any_older(&self.reads, self.kind, self.before).await {
                    Ok(more) => {
                        self.state = Stage::Tail(more.then_some(self.before));
                        Ok(Vec::new())
                    }
                    Err(e) => Err(e),
                })
            }
            Stage::Entries => Some(read_chunk(self).await.map(|chunk| self.advance(chunk))),
        }
    }
}

/// The page answering `query`: `Err` if its first chunk cannot be read (a 500 can still
/// be sent then); a later failure cuts the body short, so the client sees an incomplete
/// page, never a complete-looking wrong one.
pub async fn page(
    reads: Reads,
    kind: ListKind,
    query: ListQuery,
    byte_budget: usize,
) -> Result<Response, ReadError> {
    let mut cursor = Cursor {
        reads,
        kind,
        before: query.cursor.unwrap_or(i64::MAX),
        entries_left: query.limit,
        bytes_left: byte_budget.max(1),
        written: 0,
        state: Stage::Entries,
    };
    let first = read_chunk(&cursor).await?;
    let mut head = format!("{{\"{}\":[", kind.key()).into_bytes();
    head.extend(cursor.advance(first));
    let rest = stream::unfold(cursor, |mut cursor| async move {
        let piece = cursor.next_piece().await?;
        Some((piece, cursor))
    })
    .filter_map(|piece| async move {
        match piece {
            Ok(bytes) if bytes.is_empty() => None,
            Ok(bytes) => Some(Ok(Bytes::from(bytes))),
            Err(error) => {
                tracing::error!(%error, cause = ?std::error::Error::source(&error),
                    "database read failed in the middle of a list page; the page is cut short");
                Some(Err(error))
            }
        }
    });
    let body = stream::once(async move { Ok(Bytes::from(head)) }).chain(rest);
    Ok((
        [(CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(item: &str) -> Result<String, &'static str> {
        let mut out = Vec::new();
        write_notification(item, Some("2024-01-01T00:00:00.000Z"), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_notification_is_copied_with_its_publication_time_added() {
        let written = notification(r#" {"kind":"not_inserted","data":{"a":[1,"}"]}} "#).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(parsed["data"]["a"][1], "}");
        assert_eq!(parsed["published_at"], "2024-01-01T00:00:00.000Z");
        assert_eq!(
            notification("{ }").unwrap(),
            r#"{ "published_at":"2024-01-01T00:00:00.000Z"}"#
        );
    }

    #[test]
    fn a_damaged_notification_is_an_error_not_broken_json() {
        for damaged in ["", "[]", "{\"a\":", "{\"a\":1}}", "{} {}"] {
            assert!(notification(damaged).is_err(), "{damaged:?}");
        }
    }
}
