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
//!
//! [`move_task`] and [`copy`] are the two ways of moving; this module reads and releases.

mod copy;
mod move_task;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::AtomicBool;

use aws_config::meta::region::RegionProviderChain;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, Message, MessageSystemAttributeName,
    QueueAttributeName,
};
use aws_sdk_sqs::Client;
use private_ingest_core::time::format_millis;

use self::move_task::TaskOutcome;
use super::{stack_outputs, DeadLetter, Redriven};
use crate::args::{AwsQueues, DlqRedriveArgs, MoveMethod};
use crate::failure::Failure;

/// SQS's most messages per receive and per batch call.
const SQS_BATCH: i32 = 10;
/// How long a read hides messages (released at once after; this bounds a crash's effect).
const PEEK_HIDE_SECONDS: i32 = 60;
/// Long poll of one receive: 1 s makes SQS ask all its servers, so an empty answer means
/// an empty queue rather than an unlucky sample.
const WAIT_SECONDS: i32 = 1;

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
}
