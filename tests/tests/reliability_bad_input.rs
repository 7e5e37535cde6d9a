//! Reliability: a generated corpus of malformed requests (truncations, wrong types,
//! Unicode edge cases, huge numbers, deep nesting, oversize bodies, wrong headers)
//! against the real local stack. Every one gets a 4xx whose errors each name a JSON
//! path and a reason, and the stack stays up and keeps working.

use std::time::Duration;

use private_ingest_testkit::local_stack::LocalStack;
use serde_json::{json, Value};

const MIB: usize = 1024 * 1024;
const MAX_BODY: usize = 256 * 1024;

/// One malformed request: what it is, its body, its content type, the status it must get.
struct Case {
    name: String,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    status: u16,
}

fn bad(name: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        body: body.into(),
        content_type: Some("application/json"),
        status: 400,
    }
}

fn truncations(cases: &mut Vec<Case>) {
    let valid = [
        r#"{"Insert":"DynamoDB","data":{"a":[1,2.5,{"b":"c"}],"t":true,"n":null}}"#,
        r#"{"Insert":"Notify été 🚀","data":{"s":"\u00e9\ud83d\ude80","e":"\"\\"}}"#,
    ];
    for body in valid {
        let bytes = body.as_bytes();
        for cut in 0..bytes.len() {
            // Cuts inside a multi-byte character are invalid UTF-8: also a 400.
            cases.push(bad(
                format!("truncated at byte {cut} of {body}"),
                &bytes[..cut],
            ));
        }
    }
}

fn wrong_types(cases: &mut Vec<Case>) {
    let values = [
        "5",
        "-1.5",
        "0",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        r#"["DynamoDB"]"#,
        r#"{"value":"DynamoDB"}"#,
        r#""""#,
    ];
    for v in values {
        if v == r#""""# {
            cases.push(bad("empty Insert", format!(r#"{{"Insert":{v}}}"#)));
            continue;
        }
        cases.push(bad(format!("Insert = {v}"), format!(r#"{{"Insert":{v}}}"#)));
    }
    for v in ["1", r#""x""#, "true", "null", "[]", "[{}]", "-0.0"] {
        cases.push(bad(
            format!("data = {v}"),
            format!(r#"{{"Insert":"DynamoDB","data":{v}}}"#),
        ));
    }
    for top in [
        "[]",
        r#""DynamoDB""#,
        "1",
        "true",
        "null",
        r#"[{"Insert":"DynamoDB"}]"#,
        "{}",
    ] {
        cases.push(bad(format!("top level {top}"), top));
    }
    for key in [
        "insert", "INSERT", "Data", "", "a/b", "~", "🚀", "Insert ", " Insert", "extra", "\\u0000",
    ] {
        cases.push(bad(
            format!("unknown field {key:?}"),
            format!(r#"{{"Insert":"DynamoDB","{key}":1}}"#),
        ));
    }
}

fn unicode_edges(cases: &mut Vec<Case>) {
    for esc in [
        r"\ud800", r"\udfff", r"\ud83d", r"\ud83dx", r"\u12", r"\uZZZZ", r"\x41", r"\q",
    ] {
        cases.push(bad(
            format!("escape {esc} in Insert"),
            format!(r#"{{"Insert":"{esc}"}}"#),
        ));
        cases.push(bad(
            format!("escape {esc} in a key"),
            format!(r#"{{"Insert":"x","data":{{"{esc}":1}}}}"#),
        ));
    }
    let invalid_utf8: [&[u8]; 10] = [
        b"\xff",
        b"\xc0\xaf",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xe2\x82",
        b"\x80",
        b"\xfe\xff",
        b"\xf0\x9f\x9a",
        b"\xc3",
        b"\xef\xbf",
    ];
    for seq in invalid_utf8 {
        let mut body = br#"{"Insert":""#.to_vec();
        body.extend_from_slice(seq);
        body.extend_from_slice(br#""}"#);
        cases.push(bad(format!("invalid UTF-8 {seq:02x?}"), body));
    }
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(br#"{"Insert":"DynamoDB"}"#);
    cases.push(bad("byte order mark", bom));
    for ctrl in [0u8, 1, 9, 10, 13, 0x1f] {
        let mut body = br#"{"Insert":"a"#.to_vec();
        body.push(ctrl);
        body.extend_from_slice(br#"b"}"#);
        cases.push(bad(
            format!("raw control byte {ctrl:#04x} in a string"),
            body,
        ));
    }
}

fn numbers_and_syntax(cases: &mut Vec<Case>) {
    for n in [
        "1e400",
        "-1e400",
        "1e200",
        "-1e200",
        "1e-200",
        "123456789e999",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "01",
        "+1",
        ".5",
        "1.",
        "1e",
        "--1",
        "1e-999",
        "1E+126",
        "123456789012345678901234567890123456789",
        "0.0000000001234567890123456789012345678901234567891",
    ] {
        cases.push(bad(
            format!("number {n} in data"),
            format!(r#"{{"Insert":"DynamoDB","data":{{"n":{n}}}}}"#),
        ));
    }
    for body in [
        r#"{"Insert":"DynamoDB",}"#,
        r#"{'Insert':'DynamoDB'}"#,
        r#"{"Insert":"DynamoDB"/*c*/}"#,
        r#"{"Insert":"DynamoDB"}}"#,
        r#"{"Insert":"DynamoDB"} {}"#,
        r#"{"Insert" "DynamoDB"}"#,
        r#"{"Insert":"DynamoDB","data":{"a":1,}}"#,
        r#"{Insert:"DynamoDB"}"#,
        "{\"Insert\":\"DynamoDB\"\n",
        "   ",
        "",
        "undefined",
    ] {
        cases.push(bad(format!("syntax {body:?}"), body));
    }
}

/// Bodies parsers read two ways: a key twice, anywhere.
fn duplicate_keys(cases: &mut Vec<Case>) {
    for body in [
        r#"{"Insert":"DynamoDB","Insert":"x"}"#,
        r#"{"Insert":"x","Insert":"DynamoDB"}"#,
        r#"{"Insert":"DynamoDB","data":{"a":1,"a":1}}"#,
        r#"{"Insert":"DynamoDB","data":{"a":[{"b":{"c":1,"c":2}}]}}"#,
        r#"{"Insert":"DynamoDB","data":{},"data":{}}"#,
        r#"{"Insert":"DynamoDB","data":{"a":1,"a":2}}"#,
        r#"{"Insert":"DynamoDB","data":{"n":{"$serde_json::private::Number":"1"}}}"#,
    ] {
        cases.push(bad(format!("ambiguous {body}"), body));
    }
}

fn deep_nesting(cases: &mut Vec<Case>) {
    for depth in [33usize, 34, 50, 100, 128, 129, 1_000, 40_000] {
        let objects = format!(
            r#"{{"Insert":"x","data":{}{}}}"#,
            r#"{"a":"#.repeat(depth - 2) + "{}",
            "}".repeat(depth - 2)
        );
        cases.push(bad(format!("objects nested {depth} deep"), objects));
        let arrays = format!(
            r#"{{"Insert":"x","data":{{"a":{}{}}}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        cases.push(bad(format!("arrays nested {depth} deep"), arrays));
        cases.push(bad(
            format!("unclosed arrays {depth} deep"),
            "[".repeat(depth),
        ));
    }
}

fn oversize(cases: &mut Vec<Case>) {
    for size in [MAX_BODY + 1, MAX_BODY + 4096, MIB, MIB + 1] {
        let pad = size - r#"{"Insert":"DynamoDB","data":{"s":""}}"#.len();
        let body = format!(
            r#"{{"Insert":"DynamoDB","data":{{"s":"{}"}}}}"#,
            "a".repeat(pad)
        );
        assert_eq!(body.len(), size);
        cases.push(Case {
            status: 413,
            ..bad(format!("{size}-byte body"), body)
        });
    }
    // Oversize and not JSON: the size is what is refused.
    cases.push(Case {
        status: 413,
        ..bad("oversize garbage", vec![b'x'; MAX_BODY + 1])
    });
}

fn wrong_headers(cases: &mut Vec<Case>) {
    let valid = r#"{"Insert":"DynamoDB"}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/xml"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some("json"),
        Some("text/json"),
        Some("application/javascript"),
        Some(""),
    ] {
        cases.push(Case {
            name: format!("content type {content_type:?}"),
            body: valid.into(),
            content_type,
            status: 415,
        });
    }
}

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for generate in [
        truncations,
        wrong_types,
        unicode_edges,
        numbers_and_syntax,
        duplicate_keys,
        deep_nesting,
        oversize,
        wrong_headers,
    ] {
        generate(&mut cases);
    }
    cases
}

/// A field-level error: `<JSON pointer>: <reason>`.
fn is_field_error(e: &Value) -> bool {
    e.as_str().is_some_and(|s| {
        s.starts_with('/')
            && s.split_once(": ")
                .is_some_and(|(_, why)| !why.trim().is_empty())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_request_gets_a_4xx_naming_the_field_and_the_stack_stays_up() {
    let cases = corpus();
    assert!(
        cases.len() >= 200,
        "the corpus has only {} cases",
        cases.len()
    );
    let (stack, _data) = LocalStack::start_fresh(&[]);
    let api = stack.api();

    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let answer = api.try_send(case.body.clone(), case.content_type).await;
        let (status, json) = match answer {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: no answer: {e}", case.name));
                continue;
            }
        };
        let errors = json["errors"].as_array().cloned().unwrap_or_default();
        if status != case.status
            || json["message"].as_str().is_none_or(str::is_empty)
            || errors.is_empty()
            || !errors.iter().all(is_field_error)
        {
            failures.push(format!(
                "{}: expected {} with field errors, got {status} {json}",
                case.name, case.status
            ));
        }
        // The stack stays up throughout, not only at the end.
        if i % 50 == 0 {
            assert_eq!(api.get("/healthz").await.0, 200, "down after {}", case.name);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} malformed requests were not refused properly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // AND nothing malformed reached the queue, and the stack still does its job
    let (_, health) = api.get("/healthz").await;
    assert_eq!(health["records"], json!(0), "{health}");
    assert_eq!(health["queue"]["visible"], json!(0), "{health}");
    let id = api.send_ok(r#"{"Insert":"DynamoDB"}"#).await;
    let record = api.wait_for_record(&id, Duration::from_secs(20)).await;
    assert_eq!(record["id"], json!(id));
}

/// Issue 11: a 262 KB body of 33,000 unknown keys got a 1.8 MB 400. Now the first 20
/// problems are listed, then how many more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_thousands_of_unknown_keys_gets_a_short_400() {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let key = |i: usize| -> String {
        let n = LETTERS.len();
        [i % n, i / n % n, i / n / n % n]
            .iter()
            .map(|&d| char::from(LETTERS[d]))
            .collect()
    };
    let fields: Vec<String> = (0..29_000).map(|i| format!(r#""{}":1"#, key(i))).collect();
    let body = format!(r#"{{"Insert":"x",{}}}"#, fields.join(","));
    assert!(body.len() <= MAX_BODY);
    let (stack, _data) = LocalStack::start_fresh(&[]);
    let response = reqwest::Client::new()
        .post(stack.api().url("/send-message"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let text = response.text().await.unwrap();
    eprintln!("29,000 unknown keys: a {} byte 400", text.len());
    assert!(text.len() < 4_096, "a {} byte answer", text.len());
    let answer: Value = serde_json::from_str(&text).unwrap();
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 21);
    assert_eq!(errors[20], "/: … and 28980 more");
}
