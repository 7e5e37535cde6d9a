//! The DynamoDB [`RecordStore`]: a conditional `PutItem` keyed by `id`, so a redelivered
//! message (or a client's retry under one `Idempotency-Key`) cannot overwrite or
//! duplicate its record. When the condition fails, `ReturnValuesOnConditionCheckFailure =
//! ALL_OLD` brings the existing item back in the same call, and its `message_id` and
//! `body_sha256` tell a retry from a reused key: no second read, no extra permission. The mapping between a core
//! [`Record`] and a DynamoDB item is the pair of free functions [`record_to_item`] and
//! [`item_to_record`] (the orphan rule forbids `From` impls between two foreign crates).

use std::collections::HashMap;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use private_ingest_core::Record;
use serde_json::{Map, Number, Value};

use super::{ExistingRecord, PutIfAbsent, RecordStore, StoreError};

/// A DynamoDB item: attribute name to value.
pub type Item = HashMap<String, AttributeValue>;

/// Writes records to one table whose partition key is the string attribute `id`.
#[derive(Debug, Clone)]
pub struct DynamoDbStore {
    client: Client,
    table_name: String,
}

impl DynamoDbStore {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
        }
    }
}

impl RecordStore for DynamoDbStore {
    async fn put_if_absent(&self, record: &Record) -> Result<PutIfAbsent, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(record_to_item(record)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", "id")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(PutIfAbsent::Stored),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let existing = failed.item().map(existing_of).unwrap_or_default();
                    Ok(PutIfAbsent::Exists(existing))
                }
                _ => Err(StoreError::with_source(
                    format!(
                        "PutItem into {}: {}",
                        self.table_name,
                        DisplayErrorContext(&error)
                    ),
                    error,
                )),
            },
        }
    }
}

/// Who wrote an existing item (its optional `message_id` and `body_sha256`).
fn existing_of(item: &Item) -> ExistingRecord {
    let string = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    };
    ExistingRecord {
        message_id: string("message_id"),
        body_sha256: string("body_sha256"),
    }
}

/// The item for `record`: one attribute per record field, optional fields left out.
pub fn record_to_item(record: &Record) -> Item {
    let mut item = Item::from([
        ("id".to_owned(), AttributeValue::S(record.id.clone())),
        (
            "random_value".to_owned(),
            AttributeValue::N(record.random_value.to_string()),
        ),
        (
            "message".to_owned(),
            AttributeValue::S(record.message.clone()),
        ),
        (
            "timestamp".to_owned(),
            AttributeValue::S(record.timestamp.clone()),
        ),
    ]);
    let optional = [
        ("received_at", &record.received_at),
        ("request_id", &record.request_id),
        ("source_vpce", &record.source_vpce),
        ("message_id", &record.message_id),
        ("body_sha256", &record.body_sha256),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            item.insert(name.to_owned(), AttributeValue::S(value.clone()));
        }
    }
    if let Some(data) = &record.data {
        item.insert("data".to_owned(), object_to_attribute(data));
    }
    item
}

/// The record stored as `item`; fails when an attribute is missing or of the wrong type.
pub fn item_to_record(item: &Item) -> Result<Record, ItemMappingError> {
    let string = |name: &'static str| -> Result<Option<String>, ItemMappingError> {
        match item.get(name) {
            None => Ok(None),
            Some(AttributeValue::S(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ItemMappingError::WrongType {
                name,
                expected: "S",
            }),
        }
    };
    let required = |name: &'static str| string(name)?.ok_or(ItemMappingError::Missing(name));
    let random_value = match item.get("random_value") {
        Some(AttributeValue::N(n)) => n
            .parse()
            .map_err(|_| ItemMappingError::BadNumber(n.clone()))?,
        Some(_) => {
            return Err(ItemMappingError::WrongType {
                name: "random_value",
                expected: "N",
            })
        }
        None => return Err(ItemMappingError::Missing("random_value")),
    };
    let data = match item.get("data") {
        None => None,
        Some(AttributeValue::M(m)) => Some(map_to_object(m)?),
        Some(_) => {
            return Err(ItemMappingError::WrongType {
                name: "data",
                expected: "M",
            })
        }
    };
    Ok(Record {
        id: required("id")?,
        random_value,
        message: required("message")?,
        timestamp: required("timestamp")?,
        received_at: string("received_at")?,
        data,
        request_id: string("request_id")?,
        source_vpce: string("source_vpce")?,
        message_id: string("message_id")?,
        body_sha256: string("body_sha256")?,
    })
}

/// A JSON value as an attribute: object -> M, array -> L, string -> S, number -> N,
/// bool -> BOOL, null -> NULL.
pub fn json_to_attribute(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        // DynamoDB numbers are decimal strings (38 digits of precision): the number's text
        // as the caller sent it (serde_json's arbitrary_precision); the core refused any
        // DynamoDB cannot store exactly.
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(items) => AttributeValue::L(items.iter().map(json_to_attribute).collect()),
        Value::Object(object) => object_to_attribute(object),
    }
}

fn object_to_attribute(object: &Map<String, Value>) -> AttributeValue {
    AttributeValue::M(
        object
            .iter()
            .map(|(k, v)| (k.clone(), json_to_attribute(v)))
            .collect(),
    )
}

/// The inverse of [`json_to_attribute`]. Set and binary types never come from a record,
/// so they are refused rather than guessed at.
pub fn attribute_to_json(attribute: &AttributeValue) -> Result<Value, ItemMappingError> {
    Ok(match attribute {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => Value::Number(parse_number(n)?),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::L(items) => Value::Array(
            items
                .iter()
                .map(attribute_to_json)
                .collect::<Result<_, _>>()?,
        ),
        AttributeValue::M(m) => Value::Object(map_to_object(m)?),
        other => return Err(ItemMappingError::Unsupported(format!("{other:?}"))),
    })
}

fn map_to_object(map: &Item) -> Result<Map<String, Value>, ItemMappingError> {
    map.iter()
        .map(|(k, v)| Ok((k.clone(), attribute_to_json(v)?)))
        .collect()
}

/// The number as DynamoDB spells it, kept as text (never through f64).
fn parse_number(n: &str) -> Result<Number, ItemMappingError> {
    n.parse::<Number>()
        .map_err(|_| ItemMappingError::BadNumber(n.to_owned()))
}

/// An item that is not a record this adapter wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemMappingError {
    #[error("attribute {0} is missing")]
    Missing(&'static str),
    #[error("attribute {name} is not of type {expected}")]
    WrongType {
        name: &'static str,
        expected: &'static str,
    },
    #[error("{0:?} is not a number")]
    BadNumber(String),
    #[error("attribute type not used by records: {0}")]
    Unsupported(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(data: Option<Value>) -> Record {
        Record {
            id: "m-1".into(),
            random_value: 42,
            message: "Random value is 42".into(),
            timestamp: "2023-11-14T22:13:20.456Z".into(),
            received_at: Some("2023-11-14T22:13:20.000Z".into()),
            data: data.map(|d| d.as_object().cloned().unwrap()),
            request_id: Some("r-1".into()),
            source_vpce: None,
            message_id: None,
            body_sha256: None,
        }
    }

    #[test]
    fn each_json_type_gets_its_attribute_type() {
        let item = record_to_item(&record(Some(json!({
            "s": "x", "i": -3, "f": 19.99, "t": true, "n": null,
            "l": [1, "a", [false]], "m": {"deep": {"er": 1}}
        }))));
        let AttributeValue::M(data) = &item["data"] else {
            panic!("data is a map")
        };
        assert_eq!(data["s"], AttributeValue::S("x".into()));
        assert_eq!(data["i"], AttributeValue::N("-3".into()));
        assert_eq!(data["f"], AttributeValue::N("19.99".into()));
        assert_eq!(data["t"], AttributeValue::Bool(true));
        assert_eq!(data["n"], AttributeValue::Null(true));
        assert_eq!(
            data["l"],
            AttributeValue::L(vec![
                AttributeValue::N("1".into()),
                AttributeValue::S("a".into()),
                AttributeValue::L(vec![AttributeValue::Bool(false)]),
            ])
        );
        assert!(
            matches!(&data["m"], AttributeValue::M(m) if matches!(&m["deep"], AttributeValue::M(_)))
        );
        assert_eq!(item["random_value"], AttributeValue::N("42".into()));
        assert!(!item.contains_key("source_vpce"));
    }

    #[test]
    fn a_record_survives_the_round_trip() {
        for r in [
            record(None),
            record(Some(
                json!({"a": [1, 2.5, {"b": null}], "c": "", "u": u64::MAX}),
            )),
        ] {
            assert_eq!(item_to_record(&record_to_item(&r)).unwrap(), r);
        }
    }

    #[test]
    fn numbers_reach_the_n_attribute_as_their_text() {
        let data: Value = serde_json::from_str(
            r#"{"a":12345678901234567890123456789012345678,"b":123456789.123456789123,"c":1.50}"#,
        )
        .unwrap();
        let item = record_to_item(&record(Some(data)));
        let AttributeValue::M(data) = &item["data"] else {
            panic!("data is a map")
        };
        assert_eq!(
            data["a"],
            AttributeValue::N("12345678901234567890123456789012345678".into())
        );
        assert_eq!(
            data["b"],
            AttributeValue::N("123456789.123456789123".into())
        );
        assert_eq!(data["c"], AttributeValue::N("1.50".into()));
        let back = attribute_to_json(&AttributeValue::N("1.5".into())).unwrap();
        assert_eq!(back.to_string(), "1.5");
    }

    #[test]
    fn a_keyed_record_keeps_its_message_id_and_digest() {
        let mut r = record(None);
        r.message_id = Some("m-0".into());
        r.body_sha256 = Some("ab".into());
        let item = record_to_item(&r);
        assert_eq!(item["message_id"], AttributeValue::S("m-0".into()));
        assert_eq!(
            existing_of(&item),
            ExistingRecord {
                message_id: Some("m-0".into()),
                body_sha256: Some("ab".into())
            }
        );
        assert_eq!(item_to_record(&item).unwrap(), r);
    }

    #[test]
    fn an_item_that_is_not_a_record_is_refused() {
        let mut item = record_to_item(&record(None));
        item.remove("timestamp");
        assert_eq!(
            item_to_record(&item),
            Err(ItemMappingError::Missing("timestamp"))
        );
        item.insert("timestamp".into(), AttributeValue::N("1".into()));
        assert_eq!(
            item_to_record(&item),
            Err(ItemMappingError::WrongType {
                name: "timestamp",
                expected: "S"
            })
        );
        assert!(matches!(
            attribute_to_json(&AttributeValue::Ss(vec!["a".into()])),
            Err(ItemMappingError::Unsupported(_))
        ));
    }
}
