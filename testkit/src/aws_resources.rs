//! The pipeline's AWS resources, created through the SDK (on moto in the tests): the
//! records table and the dedupe table (TTL on `expires_at`), keyed like the Pulumi program
//! keys them, and the notification topic with an SQS queue subscribed to it, so a test can
//! read back what was published.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// Creates the records table: partition key `id` (S), on-demand billing.
pub async fn create_record_table(config: &SdkConfig, name: &str) {
    aws_sdk_dynamodb::Client::new(config)
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("CreateTable");
}

/// The attribute the dedupe table's TTL reads (as the Pulumi program enables it).
pub const DEDUPE_TTL_ATTRIBUTE: &str = "expires_at";

/// Creates the dedupe table: partition key `id` (S), on-demand billing, TTL on
/// [`DEDUPE_TTL_ATTRIBUTE`].
pub async fn create_dedupe_table(config: &SdkConfig, name: &str) {
    create_record_table(config, name).await;
    aws_sdk_dynamodb::Client::new(config)
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(DEDUPE_TTL_ATTRIBUTE)
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("UpdateTimeToLive");
}

/// Every item of the table (a test table is small: one Scan page).
pub async fn scan_items(config: &SdkConfig, table: &str) -> Vec<Item> {
    let output = aws_sdk_dynamodb::Client::new(config)
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await
        .expect("Scan");
    output.items.unwrap_or_default()
}

/// The item with key `id`, read consistently.
pub async fn get_item(config: &SdkConfig, table: &str, id: &str) -> Option<Item> {
    aws_sdk_dynamodb::Client::new(config)
        .get_item()
        .table_name(table)
        .key("id", AttributeValue::S(id.into()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item
}

/// A notification as SNS delivered it to a subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub subject: Option<String>,
    pub message: String,
    /// Message attributes, name to string value.
    pub attributes: BTreeMap<String, String>,
}

/// A topic with an SQS queue subscribed, to read back what was published.
#[derive(Debug)]
pub struct TopicTap {
    pub topic_arn: String,
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

/// How long the marker may take to come back through SNS and SQS.
const MARKER_WAIT: Duration = Duration::from_secs(10);

/// The text of the marker [`TopicTap::take_all`] publishes after everything else.
const MARKER: &str = "private-ingest-testkit: end of the deliveries under test";

impl TopicTap {
    pub async fn create(config: &SdkConfig, name: &str) -> Self {
        let sns = aws_sdk_sns::Client::new(config);
        let sqs = aws_sdk_sqs::Client::new(config);
        let topic_arn = sns
            .create_topic()
            .name(name)
            .send()
            .await
            .expect("CreateTopic")
            .topic_arn
            .expect("topic ARN");
        let queue_url = sqs
            .create_queue()
            .queue_name(format!("{name}-tap"))
            .send()
            .await
            .expect("CreateQueue")
            .queue_url
            .expect("queue URL");
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("GetQueueAttributes")
            .attributes
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .expect("queue ARN");
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .send()
            .await
            .expect("Subscribe");
        Self {
            topic_arn,
            sns,
            sqs,
            queue_url,
        }
    }

    /// Everything published to the topic before this call. It publishes a marker after
    /// it and reads the subscribed queue until the marker comes back: what was published
    /// before the marker is delivered before it, so "nothing" is a positive answer (the
    /// marker came, nothing preceded it) rather than a quiet second. Panics when the
    /// marker does not come back within 10 s.
    pub async fn take_all(&self) -> Vec<Delivered> {
        self.sns
            .publish()
            .topic_arn(&self.topic_arn)
            .message(MARKER)
            .send()
            .await
            .expect("Publish the marker");
        let deadline = Instant::now() + MARKER_WAIT;
        let mut delivered = Vec::new();
        loop {
            let received = self.receive().await;
            let marker = received.iter().position(|d| d.message == MARKER);
            delivered.extend(received.into_iter().filter(|d| d.message != MARKER));
            if marker.is_some() {
                return delivered;
            }
            assert!(
                Instant::now() < deadline,
                "the marker published after the deliveries did not come back within {MARKER_WAIT:?} \
                 (received meanwhile: {delivered:?})"
            );
        }
    }

    /// One long poll of up to one second; received messages are deleted.
    async fn receive(&self) -> Vec<Delivered> {
        let output = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("ReceiveMessage");
        let mut delivered = Vec::new();
        for message in output.messages.unwrap_or_default() {
            if let Some(handle) = &message.receipt_handle {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("DeleteMessage");
            }
            delivered.push(parse_sns_envelope(message.body.as_deref().unwrap_or("")));
        }
        delivered
    }
}

/// SNS wraps what it delivers to SQS (without raw delivery) in a JSON envelope:
/// `{"Type":"Notification","Subject":..,"Message":..,"MessageAttributes":{"k":{"Type":"String","Value":..}}}`.
fn parse_sns_envelope(body: &str) -> Delivered {
    let envelope: Value = serde_json::from_str(body).expect("an SNS envelope");
    let attributes = envelope["MessageAttributes"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v["Value"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Delivered {
        subject: envelope["Subject"].as_str().map(str::to_owned),
        message: envelope["Message"].as_str().expect("Message").to_owned(),
        attributes,
    }
}
