//! The Lambda entry point. It only wires: JSON logs, the environment read once, one
//! `aws_config` load with the Lambda's retry settings (it honours `AWS_ENDPOINT_URL`,
//! so the binary runs against a local emulator too), the adapters, and
//! `run(service_fn(..))` over `handle_batch`.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use std::time::Duration;

use private_ingest_handler::{
    handle_batch, sdk, system_clock, system_random, Deps, DynamoDbDedupe, DynamoDbStore,
    FunctionEnvironment, SnsNotifier,
};
use tracing_subscriber::EnvFilter;

/// Records of one batch processed at once. The event source mapping's default batch
/// size is 10, so a default batch runs wholly in parallel; bigger batches are bounded
/// so they do not open hundreds of connections through the VPC endpoints at once.
const CONCURRENCY: usize = 10;

/// How long a dedupe claim holds its `Idempotency-Key`: the function's timeout (the Pulumi
/// program's `LAMBDA_TIMEOUT_SECONDS`, which its tests keep at most this). After it the
/// invocation that claimed the key has ended, so the queue's next delivery (the
/// visibility timeout is six times longer) may claim it again.
const IN_PROGRESS_EXPIRY: Duration = Duration::from_secs(30);

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

    let environment = match FunctionEnvironment::from_env() {
        Ok(environment) => environment,
        Err(problems) => {
            tracing::error!("cannot start: {problems}");
            std::process::exit(1);
        }
    };
    let sdk_config = sdk::config_loader().load().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk_config);
    let deps = Deps {
        store: DynamoDbStore::new(dynamodb.clone(), environment.table_name),
        notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&sdk_config), environment.topic_arn),
        dedupe: DynamoDbDedupe::new(dynamodb, environment.idempotency_table_name),
        clock: system_clock(),
        random: system_random(),
        concurrency: CONCURRENCY,
        notification_content: environment.notification_content,
        in_progress_expiry: IN_PROGRESS_EXPIRY,
    };
    let deps = &deps;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, Error>(handle_batch(deps, event.payload).await?)
    }))
    .await
}
