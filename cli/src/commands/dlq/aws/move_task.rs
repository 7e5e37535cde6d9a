//! Moving by SQS's own `StartMessageMoveTask`, followed with `ListMessageMoveTasks` until
//! it ends (Ctrl-C cancels it); a backend without the operation says so, and the caller
//! moves by copy instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::{sdk_failure, Queues};
use crate::commands::dlq::local::progress;
use crate::commands::dlq::Redriven;
use crate::failure::Failure;

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

pub(super) enum TaskOutcome {
    Done(Redriven),
    Unsupported(String),
}

impl Queues {
    pub(super) async fn move_task(
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
