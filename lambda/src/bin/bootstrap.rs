//! The Lambda entry point. It only wires: JSON logs, the environment read once, one
//! `aws_config` load (which honours `AWS_ENDPOINT_URL`, so the binary runs against a
//! local emulator too), the adapters, and `run(service_fn(..))` over `handle_batch`.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use private_ingest_lambda::{handle_batch, Deps, DynamoDbStore, Settings, SnsNotifier};
use tracing_subscriber::EnvFilter;

/// Records of one batch processed at once. The event source mapping's default batch
/// size is 10, so a default batch runs wholly in parallel; bigger batches are bounded
/// so they do not open hundreds of connections through the VPC endpoints at once.
const CONCURRENCY: usize = 10;
/// Standard retry mode (exponential backoff with jitter, throttling-aware): the first
/// try and two retries, then the item fails and SQS redelivers it.
const MAX_ATTEMPTS: u32 = 3;
/// Upper bound for one SDK call, retries included, so a stuck endpoint becomes an item
/// failure rather than a Lambda timeout that redelivers the whole batch.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(missing) => {
            tracing::error!("cannot start: {missing}");
            std::process::exit(1);
        }
    };
    let sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .load()
        .await;
    let deps = Deps {
        store: DynamoDbStore::new(
            aws_sdk_dynamodb::Client::new(&sdk_config),
            settings.table_name,
        ),
        notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&sdk_config), settings.topic_arn),
        clock: Arc::new(now_ms),
        random: Arc::new(|| rand::random_range(1..=100)),
        concurrency: CONCURRENCY,
    };
    let deps = &deps;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, Error>(handle_batch(deps, event.payload).await?)
    }))
    .await
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
