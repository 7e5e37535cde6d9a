//! `private-ingest dlq` against SQS on moto: a queue with a redrive policy, dead letters
//! made by receiving without deleting, then listed, inspected (an invalid body that
//! bypassed the edge included), dry-run, and redriven by receive -> send -> delete
//! (moto has no StartMessageMoveTask, so `auto` falls back and says why) with their
//! attributes kept and the redrive's idempotencyKey added.

mod support;

use std::collections::{BTreeMap, HashMap};

use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};
use aws_sdk_sqs::Client;
use private_ingest_testkit::fixtures::rules_file;
use private_ingest_testkit::moto::MotoServer;
use serde_json::json;
use support::{run_with, Run};

/// A queue and its DLQ (maxReceiveCount 1), as the stack declares them.
struct Queues {
    sqs: Client,
    queue_url: String,
    dlq_url: String,
}

async fn queues(moto: &MotoServer) -> Queues {
    let sqs = Client::new(&moto.sdk_config().await);
    let dlq_url = sqs
        .create_queue()
        .queue_name("ingest-dlq")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    let policy = json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1" }).to_string();
    let queue_url = sqs
        .create_queue()
        .queue_name("ingest")
        .attributes(QueueAttributeName::RedrivePolicy, policy)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    Queues {
        sqs,
        queue_url,
        dlq_url,
    }
}

fn string(value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .unwrap()
}

impl Queues {
    /// Sends `body` with `attributes`; returns its message id.
    async fn send(&self, body: &str, attributes: &[(&str, &str)]) -> String {
        let mut request = self
            .sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body);
        for (name, value) in attributes {
            request = request.message_attributes(*name, string(value));
        }
        request.send().await.unwrap().message_id.unwrap()
    }

    /// Receives without deleting until every message has moved to the DLQ.
    async fn fail_everything(&self, expected: usize) {
        for _ in 0..20 {
            self.sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(0)
                .send()
                .await
                .unwrap();
            if self.depth(&self.dlq_url).await == expected {
                return;
            }
        }
        panic!("{expected} messages did not reach the DLQ");
    }

    async fn depth(&self, url: &str) -> usize {
        self.sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&QueueAttributeName::ApproximateNumberOfMessages]
            .parse()
            .unwrap()
    }

    /// Every message on the queue: body to its string attributes.
    async fn drain(&self) -> Vec<(String, BTreeMap<String, String>)> {
        let mut all = Vec::new();
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if received.is_empty() {
                return all;
            }
            for m in received {
                let attributes: HashMap<_, _> = m.message_attributes.unwrap_or_default();
                let attributes = attributes
                    .into_iter()
                    .map(|(k, v)| (k, v.string_value.unwrap_or_default()))
                    .collect();
                all.push((m.body.unwrap(), attributes));
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle.unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

fn dlq(moto: &MotoServer, args: &[&str]) -> Run {
    let env: Vec<(&str, String)> = moto.child_env();
    let mut all = vec!["dlq"];
    all.extend_from_slice(args);
    // The endpoint is the cloud's (https): dlq must not touch it, only SQS.
    run_with("https://api.example.invalid", &all, b"", &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_in_sqs_are_listed_inspected_and_redriven_with_their_attributes() {
    let moto = MotoServer::start();
    let q = queues(&moto).await;
    let store = q
        .send(
            r#"{"Insert":"DynamoDB","data":{"n":1}}"#,
            &[("requestId", "r-1"), ("sourceVpce", "vpce-1")],
        )
        .await;
    let keyed = q
        .send(
            r#"{"Insert":"DynamoDB","data":{"n":2}}"#,
            &[("requestId", "r-2"), ("idempotencyKey", "order-7")],
        )
        .await;
    let notify = q
        .send(r#"{"Insert":"Dynamoooo"}"#, &[("requestId", "r-3")])
        .await;
    let invalid = q.send(r#"{"Insert":1}"#, &[]).await;
    q.fail_everything(4).await;
    let outputs = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        outputs.path(),
        json!({ "privateUrl": "https://api.example.invalid/", "queueUrl": q.queue_url, "deadLetterQueueUrl": q.dlq_url }).to_string(),
    )
    .unwrap();
    let outputs_path = outputs.path().to_str().unwrap();

    // list: every dead letter with what the core would do, and they stay in the DLQ
    let listed = dlq(&moto, &["list", "--dlq-url", &q.dlq_url, "--json"])
        .expect(0)
        .json();
    assert_eq!(listed["count"], 4, "{listed}");
    assert_eq!(listed["source"]["kind"], "aws");
    let would: BTreeMap<&str, &str> = listed["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["message_id"].as_str().unwrap(),
                d["would"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        would,
        BTreeMap::from([
            (store.as_str(), "store"),
            (keyed.as_str(), "store"),
            (notify.as_str(), "notify"),
            (invalid.as_str(), "reject")
        ])
    );
    assert_eq!(q.depth(&q.dlq_url).await, 4, "reading released them");

    // inspect: grouped, the rejection with its path
    let inspected = dlq(
        &moto,
        &["inspect", "--stack-outputs", outputs_path, "--json"],
    )
    .expect(0)
    .json();
    let groups: Vec<(&str, Option<&str>, u64)> = inspected["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["would"].as_str().unwrap(),
                g["error"].as_str(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("store", None, 2),
            ("notify", None, 1),
            (
                "reject",
                Some("/Insert: expected a string, found number"),
                1
            )
        ]
    );

    // without --rules the prediction is the routing on Insert, and says so; with the
    // stack's routingRules file (the IoT rules: no reading here fires, so `otherwise`
    // stores) the notify-by-Insert message would be stored
    assert_eq!(inspected["routing"]["by"], "insert");
    assert_eq!(inspected["routing"]["from"], "not_given");
    let text = dlq(&moto, &["inspect", "--stack-outputs", outputs_path]).expect(0);
    assert!(
        text.stdout
            .contains("routing: on Insert (no rules given; if the stack sets routingRules"),
        "{}",
        text.stdout
    );
    let iot = rules_file("iot-thresholds.json");
    let by_rules = dlq(
        &moto,
        &[
            "inspect",
            "--stack-outputs",
            outputs_path,
            "--rules",
            &iot,
            "--json",
        ],
    )
    .expect(0)
    .json();
    assert_eq!(
        (&by_rules["routing"]["by"], &by_rules["routing"]["from"]),
        (&json!("rules"), &json!("file"))
    );
    let counts: Vec<(&str, u64)> = by_rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["would"].as_str().unwrap(), g["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts, [("store", 3), ("reject", 1)]);

    // a dry run prints the same and moves nothing
    let dry = dlq(
        &moto,
        &[
            "redrive",
            "--dry-run",
            "--stack-outputs",
            outputs_path,
            "--json",
        ],
    )
    .expect(0)
    .json();
    assert_eq!(
        (&dry["dry_run"], &dry["would_move"]),
        (&json!(true), &json!(4))
    );
    assert_eq!(dry["groups"], inspected["groups"]);
    assert_eq!(
        (q.depth(&q.dlq_url).await, q.depth(&q.queue_url).await),
        (4, 0)
    );

    // move task forced: moto lacks it, which is said, and nothing moves
    let forced = dlq(
        &moto,
        &["redrive", "--method", "move-task", "--dlq-url", &q.dlq_url],
    )
    .expect(1);
    assert!(
        forced.stderr.contains("no StartMessageMoveTask"),
        "{}",
        forced.stderr
    );
    assert_eq!(q.depth(&q.dlq_url).await, 4);

    // --max 1: by copy; the queue is the DLQ's one source (ListDeadLetterSourceQueues)
    let one = dlq(
        &moto,
        &["redrive", "--max", "1", "--dlq-url", &q.dlq_url, "--json"],
    )
    .expect(0)
    .json();
    assert_eq!(
        (&one["method"], &one["moved"]),
        (&json!("copy"), &json!(1)),
        "{one}"
    );
    assert_eq!(
        (q.depth(&q.dlq_url).await, q.depth(&q.queue_url).await),
        (3, 1)
    );

    // the rest: auto falls back to copy, and says why
    let rest = dlq(
        &moto,
        &["redrive", "--stack-outputs", outputs_path, "--json"],
    )
    .expect(0)
    .json();
    assert_eq!(
        (&rest["method"], &rest["moved"], &rest["remaining"]),
        (&json!("copy"), &json!(3), &json!(0)),
        "{rest}"
    );
    assert!(
        rest["notes"][0]
            .as_str()
            .unwrap()
            .contains("no StartMessageMoveTask"),
        "{rest}"
    );
    assert_eq!(rest["problems"], json!([]));

    // THEN the queue holds each message once, body and attributes as they were, keyed
    let mut requeued = q.drain().await;
    requeued.sort();
    let attrs = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut expected = vec![
        (
            r#"{"Insert":"DynamoDB","data":{"n":1}}"#.to_owned(),
            attrs(&[
                ("requestId", "r-1"),
                ("sourceVpce", "vpce-1"),
                ("idempotencyKey", &store),
            ]),
        ),
        (
            r#"{"Insert":"DynamoDB","data":{"n":2}}"#.to_owned(),
            attrs(&[("requestId", "r-2"), ("idempotencyKey", "order-7")]),
        ),
        (
            r#"{"Insert":"Dynamoooo"}"#.to_owned(),
            attrs(&[("requestId", "r-3"), ("idempotencyKey", &notify)]),
        ),
        (
            r#"{"Insert":1}"#.to_owned(),
            attrs(&[("idempotencyKey", &invalid)]),
        ),
    ];
    expected.sort();
    assert_eq!(requeued, expected);
    assert_eq!(q.depth(&q.dlq_url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_cloud_dlq_needs_its_queue_named() {
    let moto = MotoServer::start();
    let refused = dlq(&moto, &["list"]).expect(2);
    assert!(refused.stderr.contains("--dlq-url"), "{}", refused.stderr);
    let missing = dlq(
        &moto,
        &[
            "list",
            "--stack-outputs",
            "/nonexistent/outputs.json",
            "--json",
        ],
    )
    .expect(2)
    .json();
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .starts_with("--stack-outputs /nonexistent/outputs.json"),
        "{missing}"
    );
    let unknown = dlq(
        &moto,
        &[
            "list",
            "--dlq-url",
            &format!("{}/123456789012/no-such-queue", moto.endpoint()),
        ],
    )
    .expect(1);
    assert!(
        unknown.stderr.contains("ReceiveMessage"),
        "{}",
        unknown.stderr
    );
}
