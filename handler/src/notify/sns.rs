//! The SNS [`Notifier`]: one `Publish` per notification to one topic. The email body is
//! the notification's `text` and its subject the `subject`; the kind and message id (and,
//! with routing rules, the severity and the fired rules) go in message attributes so
//! subscriptions can filter on them. The whole struct is never
//! published as JSON: its `data` can be 256 KiB, over the SNS message limit (256 KB),
//! while the core bounds `text`.

use aws_sdk_sns::error::DisplayErrorContext;
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use private_ingest_core::Notification;

use super::{Notifier, NotifyError};

/// Message attribute with the notification kind (`notify` or `rejected`), for
/// subscription filter policies.
pub const KIND_ATTRIBUTE: &str = "kind";
/// Message attribute with the queue message id the notification is about.
pub const MESSAGE_ID_ATTRIBUTE: &str = "message_id";
/// With routing rules: message attribute with the notification's severity (`info` to
/// `critical`), so a subscription can take only the urgent ones (a filter policy such as
/// `{"severity": ["high", "critical"]}` for a pager).
pub const SEVERITY_ATTRIBUTE: &str = "severity";
/// With routing rules: message attribute (`String.Array`) with the names of the rules that
/// fired, for filter policies on a rule (`{"rules": ["overheat"]}`).
pub const RULES_ATTRIBUTE: &str = "rules";

/// Publishes notifications to one topic.
#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: Client,
    topic_arn: String,
}

impl SnsNotifier {
    pub fn new(client: Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

impl Notifier for SnsNotifier {
    async fn publish(&self, notification: &Notification) -> Result<(), NotifyError> {
        let mut publish = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .message(&notification.text)
            .subject(&notification.subject)
            .message_attributes(
                KIND_ATTRIBUTE,
                string_attribute(notification.kind.as_str())?,
            )
            .message_attributes(
                MESSAGE_ID_ATTRIBUTE,
                string_attribute(&notification.message_id)?,
            );
        // Four attributes at most: SNS takes ten.
        if let Some(severity) = notification.severity {
            publish = publish
                .message_attributes(SEVERITY_ATTRIBUTE, string_attribute(severity.as_str())?);
        }
        if !notification.rules.is_empty() {
            let names: Vec<&str> = notification.rules.iter().map(|r| r.name.as_str()).collect();
            publish = publish.message_attributes(
                RULES_ATTRIBUTE,
                attribute(
                    "String.Array",
                    &serde_json::to_string(&names).unwrap_or_default(),
                )?,
            );
        }
        publish.send().await.map_err(|error| {
            NotifyError::with_source(
                format!(
                    "Publish to {}: {}",
                    self.topic_arn,
                    DisplayErrorContext(&error)
                ),
                error,
            )
        })?;
        Ok(())
    }
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, NotifyError> {
    attribute("String", value)
}

fn attribute(data_type: &str, value: &str) -> Result<MessageAttributeValue, NotifyError> {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(value)
        .build()
        .map_err(|e| NotifyError::with_source("building an SNS message attribute", e))
}
