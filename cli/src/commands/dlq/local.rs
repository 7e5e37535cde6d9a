//! The local stack's dead letters: `GET /dead-letters` (pages, newest first) and
//! `POST /dead-letters/redrive` (up to 100 per call, each call one transaction).

use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use super::{keep_listed, DeadLetter, Moved, Redriven};
use crate::api::Api;
use crate::failure::Failure;

/// The list route's largest page, and the redrive route's default (and our) call size.
const PAGE: u32 = 1_000;
const PER_CALL: u32 = 100;

pub async fn list(api: &Api, max: u32) -> Result<Vec<DeadLetter>, Failure> {
    let mut letters = Vec::new();
    let mut cursor: Option<String> = None;
    while letters.len() < max as usize {
        let left = max - u32::try_from(letters.len()).unwrap_or(max);
        let mut path = format!("/dead-letters?limit={}", left.min(PAGE));
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let answer = api.get(&path).await?;
        if answer.status != 200 {
            return Err(Failure::failed(format!(
                "GET /dead-letters on {} answered {}",
                api.endpoint(),
                answer.summary()
            )));
        }
        let entries = answer.json["dead_letters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        letters.extend(entries.iter().map(dead_letter));
        match answer.json["next"].as_str() {
            Some(next) if !entries.is_empty() => cursor = Some(next.to_owned()),
            _ => break,
        }
    }
    letters.truncate(max as usize);
    Ok(letters)
}

fn dead_letter(entry: &Value) -> DeadLetter {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    DeadLetter {
        message_id: text("message_id").unwrap_or_default(),
        body: text("body").unwrap_or_default(),
        attributes: entry
            .get("attributes")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
        receive_count: entry.get("receive_count").and_then(Value::as_u64),
        sent_at: text("sent_at"),
        dead_lettered_at: text("dead_lettered_at"),
    }
}

pub async fn redrive(
    api: &Api,
    max: Option<u32>,
    show_progress: bool,
    stop: &AtomicBool,
) -> Result<Redriven, Failure> {
    let mut redriven = Redriven {
        method: "local",
        ..Redriven::default()
    };
    let bar = progress(show_progress);
    loop {
        let left = max.map_or(PER_CALL, |max| max.saturating_sub(moved_u32(&redriven)));
        if left == 0 {
            break;
        }
        if stop.load(Ordering::SeqCst) {
            redriven.interrupted = true;
            break;
        }
        let answer = api
            .post_json(
                "/dead-letters/redrive",
                &json!({ "max": left.min(PER_CALL) }),
            )
            .await?;
        if answer.status != 200 {
            return Err(Failure::failed(format!(
                "POST /dead-letters/redrive on {} answered {} after {} were moved",
                api.endpoint(),
                answer.summary(),
                redriven.moved
            )));
        }
        let moved: Vec<Moved> = answer.json["moved"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|m| Moved {
                        message_id: m["message_id"].as_str().unwrap_or_default().to_owned(),
                        redriven_as: m["redriven_as"].as_str().map(str::to_owned),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let remaining = answer.json["remaining"].as_u64();
        redriven.remaining = remaining;
        if moved.is_empty() {
            break;
        }
        redriven.moved += moved.len() as u64;
        bar.set_length(redriven.moved + remaining.unwrap_or(0));
        bar.set_position(redriven.moved);
        keep_listed(&mut redriven.messages, moved);
        if remaining == Some(0) {
            break;
        }
    }
    bar.finish_and_clear();
    Ok(redriven)
}

fn moved_u32(redriven: &Redriven) -> u32 {
    u32::try_from(redriven.moved).unwrap_or(u32::MAX)
}

/// The progress bar on stderr (hidden when it is not a terminal, or with --json).
pub fn progress(show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} moved ({per_sec}, {elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
