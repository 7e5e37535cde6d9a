//! The Lambda entry point. It only wires: logs as Lambda's logging settings say, the
//! environment read once, one `aws_config` load with the Lambda's retry settings (it
//! honours `AWS_ENDPOINT_URL`, so the binary runs against a local emulator too), the
//! adapters, and `run(service_fn(..))` over `process_batch`, writing the batch's one
//! EMF line to stdout after each invocation.
//!
//! Start-up: the init ends when the runtime asks for its first event, and that request
//! needs none of the AWS SDK. Building the SDK's clients is most of the init's work (the
//! HTTPS client loads the system's TLS roots: ~40% of the process's CPU time up to that
//! request, measured with perf), so it runs on a worker thread while the runtime makes
//! the request and waits for the event; the first invocation waits for the clients only
//! if they are not ready yet. A missing or invalid variable still fails the init itself.

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use private_ingest_handler::log_settings::LogSettings;
use private_ingest_handler::metrics::{emf_lines, BatchMetrics, EmfTarget};
use private_ingest_handler::{
    process_batch, sdk, system_clock, system_random, Deps, DynamoDbDedupe, DynamoDbStore,
    FunctionEnvironment, SnsNotifier,
};
use tokio::sync::OnceCell;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Records of one batch processed at once. The event source mapping's default batch
/// size is 10, so a default batch runs wholly in parallel; bigger batches are bounded
/// so they do not open hundreds of connections through the VPC endpoints at once.
const CONCURRENCY: usize = 10;

/// How long a dedupe claim holds its `Idempotency-Key`: the function's timeout (the Pulumi
/// program's `LAMBDA_TIMEOUT_SECONDS`, which its tests keep at most this). After it the
/// invocation that claimed the key has ended, so the queue's next delivery (the
/// visibility timeout is six times longer) may claim it again.
const IN_PROGRESS_EXPIRY: Duration = Duration::from_secs(30);

type AwsDeps = Deps<DynamoDbStore, SnsNotifier, DynamoDbDedupe>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logs(&LogSettings::from_env());

    let environment = match FunctionEnvironment::from_env() {
        Ok(environment) => environment,
        Err(problems) => {
            tracing::error!("cannot start: {problems}");
            std::process::exit(1);
        }
    };
    let clock = system_clock();
    let deps: Arc<OnceCell<AwsDeps>> = Arc::new(OnceCell::new());
    tokio::spawn({
        let (deps, environment) = (Arc::clone(&deps), environment.clone());
        async move {
            deps.get_or_init(|| aws_deps(environment)).await;
        }
    });
    let (deps, environment, clock) = (&deps, &environment, &clock);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let deps = deps.get_or_init(|| aws_deps(environment.clone())).await;
        let started = Instant::now();
        let started_ms = clock();
        let outcomes = process_batch(deps, event.payload).await?;
        let metrics = BatchMetrics::of(&outcomes, started_ms, started.elapsed());
        write_metrics(&metrics, &environment.metrics, clock());
        Ok::<SqsBatchResponse, Error>(outcomes.response())
    }))
    .await
}

/// The SDK configuration and the DynamoDB, SNS and dedupe adapters.
async fn aws_deps(environment: FunctionEnvironment) -> AwsDeps {
    let sdk_config = sdk::config_loader().load().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk_config);
    Deps {
        store: DynamoDbStore::new(dynamodb.clone(), environment.table_name),
        notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&sdk_config), environment.topic_arn),
        dedupe: DynamoDbDedupe::new(dynamodb, environment.idempotency_table_name),
        clock: system_clock(),
        random: system_random(),
        concurrency: CONCURRENCY,
        notification_content: environment.notification_content,
        in_progress_expiry: IN_PROGRESS_EXPIRY,
        rules: environment.rules,
    }
}

/// Logs as [`LogSettings`] say, filtered by per-target levels ([`LogSettings::targets`]).
fn init_logs(settings: &LogSettings) {
    let (filter, unreadable) = settings.targets();
    let subscriber = tracing_subscriber::fmt()
        .with_target(false)
        .with_max_level(LevelFilter::TRACE);
    if settings.json {
        subscriber
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .finish()
            .with(filter)
            .init();
    } else {
        subscriber.finish().with(filter).init();
    }
    for ignored in [&settings.ignored, &unreadable].into_iter().flatten() {
        tracing::warn!("{ignored}");
    }
}

/// The batch's EMF line(s) on stdout, where Lambda hands them to CloudWatch Logs, which
/// extracts the metrics. Each line in one write, so no log line lands inside it.
fn write_metrics(metrics: &BatchMetrics, target: &EmfTarget, now_ms: i64) {
    let mut stdout = std::io::stdout().lock();
    for line in emf_lines(metrics, target, now_ms) {
        if let Err(error) = stdout.write_all(format!("{line}\n").as_bytes()) {
            tracing::error!(%error, "could not write the batch's metrics");
        }
    }
    let _ = stdout.flush();
}
