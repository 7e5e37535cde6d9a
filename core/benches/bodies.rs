//! The bodies the core benchmarks run on (a module of both bench targets, benches/plan.rs
//! and benches/plan_loop.rs): the two original requests, a typical payload, a rejection,
//! and the two requests with an `Idempotency-Key` (`_keyed`: the key's check and the
//! body's SHA-256 on top), and IoT readings routed by `fixtures/rules/iot-thresholds.json`
//! (`iot_over`: a record and an alert; `iot_under`: a record only).

use std::hint::black_box;

use std::sync::OnceLock;

use private_ingest_core::{
    parse_rules, plan_routed, Envelope, NotificationContent, Plan, RandomValue, RecordError, Rules,
};

pub const BODIES: &[(&str, &str)] = &[
    ("store", r#"{"Insert": "DynamoDB"}"#),
    ("notify", r#"{"Insert": "Dynamoooo"}"#),
    (
        "store_with_data",
        r#"{"Insert":"DynamoDB","data":{"orderId":"A-1042","items":[{"sku":"X1","qty":2},{"sku":"Y7","qty":1}],"total":49.9,"express":true}}"#,
    ),
    ("rejected", r#"{"Insert": 5, "extra": true}"#),
    ("store_keyed", r#"{"Insert": "DynamoDB"}"#),
    ("notify_keyed", r#"{"Insert": "Dynamoooo"}"#),
    (
        "iot_over",
        r#"{"Insert":"iot","data":{"sensor":"greenhouse-3","temperature":81.25,"humidity":40,"battery":77}}"#,
    ),
    (
        "iot_under",
        r#"{"Insert":"iot","data":{"sensor":"greenhouse-3","temperature":21.5,"humidity":40,"battery":77}}"#,
    ),
];

/// The rules a body of that name is routed by: the IoT thresholds for the `iot_` ones,
/// none (the routing on `Insert`) for the others.
pub fn rules_for(name: &str) -> Option<&'static Rules> {
    static IOT: OnceLock<Rules> = OnceLock::new();
    name.starts_with("iot_").then(|| {
        IOT.get_or_init(|| {
            parse_rules(include_str!("../../fixtures/rules/iot-thresholds.json"))
                .expect("the IoT rules fixture is valid")
        })
    })
}

/// The envelope a body of that name is planned with: [`envelope`], with a key for the
/// `_keyed` ones.
pub fn envelope_for(name: &str) -> Envelope {
    let mut envelope = envelope();
    if name.ends_with("_keyed") {
        envelope.idempotency_key = Some("0f6b1e9c-9a4e-4d4e-b8a0-2f6d5c3b1a09".into());
    }
    envelope
}

/// An envelope with every attribute set, as a real SQS delivery has.
pub fn envelope() -> Envelope {
    Envelope {
        message_id: "059f36b4-87a3-44ab-83d2-661975830a7d".into(),
        received_at_ms: Some(1_700_000_000_000),
        request_id: Some("c6af9ac6-7b61-11e6-9a41-93e8deadbeef".into()),
        source_vpce: Some("vpce-0123456789abcdef0".into()),
        idempotency_key: None,
    }
}

pub const NOW_MS: i64 = 1_700_000_000_456;

/// `plan_routed` on `body` with [`envelope`] at [`NOW_MS`] and `rules`, as the benchmarks
/// measure it: the costlier way, with notifications quoting the caller's data.
pub fn plan_body(
    body: &str,
    envelope: &Envelope,
    rules: Option<&Rules>,
) -> Result<Plan, RecordError> {
    plan_routed(
        black_box(body.as_bytes()),
        envelope,
        RandomValue::clamped(42),
        NOW_MS,
        NotificationContent::WithCallerData,
        rules,
    )
}
