//! `dlq redrive` where the backend has `StartMessageMoveTask` (moto does not): an SQS
//! endpoint on 127.0.0.1 speaking SQS's JSON protocol that answers the operations a move
//! task needs from a script, and records what the CLI asked. The CLI must start one task
//! from the DLQ to the queue at `--rate`, follow it to its end, and report what SQS says.

mod support;

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Router;
use serde_json::{json, Value};
use support::run_with;

const DLQ_URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/ingest-dlq";
const QUEUE_URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/ingest";
const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:ingest-dlq";
const QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:ingest";

/// The script: how the task ends; and what the CLI asked, operation and request.
#[derive(Debug, Default)]
struct Sqs {
    final_status: &'static str,
    lists: usize,
    asked: Vec<(String, Value)>,
}

async fn answer(state: Arc<Mutex<Sqs>>, headers: HeaderMap, body: String) -> impl IntoResponse {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("AmazonSQS.")
        .to_owned();
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let mut sqs = state.lock().unwrap();
    sqs.asked.push((operation.clone(), request.clone()));
    let reply = match operation.as_str() {
        "GetQueueAttributes" => {
            let arn = if request["QueueUrl"] == DLQ_URL {
                DLQ_ARN
            } else {
                QUEUE_ARN
            };
            json!({ "Attributes": { "QueueArn": arn, "ApproximateNumberOfMessages": "0" } })
        }
        "StartMessageMoveTask" => json!({ "TaskHandle": "task-1" }),
        "ListMessageMoveTasks" => {
            sqs.lists += 1;
            let (status, moved) = if sqs.lists == 1 {
                ("RUNNING", 1)
            } else {
                (sqs.final_status, 3)
            };
            json!({ "Results": [{
                "TaskHandle": "task-1", "Status": status, "SourceArn": DLQ_ARN, "DestinationArn": QUEUE_ARN,
                "MaxNumberOfMessagesPerSecond": 20, "ApproximateNumberOfMessagesMoved": moved,
                "ApproximateNumberOfMessagesToMove": 3, "StartedTimestamp": 1_700_000_000_000_i64,
                "FailureReason": if status == "FAILED" { Value::from("AccessDenied on the destination") } else { Value::Null },
            }]})
        }
        other => panic!("the CLI asked for {other}, which a move task does not need"),
    };
    (
        [
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amzn-requestid", "r-1"),
        ],
        reply.to_string(),
    )
}

async fn serve(final_status: &'static str) -> (String, Arc<Mutex<Sqs>>) {
    let state = Arc::new(Mutex::new(Sqs {
        final_status,
        ..Sqs::default()
    }));
    let shared = Arc::clone(&state);
    let app = Router::new().fallback(move |headers: HeaderMap, body: String| {
        answer(Arc::clone(&shared), headers, body)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (endpoint, state)
}

fn redrive(endpoint: &str) -> support::Run {
    let env = vec![
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    let args = [
        "dlq",
        "redrive",
        "--dlq-url",
        DLQ_URL,
        "--queue-url",
        QUEUE_URL,
        "--rate",
        "20",
        "--json",
    ];
    // No AWS_REGION: it comes from the queue URL.
    run_with("https://api.example.invalid", &args, b"", &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_task_is_started_from_the_dlq_to_the_queue_and_followed_to_its_end() {
    let (endpoint, state) = serve("COMPLETED").await;

    let document = redrive(&endpoint).expect(0).json();

    assert_eq!(
        (
            &document["method"],
            &document["moved"],
            &document["remaining"]
        ),
        (&json!("move_task"), &json!(3), &json!(0))
    );
    assert_eq!(document["problems"], json!([]));
    let sqs = state.lock().unwrap();
    let started: Vec<&Value> = sqs
        .asked
        .iter()
        .filter(|(op, _)| op == "StartMessageMoveTask")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        started,
        [
            &json!({ "SourceArn": DLQ_ARN, "DestinationArn": QUEUE_ARN, "MaxNumberOfMessagesPerSecond": 20 })
        ],
        "one task, from the DLQ to the queue, at --rate"
    );
    assert_eq!(sqs.lists, 2, "followed until it completed");
    assert!(
        sqs.asked.iter().all(|(op, _)| op != "ReceiveMessage"),
        "SQS moved them, not the CLI"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_move_task_is_reported_with_its_reason() {
    let (endpoint, _state) = serve("FAILED").await;

    let failed = redrive(&endpoint).expect(1);

    let document = failed.json();
    assert_eq!(
        document["problems"][0],
        "the move task ended FAILED: AccessDenied on the destination"
    );
    assert!(
        failed.stderr.contains("the move task ended FAILED"),
        "{}",
        failed.stderr
    );
}
