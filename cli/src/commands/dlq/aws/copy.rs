//! Moving by receive -> send -> delete, a batch of 10 at a time at `--rate`: each message
//! is sent to the queue with its attributes (plus the redrive's `idempotencyKey`, see
//! `core::contract::redriven_idempotency_key`), and deleted from the DLQ only once the
//! queue has taken it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, Message, MessageAttributeValue, SendMessageBatchRequestEntry,
};
use private_ingest_core::contract::{redriven_idempotency_key, IDEMPOTENCY_KEY_ATTRIBUTE};

use super::{sdk_failure, Queues, SQS_BATCH};
use crate::commands::dlq::local::progress;
use crate::commands::dlq::{keep_listed, Moved, Redriven};
use crate::failure::Failure;

/// SQS's most message attributes per message.
const SQS_MAX_ATTRIBUTES: usize = 10;
/// How long a batch being copied stays hidden: far more than one send and one delete.
const COPY_HIDE_SECONDS: i32 = 120;

impl Queues {
    /// Receive -> send -> delete, a batch at a time.
    pub(super) async fn copy(
        &self,
        max: Option<u32>,
        rate: u32,
        show_progress: bool,
        stop: &AtomicBool,
    ) -> Result<Redriven, Failure> {
        let queue_url = match &self.queue_url {
            Some(url) => url.clone(),
            None => self.only_source().await?,
        };
        let mut redriven = Redriven {
            method: "copy",
            ..Redriven::default()
        };
        let bar = progress(show_progress);
        if let Ok(depth) = self.depth(&self.dlq_url).await {
            bar.set_length(max.map_or(depth, |m| depth.min(u64::from(m))));
        }
        let started = Instant::now();
        let limit = max.map_or(u64::MAX, u64::from);
        while redriven.moved < limit {
            if stop.load(Ordering::SeqCst) {
                redriven.interrupted = true;
                break;
            }
            // The rate: the next batch starts when the moved count is due.
            let due = Duration::from_secs_f64(redriven.moved as f64 / f64::from(rate));
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
            let want = usize::try_from((limit - redriven.moved).min(SQS_BATCH as u64)).unwrap_or(1);
            let received = self.receive(want, COPY_HIDE_SECONDS).await?;
            if received.is_empty() {
                break;
            }
            let moved = self
                .copy_batch(&queue_url, &received, &mut redriven.problems)
                .await?;
            redriven.moved += moved.len() as u64;
            bar.set_position(redriven.moved);
            keep_listed(&mut redriven.messages, moved);
        }
        bar.finish_and_clear();
        redriven.remaining = self.depth(&self.dlq_url).await.ok();
        Ok(redriven)
    }

    /// Sends the batch, then deletes from the DLQ exactly those the queue took.
    async fn copy_batch(
        &self,
        queue_url: &str,
        batch: &[Message],
        problems: &mut Vec<String>,
    ) -> Result<Vec<Moved>, Failure> {
        let mut entries = Vec::with_capacity(batch.len());
        for (index, message) in batch.iter().enumerate() {
            entries.push(
                SendMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .message_body(message.body.clone().unwrap_or_default())
                    .set_message_attributes(Some(redriven_attributes(message)))
                    .build()
                    .map_err(|e| Failure::failed(format!("SendMessageBatch entry: {e}")))?,
            );
        }
        let sent = self
            .client
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| sdk_failure("SendMessageBatch", &e))?;
        let mut taken: Vec<(usize, Option<String>)> = Vec::new();
        for ok in sent.successful {
            if let Ok(index) = ok.id.parse::<usize>() {
                taken.push((index, Some(ok.message_id)));
            }
        }
        let mut not_taken = Vec::new();
        for failed in sent.failed {
            if let Ok(index) = failed.id.parse::<usize>() {
                let id = batch[index].message_id.as_deref().unwrap_or("?");
                problems.push(format!(
                    "{id} was not sent ({}: {}); it stays in the DLQ",
                    failed.code,
                    failed.message.as_deref().unwrap_or("")
                ));
                if let Some(handle) = &batch[index].receipt_handle {
                    not_taken.push(handle.clone());
                }
            }
        }
        // Back to visible at once, rather than after the copy's hiding.
        self.release(&not_taken).await?;
        let deletes: Vec<DeleteMessageBatchRequestEntry> = taken
            .iter()
            .filter_map(|(index, _)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .set_receipt_handle(batch[*index].receipt_handle.clone())
                    .build()
                    .ok()
            })
            .collect();
        let mut not_deleted = HashSet::new();
        if !deletes.is_empty() {
            match self
                .client
                .delete_message_batch()
                .queue_url(&self.dlq_url)
                .set_entries(Some(deletes))
                .send()
                .await
            {
                Ok(deleted) => {
                    for failed in deleted.failed {
                        not_deleted.insert(failed.id);
                    }
                }
                Err(error) => {
                    not_deleted.extend(taken.iter().map(|(index, _)| index.to_string()));
                    problems.push(format!(
                        "DeleteMessageBatch failed: {}",
                        DisplayErrorContext(&error)
                    ));
                }
            }
        }
        let mut moved = Vec::new();
        for (index, redriven_as) in taken {
            let id = batch[index].message_id.clone().unwrap_or_default();
            if not_deleted.contains(&index.to_string()) {
                problems.push(format!(
                    "{id} was sent to the queue but is still in the DLQ; a later redrive sends it \
                     again, and its idempotencyKey makes the copy a no-op"
                ));
            }
            moved.push(Moved {
                message_id: id,
                redriven_as,
            });
        }
        Ok(moved)
    }
}

/// The message's attributes for the send, plus the redrive's `idempotencyKey`.
fn redriven_attributes(message: &Message) -> HashMap<String, MessageAttributeValue> {
    let mut attributes = message.message_attributes.clone().unwrap_or_default();
    let own = attributes
        .get(IDEMPOTENCY_KEY_ATTRIBUTE)
        .and_then(|v| v.string_value.as_deref());
    let first_id = message.message_id.as_deref().unwrap_or_default();
    let key = redriven_idempotency_key(own, first_id).to_owned();
    let has_own = own.is_some_and(|k| !k.is_empty());
    if !has_own && !key.is_empty() && attributes.len() < SQS_MAX_ATTRIBUTES {
        if let Ok(value) = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(key)
            .build()
        {
            attributes.insert(IDEMPOTENCY_KEY_ATTRIBUTE.to_owned(), value);
        }
    }
    attributes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redriven_copy_keeps_its_attributes_and_gets_its_first_id_as_key() {
        let attribute = |v: &str| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(v)
                .build()
                .unwrap()
        };
        let message = Message::builder()
            .message_id("m-1")
            .message_attributes("requestId", attribute("r-1"))
            .build();
        let copied = redriven_attributes(&message);
        assert_eq!(copied["requestId"].string_value.as_deref(), Some("r-1"));
        assert_eq!(
            copied[IDEMPOTENCY_KEY_ATTRIBUTE].string_value.as_deref(),
            Some("m-1")
        );
        let keyed = Message::builder()
            .message_id("m-2")
            .message_attributes(IDEMPOTENCY_KEY_ATTRIBUTE, attribute("order-7"))
            .build();
        assert_eq!(
            redriven_attributes(&keyed)[IDEMPOTENCY_KEY_ATTRIBUTE]
                .string_value
                .as_deref(),
            Some("order-7")
        );
    }
}
