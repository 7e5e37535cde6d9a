//! The DynamoDB [`DedupeStore`]: one item per key in a table of its own (partition key
//! `id`, TTL on `expires_at`), written with conditions so two deliveries of one key never
//! both hold it. A claim is one `PutItem` with `ReturnValuesOnConditionCheckFailure =
//! ALL_OLD`: the marker that holds the key comes back in the same call. Completing is one
//! `UpdateItem`, releasing one `DeleteItem`; each is conditioned on the claiming message.
//!
//! Attributes: `id` (S, the key), `status` (S), `message_id` (S), `body_sha256` (S),
//! `in_progress_until` (N, epoch milliseconds), `expires_at` (N, epoch **seconds**, as
//! DynamoDB TTL reads it). TTL deletes expired items within days, not at once, so every
//! condition also treats a marker past `expires_at` as absent.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;

use super::{Claim, Claimed, DedupeError, DedupeStore, Marker, MarkerStatus};

/// The attribute DynamoDB's TTL is enabled on: the contract's, which the Pulumi program
/// reads through the Wasm module's `contract()`.
pub use private_ingest_core::contract::DEDUPE_EXPIRES_AT_ATTRIBUTE as EXPIRES_AT_ATTRIBUTE;

/// Claims, completes and releases markers in one table.
#[derive(Debug, Clone)]
pub struct DynamoDbDedupe {
    client: Client,
    table_name: String,
}

impl DynamoDbDedupe {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
        }
    }

    fn failed<E>(&self, call: &str, error: SdkError<E>) -> DedupeError
    where
        E: std::error::Error + Send + Sync + 'static,
        SdkError<E>: std::error::Error,
    {
        DedupeError::new(format!(
            "{call} on {}: {}",
            self.table_name,
            DisplayErrorContext(&error)
        ))
    }
}

/// Epoch seconds from epoch milliseconds, rounded up (a marker never expires early).
fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) > 0)
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

impl DedupeStore for DynamoDbDedupe {
    async fn claim(&self, claim: &Claim) -> Result<Claimed, DedupeError> {
        let item = HashMap::from([
            ("id".to_owned(), s(&claim.key)),
            ("status".to_owned(), s(MarkerStatus::InProgress.as_str())),
            ("message_id".to_owned(), s(&claim.message_id)),
            ("body_sha256".to_owned(), s(&claim.body_sha256)),
            (
                "in_progress_until".to_owned(),
                n(claim.in_progress_until_ms),
            ),
            (
                EXPIRES_AT_ATTRIBUTE.to_owned(),
                n(seconds(claim.expires_at_ms)),
            ),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(#id) OR #expires_at < :now_s \
                 OR (#status = :in_progress AND #in_progress_until < :now_ms)",
            )
            .expression_attribute_names("#id", "id")
            .expression_attribute_names("#expires_at", EXPIRES_AT_ATTRIBUTE)
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#in_progress_until", "in_progress_until")
            .expression_attribute_values(":now_s", n(claim.now_ms.div_euclid(1000)))
            .expression_attribute_values(":now_ms", n(claim.now_ms))
            .expression_attribute_values(":in_progress", s(MarkerStatus::InProgress.as_str()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claimed::Claimed),
            Err(error) => match error.as_service_error().and_then(|e| match e {
                PutItemError::ConditionalCheckFailedException(failed) => Some(failed.item()),
                _ => None,
            }) {
                Some(Some(old)) => marker_of(old).map(Claimed::Held).ok_or_else(|| {
                    DedupeError::new(format!(
                        "the marker of key {:?} in {} is not one this adapter wrote",
                        claim.key, self.table_name
                    ))
                }),
                Some(None) => Err(DedupeError::new(format!(
                    "PutItem on {}: the condition failed but no item came back (ALL_OLD)",
                    self.table_name
                ))),
                None => Err(self.failed("PutItem", error)),
            },
        }
    }

    async fn complete(
        &self,
        key: &str,
        message_id: &str,
        expires_at_ms: i64,
    ) -> Result<bool, DedupeError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table_name)
            .key("id", s(key))
            .update_expression("SET #status = :completed, #expires_at = :expires_at")
            .condition_expression("#message_id = :mine AND #status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#expires_at", EXPIRES_AT_ATTRIBUTE)
            .expression_attribute_names("#message_id", "message_id")
            .expression_attribute_values(":completed", s(MarkerStatus::Completed.as_str()))
            .expression_attribute_values(":in_progress", s(MarkerStatus::InProgress.as_str()))
            .expression_attribute_values(":expires_at", n(seconds(expires_at_ms)))
            .expression_attribute_values(":mine", s(message_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(self.failed("UpdateItem", error)),
        }
    }

    async fn release(&self, key: &str, message_id: &str) -> Result<(), DedupeError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table_name)
            .key("id", s(key))
            .condition_expression("#message_id = :mine AND #status = :in_progress")
            .expression_attribute_names("#message_id", "message_id")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":mine", s(message_id))
            .expression_attribute_values(":in_progress", s(MarkerStatus::InProgress.as_str()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(self.failed("DeleteItem", error)),
        }
    }
}

/// The marker an item is; `None` when an attribute is missing or of another type.
pub fn marker_of(item: &HashMap<String, AttributeValue>) -> Option<Marker> {
    let string = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    };
    Some(Marker {
        status: MarkerStatus::parse(&string("status")?)?,
        message_id: string("message_id")?,
        body_sha256: string("body_sha256")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_seconds_round_up() {
        assert_eq!(seconds(1_700_000_000_000), 1_700_000_000);
        assert_eq!(seconds(1_700_000_000_001), 1_700_000_001);
        assert_eq!(seconds(0), 0);
    }

    #[test]
    fn a_marker_reads_back_from_its_item() {
        let item = HashMap::from([
            ("id".to_owned(), s("k")),
            ("status".to_owned(), s("COMPLETED")),
            ("message_id".to_owned(), s("m-1")),
            ("body_sha256".to_owned(), s("ab")),
        ]);
        assert_eq!(
            marker_of(&item),
            Some(Marker {
                status: MarkerStatus::Completed,
                message_id: "m-1".into(),
                body_sha256: "ab".into(),
            })
        );
        let mut other = item.clone();
        other.insert("status".into(), s("DONE"));
        assert_eq!(marker_of(&other), None);
    }
}
