//! The cloud's DLQ through the SDK (SQS only).
//!
//! - Reading (`list`, `inspect`, `--dry-run`): SQS cannot peek, so messages are received
//!   with a short visibility timeout and released at once (visibility 0), as the
//!   console's "poll for messages" does; each read adds one to their receive count,
//!   which a DLQ without a redrive policy of its own ignores.
//! - Moving: `StartMessageMoveTask` (SQS moves them itself, at `--rate`) where the
//!   backend has it and no `--max` is given; otherwise receive -> send -> delete, 10 at a
//!   time at `--rate`, each message sent with its attributes (plus `idempotencyKey`, see
//!   `core::contract::redriven_idempotency_key`) before it is deleted from the DLQ.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_config::meta::region::RegionProviderChain;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, Message,
    MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use aws_sdk_sqs::Client;
use private_ingest_core::contract::{redriven_idempotency_key, IDEMPOTENCY_KEY_ATTRIBUTE};
use private_ingest_core::time::format_millis;

use super::local::progress;
use super::{keep_listed, stack_outputs, DeadLetter, Moved, Redriven};
use crate::args::{AwsQueues, DlqRedriveArgs, MoveMethod};
use crate::failure::Failure;

/// SQS's most messages per receive and per batch call.
const SQS_BATCH: i32 = 10;
/// SQS's most message attributes per message.
const SQS_MAX_ATTRIBUTES: usize = 10;
/// How long a read hides messages (released at once after; this bounds a crash's effect).
const PEEK_HIDE_SECONDS: i32 = 60;
/// How long a batch being copied stays hidden: far more than one send and one delete.
const COPY_HIDE_SECONDS: i32 = 120;
/// Long poll of one receive: 1 s makes SQS ask all its servers, so an empty answer means
/// an empty queue rather than an unlucky sample.
const WAIT_SECONDS: i32 = 1;
/// How often a move task's progress is read.
const TASK_POLL: Duration = Duration::from_secs(1);
/// Error codes with which a backend says it has no such operation.
const NO_SUCH_OPERATION: [&str; 5] = [
    "InvalidAction",
    "UnknownOperationException",
    "UnsupportedOperation",
    "NotImplemented",
    "InvalidAction.NotSupported",
];

/// The DLQ and the queue its messages go back to.
#[derive(Debug, Clone)]
pub struct Queues {
    client: Client,
    pub dlq_url: String,
    pub queue_url: Option<String>,
}

impl Queues {
    pub async fn from_args(args: &AwsQueues) -> Result<Self, Failure> {
        let from_file = args
            .stack_outputs
            .as_deref()
            .map(stack_outputs::read)
            .transpose()?;
        let dlq_url = args
            .dlq_url
            .clone()
            .or_else(|| from_file.as_ref().map(|f| f.dlq_url.clone()))
            .ok_or_else(|| {
                Failure::invalid("--queue-url needs --dlq-url (or --stack-outputs FILE)")
            })?;
        let queue_url = args
            .queue_url
            .clone()
            .or_else(|| from_file.and_then(|f| f.queue_url));
        let mut region = RegionProviderChain::default_provider();
        if let Some(inferred) = region_of(&dlq_url) {
            region = region.or_else(Region::new(inferred));
        }
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .load()
            .await;
        Ok(Self {
            client: Client::new(&config),
            dlq_url,
            queue_url,
        })
    }

    /// Reads up to `max` dead letters and releases them.
    pub async fn peek(&self, max: u32) -> Result<Vec<DeadLetter>, Failure> {
        let mut letters = Vec::new();
        let mut seen = HashSet::new();
        let mut handles = Vec::new();
        let result = async {
            while letters.len() < max as usize {
                let want = (max as usize - letters.len()).min(SQS_BATCH as usize);
                let received = self.receive(want, PEEK_HIDE_SECONDS).await?;
                let mut new = 0;
                for message in received {
                    if let Some(handle) = &message.receipt_handle {
                        handles.push(handle.clone());
                    }
                    let dead = dead_letter(&message);
                    if seen.insert(dead.message_id.clone()) {
                        letters.push(dead);
                        new += 1;
                    }
                }
                // Empty, or only messages read before (the read outlasted their hiding).
                if new == 0 {
                    break;
                }
            }
            Ok::<_, Failure>(())
        }
        .await;
        let released = self.release(&handles).await;
        result?;
        released?;
        Ok(letters)
    }

    pub async fn redrive(
        &self,
        args: &DlqRedriveArgs,
        show_progress: bool,
        stop: &AtomicBool,
    ) -> Result<Redriven, Failure> {
        let use_task = match args.method {
            MoveMethod::Copy => false,
            MoveMethod::MoveTask => true,
            MoveMethod::Auto => args.max.is_none(),
        };
        let mut notes = Vec::new();
        if args.method == MoveMethod::Auto && args.max.is_some() {
            notes.push("--max given: moved by receive -> send -> delete (StartMessageMoveTask moves them all)".to_owned());
        }
        if use_task {
            match self.move_task(args.rate, show_progress, stop).await? {
                TaskOutcome::Done(redriven) => return Ok(redriven),
                TaskOutcome::Unsupported(why) if args.method == MoveMethod::Auto => notes.push(format!(
                    "the backend has no StartMessageMoveTask ({why}): moved by receive -> send -> delete"
                )),
                TaskOutcome::Unsupported(why) => {
                    return Err(Failure::failed(format!(
                        "the backend has no StartMessageMoveTask ({why}); use --method copy"
                    )))
                }
            }
        }
        let mut redriven = self.copy(args.max, args.rate, show_progress, stop).await?;
        notes.append(&mut redriven.notes);
        redriven.notes = notes;
        Ok(redriven)
    }

    async fn move_task(
        &self,
        rate: u32,
        show_progress: bool,
        stop: &AtomicBool,
    ) -> Result<TaskOutcome, Failure> {
        let source_arn = self.arn(&self.dlq_url).await?;
        let destination_arn = match &self.queue_url {
            Some(url) => Some(self.arn(url).await?),
            None => None,
        };
        // No retries: a backend without the operation answers at once, and must not be
        // asked three times.
        let started = self
            .client
            .start_message_move_task()
            .source_arn(&source_arn)
            .set_destination_arn(destination_arn)
            .max_number_of_messages_per_second(i32::try_from(rate).unwrap_or(500))
            .customize()
            .config_override(
                aws_sdk_sqs::config::Builder::default()
                    .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled()),
            )
            .send()
            .await;
        let handle = match started {
            Ok(output) => output.task_handle.unwrap_or_default(),
            Err(error) => {
                if let Some(why) = lacks_operation(&error) {
                    return Ok(TaskOutcome::Unsupported(why));
                }
                return Err(sdk_failure("StartMessageMoveTask", &error));
            }
        };
        let bar = progress(show_progress);
        let mut redriven = Redriven {
            method: "move_task",
            ..Redriven::default()
        };
        loop {
            if stop.load(Ordering::SeqCst) {
                let cancelled = self
                    .client
                    .cancel_message_move_task()
                    .task_handle(&handle)
                    .send()
                    .await;
                redriven.interrupted = true;
                if let Err(error) = cancelled {
                    redriven.problems.push(format!(
                        "the move task could not be cancelled and goes on in SQS: {}",
                        DisplayErrorContext(&error)
                    ));
                }
                break;
            }
            let tasks = self
                .client
                .list_message_move_tasks()
                .source_arn(&source_arn)
                .max_results(1)
                .send()
                .await
                .map_err(|e| sdk_failure("ListMessageMoveTasks", &e))?;
            let Some(task) = tasks.results.unwrap_or_default().into_iter().next() else {
                return Err(Failure::failed(
                    "ListMessageMoveTasks lists no task for the DLQ just after it started one",
                ));
            };
            let moved = u64::try_from(task.approximate_number_of_messages_moved).unwrap_or(0);
            redriven.moved = moved;
            if let Some(total) = task.approximate_number_of_messages_to_move {
                bar.set_length(u64::try_from(total).unwrap_or(0));
            }
            bar.set_position(moved);
            match task.status.as_deref() {
                Some("COMPLETED") => break,
                Some("RUNNING" | "CANCELLING") | None => {}
                Some(other) => {
                    redriven.problems.push(format!(
                        "the move task ended {other}: {}",
                        task.failure_reason.as_deref().unwrap_or("no reason given")
                    ));
                    break;
                }
            }
            tokio::time::sleep(TASK_POLL).await;
        }
        bar.finish_and_clear();
        redriven.remaining = self.depth(&self.dlq_url).await.ok();
        Ok(TaskOutcome::Done(redriven))
    }

    /// Receive -> send -> delete, a batch at a time.
    async fn copy(
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

    async fn receive(&self, max: usize, hide_seconds: i32) -> Result<Vec<Message>, Failure> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.dlq_url)
            .max_number_of_messages(i32::try_from(max).unwrap_or(SQS_BATCH))
            .visibility_timeout(hide_seconds)
            .wait_time_seconds(WAIT_SECONDS)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|e| sdk_failure("ReceiveMessage", &e))?;
        Ok(output.messages.unwrap_or_default())
    }

    /// Makes received messages visible again at once.
    async fn release(&self, handles: &[String]) -> Result<(), Failure> {
        for chunk in handles.chunks(SQS_BATCH as usize) {
            let entries: Vec<_> = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, handle)| {
                    ChangeMessageVisibilityBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(handle)
                        .visibility_timeout(0)
                        .build()
                        .ok()
                })
                .collect();
            self.client
                .change_message_visibility_batch()
                .queue_url(&self.dlq_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| sdk_failure("ChangeMessageVisibilityBatch", &e))?;
        }
        Ok(())
    }

    async fn arn(&self, queue_url: &str) -> Result<String, Failure> {
        self.attribute(queue_url, QueueAttributeName::QueueArn)
            .await
    }

    async fn depth(&self, queue_url: &str) -> Result<u64, Failure> {
        let text = self
            .attribute(queue_url, QueueAttributeName::ApproximateNumberOfMessages)
            .await?;
        text.parse().map_err(|_| {
            Failure::failed(format!(
                "ApproximateNumberOfMessages {text:?} is not a count"
            ))
        })
    }

    async fn attribute(
        &self,
        queue_url: &str,
        name: QueueAttributeName,
    ) -> Result<String, Failure> {
        let output = self
            .client
            .get_queue_attributes()
            .queue_url(queue_url)
            .attribute_names(name.clone())
            .send()
            .await
            .map_err(|e| sdk_failure("GetQueueAttributes", &e))?;
        output
            .attributes
            .and_then(|mut a| a.remove(&name))
            .ok_or_else(|| Failure::failed(format!("{queue_url} has no {name} attribute")))
    }

    /// The one queue that dead-letters into the DLQ.
    async fn only_source(&self) -> Result<String, Failure> {
        let sources = self
            .client
            .list_dead_letter_source_queues()
            .queue_url(&self.dlq_url)
            .send()
            .await
            .map_err(|e| sdk_failure("ListDeadLetterSourceQueues", &e))?
            .queue_urls;
        match sources.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Failure::invalid(
                "no queue names this DLQ in its redrive policy: give --queue-url",
            )),
            many => Err(Failure::invalid(format!(
                "{} queues dead-letter into this DLQ: name one with --queue-url",
                many.len()
            ))),
        }
    }
}

enum TaskOutcome {
    Done(Redriven),
    Unsupported(String),
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

fn dead_letter(message: &Message) -> DeadLetter {
    let system = message.attributes.clone().unwrap_or_default();
    let attributes: BTreeMap<String, String> = message
        .message_attributes
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| {
            let text = value
                .string_value
                .unwrap_or_else(|| format!("({} value)", value.data_type));
            (name, text)
        })
        .collect();
    DeadLetter {
        message_id: message.message_id.clone().unwrap_or_default(),
        body: message.body.clone().unwrap_or_default(),
        attributes,
        receive_count: system
            .get(&MessageSystemAttributeName::ApproximateReceiveCount)
            .and_then(|n| n.parse().ok()),
        sent_at: system
            .get(&MessageSystemAttributeName::SentTimestamp)
            .and_then(|ms| ms.parse().ok())
            .and_then(format_millis),
        dead_lettered_at: None,
    }
}

/// `eu-west-1` from `https://sqs.eu-west-1.amazonaws.com/...`.
pub fn region_of(queue_url: &str) -> Option<String> {
    let host = url::Url::parse(queue_url).ok()?.host_str()?.to_owned();
    let mut parts = host.split('.');
    match (parts.next(), parts.next()) {
        (Some("sqs"), Some(region)) if region.contains('-') => Some(region.to_owned()),
        _ => None,
    }
}

/// Why the backend would not run the operation, if it does not have it at all.
fn lacks_operation<E: ProvideErrorMetadata>(
    error: &SdkError<E, aws_sdk_sqs::config::http::HttpResponse>,
) -> Option<String> {
    let SdkError::ServiceError(context) = error else {
        return None;
    };
    let status = context.raw().status().as_u16();
    match context.err().code() {
        Some(code) if NO_SUCH_OPERATION.contains(&code) => Some(code.to_owned()),
        None if matches!(status, 404 | 500 | 501) => {
            Some(format!("HTTP {status} without an AWS error code"))
        }
        _ => None,
    }
}

fn sdk_failure<E: std::error::Error + 'static>(operation: &str, error: &E) -> Failure {
    Failure::failed(format!("{operation}: {}", DisplayErrorContext(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_queue_url() {
        assert_eq!(
            region_of("https://sqs.eu-west-1.amazonaws.com/123/q").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(region_of("http://127.0.0.1:5000/123/q"), None);
        assert_eq!(region_of("https://sqs.amazonaws.com/123/q"), None);
    }

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
