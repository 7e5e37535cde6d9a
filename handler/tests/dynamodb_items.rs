//! The DynamoDB items the store adapter writes, exactly as it sends them to DynamoDB
//! (`fixtures/dynamodb-items.json`): the Pulumi program's read-back template for
//! `GET /messages/{id}` is tested on these items (pulumi/test/mappingTemplates.test.ts), so
//! it reads what the Rust adapter really writes, not a TypeScript copy of its mapping.
//!
//! Each item is the `Item` of a `PutItem` request the real `DynamoDbStore` sent to a
//! local endpoint that records requests. A stale fixture fails this test with a diff; it is
//! rewritten only with `BLESS=1`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use aws_config::Region;
use aws_sdk_dynamodb::config::Credentials;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::Router;
use private_ingest_core::contract::MAX_DEPTH;
use private_ingest_core::{plan, Action, Envelope, NotificationContent, RandomValue, Record};
use private_ingest_handler::{sdk, DynamoDbStore, RecordStore};
use private_ingest_testkit::golden;
use serde_json::{json, Map, Value};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/dynamodb-items.json"
);
const REQUESTS: &str = include_str!("../../fixtures/requests.json");

/// One record to write: a name, the body it comes from, and its envelope.
struct Case {
    name: String,
    body: String,
    envelope: Envelope,
}

fn full_envelope() -> Envelope {
    Envelope {
        message_id: "0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09".into(),
        received_at_ms: Some(1_700_000_000_000),
        request_id: Some("5f1e7d4c-2b3a-4c5d-8e9f-0a1b2c3d4e5f".into()),
        source_vpce: Some("vpce-0e1a2b3c4d5e6f701".into()),
        idempotency_key: None,
    }
}

/// Every store-route body of the shared request vectors, with every envelope field, and
/// the cases the read-back must also survive: no optional attribute, a record keyed by an
/// `Idempotency-Key` (with `message_id` and `body_sha256`), every JSON type and awkward
/// strings, and `data` nested as deep as the core allows.
fn cases() -> Vec<Case> {
    let vectors: Vec<Value> = serde_json::from_str(REQUESTS).expect("fixtures/requests.json");
    let mut cases: Vec<Case> = vectors
        .iter()
        .filter(|v| v["meaning"]["route"] == "store")
        .map(|v| Case {
            name: v["name"].as_str().unwrap().to_owned(),
            body: v["body"].as_str().unwrap().to_owned(),
            envelope: full_envelope(),
        })
        .collect();
    cases.push(Case {
        name: "no optional attribute".into(),
        body: r#"{"Insert":"DynamoDB"}"#.into(),
        envelope: Envelope::new("m-1"),
    });
    let mut keyed = full_envelope();
    keyed.idempotency_key = Some("order-42:attempt.1".into());
    cases.push(Case {
        name: "keyed by an Idempotency-Key".into(),
        body: r#"{"Insert":"DynamoDB","data":{"orderId":"A-1042"}}"#.into(),
        envelope: keyed,
    });
    let awkward = json!({
        "quote": "it's \"quoted\" \\ / é 🚀 \u{1}",
        "empty": "",
        "n": -19.99,
        "big": 9_007_199_254_740_991_u64,
        "yes": true,
        "no": false,
        "nothing": null,
        "list": [1, "two", [false, []], {}],
        "map": {"key with spaces and 'quotes'": {"deeper": [{}]}}
    });
    cases.push(Case {
        name: "every JSON type and awkward strings".into(),
        body: json!({"Insert": "DynamoDB", "data": awkward}).to_string(),
        envelope: full_envelope(),
    });
    // The body's top level is depth 1 and `data` depth 2: data holds MAX_DEPTH - 2 more.
    let mut deep = json!("leaf");
    for level in 0..MAX_DEPTH - 2 {
        deep = if level % 2 == 0 {
            json!([deep])
        } else {
            json!({ "a": deep })
        };
    }
    cases.push(Case {
        name: "data nested as deep as the core allows".into(),
        body: json!({"Insert": "DynamoDB", "data": {"a": deep}}).to_string(),
        envelope: full_envelope(),
    });
    cases
}

/// The record the handler would store for `case`: the core's plan, as the handler runs it.
fn record_of(case: &Case) -> Record {
    match plan(
        case.body.as_bytes(),
        &case.envelope,
        RandomValue::new(42).unwrap(),
        1_700_000_000_456,
        NotificationContent::IdsOnly,
    ) {
        Ok(Action::Store(record)) => record,
        other => panic!("{}: a store-route body, planned {other:?}", case.name),
    }
}

/// The `Item` of each `PutItem` request the adapter sends for `records`, in order.
async fn items_written(records: &[Record]) -> Vec<Value> {
    let requests: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let recorded = Arc::clone(&requests);
    let app = Router::new().fallback(move |body: Bytes| {
        recorded.lock().unwrap().push(body);
        async { ([(CONTENT_TYPE, "application/x-amz-json-1.0")], "{}") }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = sdk::config_loader()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(&url)
        .load()
        .await;
    let store = DynamoDbStore::new(aws_sdk_dynamodb::Client::new(&config), "records");
    for record in records {
        store.put_if_absent(record).await.unwrap();
    }
    server.abort();
    let requests = requests.lock().unwrap();
    assert_eq!(requests.len(), records.len(), "one PutItem per record");
    requests
        .iter()
        .map(|body| {
            let request: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(request["TableName"], "records");
            request["Item"].clone()
        })
        .collect()
}

/// `value` with every object's keys sorted, so the file does not depend on map order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn the_fixture_holds_the_items_the_adapter_writes() {
    let cases = cases();
    assert!(
        cases.len() >= 8,
        "the store-route vectors and the extra cases"
    );
    let records: Vec<Record> = cases.iter().map(record_of).collect();
    let items = items_written(&records).await;
    let fixture: Vec<Value> = cases
        .iter()
        .zip(&records)
        .zip(&items)
        .map(|((case, record), item)| {
            json!({
                "name": case.name,
                "record": sorted(&serde_json::to_value(record).unwrap()),
                "item": sorted(item),
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
    golden::assert_current(
        Path::new(FIXTURE),
        &text,
        "cargo test -p private-ingest-handler --test dynamodb_items",
    );
}
