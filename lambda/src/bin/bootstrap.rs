//! The Lambda entry point. It only wires: JSON logs, the environment read once, one
//! `aws_config` load with the Lambda's retry settings (it honours `AWS_ENDPOINT_URL`,
//! so the binary runs against a local emulator too), the adapters, and
//! `run(service_fn(..))` over `handle_batch`.
//!
//! Start-up: the init ends when the runtime asks for its first event, and that request
//! needs none of the AWS SDK. Building the SDK's clients is most of the init's work (the
//! HTTPS client loads the system's TLS roots: ~40% of the process's CPU time up to that
//! request, measured with perf), so it runs on a worker thread while the runtime makes
//! the request and waits for the event; the first invocation waits for the clients only
//! if they are not ready yet. A missing setting still fails the init itself.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use private_ingest_lambda::{handle_batch, sdk, Deps, DynamoDbStore, Settings, SnsNotifier};
use tokio::sync::OnceCell;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Records of one batch processed at once. The event source mapping's default batch
/// size is 10, so a default batch runs wholly in parallel; bigger batches are bounded
/// so they do not open hundreds of connections through the VPC endpoints at once.
const CONCURRENCY: usize = 10;

type AwsDeps = Deps<DynamoDbStore, SnsNotifier>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .finish()
        .with(log_filter())
        .init();

    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(missing) => {
            tracing::error!("cannot start: {missing}");
            std::process::exit(1);
        }
    };
    let deps: Arc<OnceCell<AwsDeps>> = Arc::new(OnceCell::new());
    tokio::spawn({
        let deps = Arc::clone(&deps);
        let settings = settings.clone();
        async move {
            deps.get_or_init(|| aws_deps(settings)).await;
        }
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let deps = Arc::clone(&deps);
        let settings = settings.clone();
        async move {
            let deps = deps.get_or_init(|| aws_deps(settings)).await;
            Ok::<SqsBatchResponse, Error>(handle_batch(deps, event.payload).await?)
        }
    }))
    .await
}

/// The SDK configuration and the DynamoDB and SNS adapters.
async fn aws_deps(settings: Settings) -> AwsDeps {
    let sdk_config = sdk::config_loader().load().await;
    Deps {
        store: DynamoDbStore::new(
            aws_sdk_dynamodb::Client::new(&sdk_config),
            settings.table_name,
        ),
        notifier: SnsNotifier::new(aws_sdk_sns::Client::new(&sdk_config), settings.topic_arn),
        clock: Arc::new(now_ms),
        random: Arc::new(|| rand::random_range(1..=100)),
        concurrency: CONCURRENCY,
    }
}

/// `RUST_LOG` as per-target levels (`info`, `warn,aws_smithy_runtime=debug`), else info.
/// `Targets` reads the same `target=level` directives as `EnvFilter` without the span and
/// field filters, and so without the regex engine they need (~270 KiB of the binary).
fn log_filter() -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(Level::INFO))
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
