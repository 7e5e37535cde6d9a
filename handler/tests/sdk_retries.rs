//! The Lambda's SDK configuration ([`sdk::config_loader`]) under throttling and 5xx: the
//! adapters are pointed at a scripted AWS endpoint on 127.0.0.1 that answers each request
//! with the next canned response, and counts them. moto cannot be made to throttle, so
//! this is where "retried with backoff, then an item failure" is checked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_dynamodb::config::Credentials;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use private_ingest_core::{NotificationContent, RandomValue};
use private_ingest_handler::sdk::{self, MAX_ATTEMPTS};
use private_ingest_handler::{
    fixed_clock, fixed_random, handle_batch, Deps, DynamoDbStore, MemoryDedupe, MemoryNotifier,
    MemoryStore, SnsNotifier,
};
use private_ingest_testkit::sqs::{event, failed_ids as failed, record};
use tokio::task::JoinHandle;

/// One canned HTTP response.
#[derive(Debug, Clone)]
struct Canned {
    status: StatusCode,
    content_type: &'static str,
    body: &'static str,
}

const DYNAMODB_JSON: &str = "application/x-amz-json-1.0";

const THROTTLED: Canned = Canned {
    status: StatusCode::BAD_REQUEST,
    content_type: DYNAMODB_JSON,
    body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#,
};
const INTERNAL_ERROR: Canned = Canned {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    content_type: DYNAMODB_JSON,
    body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#,
};
const VALIDATION: Canned = Canned {
    status: StatusCode::BAD_REQUEST,
    content_type: DYNAMODB_JSON,
    body: r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"One or more parameter values were invalid"}"#,
};
const PUT_OK: Canned = Canned {
    status: StatusCode::OK,
    content_type: DYNAMODB_JSON,
    body: "{}",
};
const UNAVAILABLE: Canned = Canned {
    status: StatusCode::SERVICE_UNAVAILABLE,
    content_type: "text/xml",
    body: "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>\
           <Message>Service is unavailable</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
};

/// Answers request n with `script[n]`, and the last entry from then on.
struct ScriptedEndpoint {
    url: String,
    requests: Arc<AtomicUsize>,
    server: JoinHandle<()>,
}

impl ScriptedEndpoint {
    async fn start(script: Vec<Canned>) -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&requests);
        let app = Router::new().fallback(move || {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let canned = script[n.min(script.len() - 1)].clone();
            async move {
                let mut headers = HeaderMap::new();
                headers.insert("content-type", canned.content_type.parse().unwrap());
                (canned.status, headers, canned.body).into_response()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url,
            requests,
            server,
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The Lambda's SDK configuration, aimed at this endpoint.
    async fn sdk_config(&self) -> SdkConfig {
        sdk::config_loader()
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .endpoint_url(&self.url)
            .load()
            .await
    }
}

impl Drop for ScriptedEndpoint {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn one_message(body: &str) -> SqsEvent {
    event(vec![record("m-1", body)])
}

fn deps<S, N>(store: S, notifier: N) -> Deps<S, N, MemoryDedupe> {
    Deps {
        store,
        notifier,
        dedupe: MemoryDedupe::new(),
        clock: fixed_clock(1_700_000_000_000),
        random: fixed_random(RandomValue::new(42).unwrap()),
        concurrency: 1,
        notification_content: NotificationContent::IdsOnly,
        in_progress_expiry: std::time::Duration::from_secs(30),
        rules: None,
    }
}

async fn store_through(endpoint: &ScriptedEndpoint) -> SqsBatchResponse {
    let client = aws_sdk_dynamodb::Client::new(&endpoint.sdk_config().await);
    let deps = deps(DynamoDbStore::new(client, "records"), MemoryNotifier::new());
    handle_batch(&deps, one_message(r#"{"Insert":"DynamoDB"}"#))
        .await
        .unwrap()
}

#[tokio::test]
async fn throttled_puts_are_retried_until_they_succeed() {
    let endpoint = ScriptedEndpoint::start(vec![THROTTLED, THROTTLED, PUT_OK]).await;

    let response = store_through(&endpoint).await;

    assert_eq!(failed(&response), Vec::<&str>::new());
    assert_eq!(endpoint.requests(), 3);
}

#[tokio::test]
async fn a_store_that_keeps_failing_is_an_item_failure_after_the_last_attempt() {
    let endpoint = ScriptedEndpoint::start(vec![INTERNAL_ERROR]).await;

    let response = store_through(&endpoint).await;

    assert_eq!(failed(&response), ["m-1"]);
    assert_eq!(endpoint.requests(), MAX_ATTEMPTS as usize);
}

#[tokio::test]
async fn a_validation_error_is_not_retried() {
    let endpoint = ScriptedEndpoint::start(vec![VALIDATION, PUT_OK]).await;

    let response = store_through(&endpoint).await;

    assert_eq!(failed(&response), ["m-1"]);
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test]
async fn a_publish_that_keeps_failing_is_an_item_failure_after_the_last_attempt() {
    let endpoint = ScriptedEndpoint::start(vec![UNAVAILABLE]).await;
    let client = aws_sdk_sns::Client::new(&endpoint.sdk_config().await);
    let deps = deps(
        MemoryStore::new(),
        SnsNotifier::new(client, "arn:aws:sns:us-east-1:123456789012:notifications"),
    );

    let response = handle_batch(&deps, one_message(r#"{"Insert":"Dynamoooo"}"#))
        .await
        .unwrap();

    assert_eq!(failed(&response), ["m-1"]);
    assert_eq!(endpoint.requests(), MAX_ATTEMPTS as usize);
}
