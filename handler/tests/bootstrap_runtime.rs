//! The built `bootstrap` binary end to end: a Lambda Runtime API written here (the HTTP
//! API Lambda serves a custom runtime) hands it SQS events; it reaches moto only through
//! `AWS_ENDPOINT_URL` and the other variables Lambda would set; the test reads back its
//! responses, its logs, the stored items and the published notifications.
//!
//! It lives in `handler/` (not `tests/`) so that cargo builds the binary first and hands
//! its path over as `CARGO_BIN_EXE_bootstrap`. `BOOTSTRAP_BIN` runs the same tests on
//! another build of it, and `BOOTSTRAP_RUNNER` through a runner: `make test-package`
//! runs the arm64 package's `bootstrap` under qemu as a Graviton2, and with it the
//! ignored tests below, which prove that a package that would crash on Lambda (an
//! instruction the CPU lacks, a library the system lacks) fails here, loudly.

mod bootstrap_runner;
mod elf_needs;

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use private_ingest_handler::environment::{
    IDEMPOTENCY_TABLE_NAME_VAR, TABLE_NAME_VAR, TOPIC_ARN_VAR,
};
use private_ingest_testkit::aws_resources::{
    create_dedupe_table, create_record_table, get_item, scan_items, TopicTap,
};
use private_ingest_testkit::fixtures::{
    MISSING_ID_EVENT, MIXED_EVENT, MIXED_STORE_IDS, STORE_EVENT, STORE_ID,
};
use private_ingest_testkit::moto::MotoServer;
use private_ingest_testkit::runtime_api::{Posted, RuntimeApi};
use private_ingest_testkit::sqs::keyed_record;
use serde_json::{json, Value};

use bootstrap_runner::{describe_exit, Target, GRAVITON2_CPU};

const TABLE: &str = "private-ingest-records";
const TOPIC: &str = "private-ingest-notifications";
const DEDUPE_TABLE: &str = "private-ingest-records-idempotency";
/// A debug build on a loaded machine, or the arm64 package under emulation; the first
/// event also pays for the first TLS-free connection to moto. Far above what a healthy
/// run takes (well under a second natively, a few seconds under qemu).
const WAIT: Duration = Duration::from_secs(30);
/// How often a wait checks whether the binary has died.
const POLL: Duration = Duration::from_millis(100);

/// The running binary; killed and reaped when dropped. Its stdout and stderr go to a file.
struct Bootstrap {
    child: Child,
    log: PathBuf,
    spawned_at: Instant,
}

impl Bootstrap {
    fn spawn(api: &RuntimeApi, env: &[(&str, String)]) -> Self {
        Self::spawn_target(&target(), api, env)
    }

    fn spawn_target(target: &Target, api: &RuntimeApi, env: &[(&str, String)]) -> Self {
        let log = std::env::temp_dir().join(format!(
            "bootstrap-{}-{}.log",
            std::process::id(),
            api.host().replace([':', '.'], "-")
        ));
        let out = File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let spawned_at = Instant::now();
        let child = target
            .command()
            // Only what Lambda would set: nothing from the developer's shell leaks in.
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api.host())
            .env("AWS_LAMBDA_FUNCTION_NAME", "private-ingest-handler")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                "/aws/lambda/private-ingest-handler",
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]test")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", target.describe()));
        Self {
            child,
            log,
            spawned_at,
        }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The next thing the binary posts to the Runtime API. An error, with the binary's
    /// output, as soon as the binary is gone (say, killed by SIGILL) or after `WAIT`.
    async fn next_posted(&mut self, api: &mut RuntimeApi) -> Result<Posted, String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(posted) = api.posted(POLL).await {
                return Ok(posted);
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!(
                    "bootstrap {} before it answered; its output:\n{}",
                    describe_exit(status),
                    self.output()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "bootstrap posted nothing in {WAIT:?}; its output:\n{}",
                    self.output()
                ));
            }
        }
    }

    /// The JSON lines of its output that have `key`.
    fn json_lines_with(&self, key: &str) -> Vec<Value> {
        self.output()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l.get(key).is_some())
            .collect()
    }

    /// The JSON log lines that carry an `outcome` (one per processed message).
    fn outcomes(&self) -> Vec<Value> {
        self.json_lines_with("outcome")
    }

    /// The EMF lines (the batch metrics), one per invocation that returned a response.
    fn metric_lines(&self) -> Vec<Value> {
        self.json_lines_with("_aws")
    }
}

impl Drop for Bootstrap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// moto with the table and the topic, and the environment that points the binary at them.
async fn aws_side() -> (MotoServer, aws_config::SdkConfig, TopicTap) {
    let moto = MotoServer::start();
    let config = moto.sdk_config().await;
    create_record_table(&config, TABLE).await;
    create_dedupe_table(&config, DEDUPE_TABLE).await;
    let tap = TopicTap::create(&config, TOPIC).await;
    (moto, config, tap)
}

fn environment(moto: &MotoServer, table: &str, topic_arn: &str) -> Vec<(&'static str, String)> {
    let mut env = moto.child_env();
    env.push((TABLE_NAME_VAR, table.into()));
    env.push((IDEMPOTENCY_TABLE_NAME_VAR, DEDUPE_TABLE.into()));
    env.push((TOPIC_ARN_VAR, topic_arn.into()));
    env
}

/// The binary under test: `BOOTSTRAP_BIN` behind `BOOTSTRAP_RUNNER`, or cargo's build.
fn target() -> Target {
    Target::from_env(env!("CARGO_BIN_EXE_bootstrap"))
}

async fn response_to(api: &mut RuntimeApi, bootstrap: &mut Bootstrap, request_id: &str) -> Value {
    match bootstrap.next_posted(api).await {
        Ok(Posted::Response {
            request_id: id,
            body,
        }) if id == request_id => body,
        Ok(other) => panic!(
            "expected the response to {request_id}, got {other:?}\nbootstrap output:\n{}",
            bootstrap.output()
        ),
        Err(failure) => panic!("expected the response to {request_id}: {failure}"),
    }
}

#[tokio::test]
async fn bootstrap_processes_sqs_events_against_the_aws_endpoint_it_is_given() {
    // GIVEN moto with the table and topic, and the binary polling our Runtime API
    let (moto, config, tap) = aws_side().await;
    let mut api = RuntimeApi::start().await;
    let mut bootstrap = Bootstrap::spawn(&api, &environment(&moto, TABLE, &tap.topic_arn));

    // WHEN Lambda hands it a mixed batch
    api.invoke("inv-1", MIXED_EVENT);
    let first = response_to(&mut api, &mut bootstrap, "inv-1").await;
    let init = api.first_next_at().unwrap() - bootstrap.spawned_at;
    eprintln!("bootstrap init (spawn to first GET /next): {init:?}");

    // THEN every message is handled and none is reported as failed
    assert_eq!(first, json!({"batchItemFailures": []}));
    assert_eq!(scan_items(&config, TABLE).await.len(), 2);
    assert_eq!(tap.take_all().await.len(), 3);

    // WHEN the same store message comes twice (a redelivery)
    api.invoke("inv-2", STORE_EVENT);
    let second = response_to(&mut api, &mut bootstrap, "inv-2").await;
    api.invoke("inv-3", STORE_EVENT);
    let third = response_to(&mut api, &mut bootstrap, "inv-3").await;

    // THEN it is stored once and both invocations succeed
    assert_eq!(second, json!({"batchItemFailures": []}));
    assert_eq!(third, json!({"batchItemFailures": []}));
    assert_eq!(scan_items(&config, TABLE).await.len(), 3);

    // WHEN a record has no message id, THEN the invocation fails as a whole
    api.invoke("inv-4", MISSING_ID_EVENT);
    match bootstrap.next_posted(&mut api).await {
        Ok(Posted::Error { request_id, body }) => {
            assert_eq!(request_id, "inv-4");
            let message = body["errorMessage"].as_str().unwrap_or_default();
            assert!(
                message.contains("record 1 of the batch has no messageId"),
                "{body}"
            );
        }
        other => panic!("expected an invocation error, got {other:?}"),
    }
    assert_eq!(scan_items(&config, TABLE).await.len(), 3);

    // AND the log has one JSON line per processed message: id, route (none for a rejected
    // body), outcome, duration
    let outcomes = bootstrap.outcomes();
    assert_eq!(outcomes.len(), 5 + 2, "{}", bootstrap.output());
    assert!(outcomes.iter().all(|l| l["duration_ms"].is_u64()
        && l["message_id"].is_string()
        && (l["route"].is_string() || l["outcome"] == "rejected")));
    assert_eq!(
        outcomes
            .iter()
            .filter(|l| l["outcome"] == "rejected")
            .count(),
        2,
        "the two invalid bodies of the mixed batch"
    );
    let for_store_id: Vec<_> = outcomes
        .iter()
        .filter(|l| l["message_id"] == STORE_ID)
        .map(|l| (l["route"].as_str().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        for_store_id,
        [("store", "stored"), ("store", "already_stored")]
    );

    // AND one EMF line per invocation that returned (none for the failed one), in the
    // default namespace with the function's name as the dimension
    let metrics = bootstrap.metric_lines();
    assert_eq!(metrics.len(), 3, "{}", bootstrap.output());
    let directive = &metrics[0]["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], "PrivateIngest");
    assert_eq!(directive["Dimensions"], json!([["FunctionName"]]));
    let counts = |line: &Value| {
        [
            "Stored",
            "AlreadyStored",
            "Notified",
            "Rejected",
            "ItemFailures",
            "BatchSize",
        ]
        .map(|name| {
            line[name]
                .as_u64()
                .unwrap_or_else(|| panic!("{name} in {line}"))
        })
    };
    assert_eq!(metrics[0]["FunctionName"], "private-ingest-handler");
    assert_eq!(counts(&metrics[0]), [2, 0, 1, 2, 0, 5]);
    assert_eq!(metrics[0]["MessageAgeMs"].as_array().unwrap().len(), 5);
    assert_eq!(counts(&metrics[1]), [1, 0, 0, 0, 0, 1]);
    assert_eq!(counts(&metrics[2]), [0, 1, 0, 0, 0, 1]);
}

/// The built binary under the Lambda runtime, with serde_json's `arbitrary_precision` on
/// for every crate of its build (lambda_runtime and aws_lambda_events read the event with
/// it): numbers reach DynamoDB as sent, and a client's retry under one key is done once.
#[tokio::test]
async fn bootstrap_keeps_numbers_as_sent_and_does_each_key_once() {
    let (moto, config, tap) = aws_side().await;
    let mut api = RuntimeApi::start().await;
    let mut bootstrap = Bootstrap::spawn(&api, &environment(&moto, TABLE, &tap.topic_arn));
    let store = r#"{"Insert":"DynamoDB","data":{"big":12345678901234567890123456789012345678,"fine":123456789.123456789123}}"#;
    let notify = r#"{"Insert":"Dynamoooo"}"#;
    let event = |records: Vec<Value>| json!({ "Records": records }).to_string();

    // WHEN a keyed store message and a keyed notify message come, then both retries
    api.invoke(
        "inv-1",
        &event(vec![
            keyed_record("m-1", store, "order-1"),
            keyed_record("m-2", notify, "order-2"),
        ]),
    );
    let first = response_to(&mut api, &mut bootstrap, "inv-1").await;
    api.invoke(
        "inv-2",
        &event(vec![
            keyed_record("m-3", store, "order-1"),
            keyed_record("m-4", notify, "order-2"),
        ]),
    );
    let second = response_to(&mut api, &mut bootstrap, "inv-2").await;

    // THEN all four are done, one record and one notification exist
    assert_eq!(first, json!({"batchItemFailures": []}));
    assert_eq!(second, json!({"batchItemFailures": []}));
    let items = scan_items(&config, TABLE).await;
    assert_eq!(items.len(), 1);
    let item = get_item(&config, TABLE, "order-1").await.unwrap();
    assert_eq!(item["message_id"], AttributeValue::S("m-1".into()));
    let AttributeValue::M(data) = &item["data"] else {
        panic!("data is a map")
    };
    assert_eq!(
        data["big"],
        AttributeValue::N("12345678901234567890123456789012345678".into())
    );
    assert_eq!(
        data["fine"],
        AttributeValue::N("123456789.123456789123".into())
    );
    assert_eq!(tap.take_all().await.len(), 1);
    let mut outcomes: Vec<_> = bootstrap
        .outcomes()
        .iter()
        .map(|l| l["outcome"].as_str().unwrap().to_owned())
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        ["already_notified", "already_stored", "notified", "stored"]
    );
}

#[tokio::test]
async fn bootstrap_reports_store_failures_as_batch_item_failures() {
    // GIVEN the binary pointed at a table that does not exist, Lambda's log level at
    // ERROR (its advanced logging controls), and its own metrics namespace
    let (moto, config, tap) = aws_side().await;
    let mut api = RuntimeApi::start().await;
    let mut env = environment(&moto, "no-such-table", &tap.topic_arn);
    env.push(("AWS_LAMBDA_LOG_LEVEL", "ERROR".into()));
    env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".into()));
    env.push(("METRICS_NAMESPACE", "Team/Ingest".into()));
    let mut bootstrap = Bootstrap::spawn(&api, &env);

    api.invoke("inv-1", MIXED_EVENT);
    let response = response_to(&mut api, &mut bootstrap, "inv-1").await;

    // THEN exactly the store-route messages come back for redelivery; the rest are done
    assert_eq!(
        response,
        json!({"batchItemFailures": [
            {"itemIdentifier": MIXED_STORE_IDS[0]},
            {"itemIdentifier": MIXED_STORE_IDS[1]}
        ]})
    );
    assert_eq!(scan_items(&config, TABLE).await, []);
    assert_eq!(tap.take_all().await.len(), 3);
    // AND at ERROR only the failures are logged, while the metrics still count everything
    let logged = bootstrap.outcomes();
    assert!(
        logged.iter().all(|l| l["outcome"] == "failed"),
        "{}",
        bootstrap.output()
    );
    assert_eq!(logged.len(), 2);
    assert!(logged[0]["error"]
        .as_str()
        .unwrap()
        .contains("ResourceNotFoundException"));
    let metrics = bootstrap.metric_lines();
    assert_eq!(metrics.len(), 1);
    assert_eq!(
        metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "Team/Ingest"
    );
    assert_eq!(
        (
            &metrics[0]["ItemFailures"],
            &metrics[0]["Notified"],
            &metrics[0]["Rejected"]
        ),
        (&json!(2), &json!(1), &json!(2))
    );
}

#[tokio::test]
async fn bootstrap_fails_at_init_naming_the_missing_environment() {
    let api = RuntimeApi::start().await;
    let mut bootstrap = Bootstrap::spawn(&api, &[]);

    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = bootstrap.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "bootstrap did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    assert!(!status.success());
    let output = bootstrap.output();
    assert!(
        output.contains(TABLE_NAME_VAR) && output.contains(TOPIC_ARN_VAR),
        "{output}"
    );
    assert!(api.first_next_at().is_none(), "it must not poll for events");
}

#[tokio::test]
async fn bootstrap_routes_by_the_rules_in_its_environment_storing_and_alerting_from_one_message() {
    // GIVEN the binary with the IoT rules in ROUTING_RULES (compact, as Pulumi sets it)
    let (moto, config, tap) = aws_side().await;
    let mut api = RuntimeApi::start().await;
    let iot: Value =
        serde_json::from_str(include_str!("../../fixtures/rules/iot-thresholds.json")).unwrap();
    let mut env = environment(&moto, TABLE, &tap.topic_arn);
    env.push(("ROUTING_RULES", iot.to_string()));
    let mut bootstrap = Bootstrap::spawn(&api, &env);

    // WHEN a reading over the threshold and one at it arrive in one batch
    let event = json!({"Records": [
        private_ingest_testkit::sqs::record(
            "m-hot", r#"{"Insert":"iot","data":{"sensor":"s-1","temperature":80.5}}"#),
        private_ingest_testkit::sqs::record(
            "m-mild", r#"{"Insert":"iot","data":{"sensor":"s-1","temperature":80}}"#),
    ]});
    api.invoke("inv-1", &event.to_string());
    let response = response_to(&mut api, &mut bootstrap, "inv-1").await;

    // THEN both are records in DynamoDB, and one alert went to SNS naming the rule
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert_eq!(scan_items(&config, TABLE).await.len(), 2);
    let hot = get_item(&config, TABLE, "m-hot")
        .await
        .expect("the hot reading's record");
    assert_eq!(
        hot["data"].as_m().unwrap()["temperature"],
        AttributeValue::N("80.5".into())
    );
    let delivered = tap.take_all().await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    // Notifications carry ids only by default: the subject's values are withheld.
    assert_eq!(
        delivered[0].subject.as_deref(),
        Some("Temperature (withheld) at (withheld)")
    );
    assert!(delivered[0]
        .message
        .contains("Rule \"overheat\" fired (severity high)."));
    assert_eq!(delivered[0].attributes["severity"], "high");
    assert_eq!(delivered[0].attributes["rules"], r#"["overheat"]"#);
    // AND the log names the route, the rule and both outcomes; the metrics count both
    let hot_line = bootstrap
        .outcomes()
        .into_iter()
        .find(|l| l["message_id"] == "m-hot")
        .unwrap();
    assert_eq!(
        (
            &hot_line["route"],
            &hot_line["rules"],
            &hot_line["outcome"],
            &hot_line["notification_outcome"]
        ),
        (
            &json!("store+notify"),
            &json!("overheat"),
            &json!("stored"),
            &json!("notified")
        )
    );
    let metrics = bootstrap.metric_lines();
    assert_eq!(
        (&metrics[0]["Stored"], &metrics[0]["Notified"]),
        (&json!(2), &json!(1))
    );
}

/// The Pulumi program gives the function `AWS_ENDPOINT_URL_SNS` (the SNS interface
/// endpoint has no private DNS, so the SDK must be told its name), and a deployment may
/// name DynamoDB's too. With the SDK's default features off, the per-service variables
/// must still win over `AWS_ENDPOINT_URL`: here the general one points at a closed port.
#[tokio::test]
async fn bootstrap_uses_each_services_own_endpoint_variable() {
    // GIVEN AWS_ENDPOINT_URL at nothing, and DynamoDB's and SNS's own variables at moto
    let (moto, config, tap) = aws_side().await;
    let mut api = RuntimeApi::start().await;
    let mut env: Vec<_> = environment(&moto, TABLE, &tap.topic_arn)
        .into_iter()
        .filter(|(name, _)| *name != "AWS_ENDPOINT_URL")
        .collect();
    env.push(("AWS_ENDPOINT_URL", format!("http://{}", closed_address())));
    env.push(("AWS_ENDPOINT_URL_DYNAMODB", moto.endpoint()));
    env.push(("AWS_ENDPOINT_URL_SNS", moto.endpoint()));
    let mut bootstrap = Bootstrap::spawn(&api, &env);

    // WHEN Lambda hands it the mixed batch
    api.invoke("inv-1", MIXED_EVENT);
    let response = response_to(&mut api, &mut bootstrap, "inv-1").await;

    // THEN the records and the notifications reached moto through those variables
    assert_eq!(
        response,
        json!({"batchItemFailures": []}),
        "{}",
        bootstrap.output()
    );
    assert_eq!(scan_items(&config, TABLE).await.len(), 2);
    assert_eq!(tap.take_all().await.len(), 3);
}

/// An address on which nothing listens: a port the system handed out, then closed.
fn closed_address() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

// The package tier (`make test-package`): the tests above ran the arm64 package under
// qemu as a Graviton2. These prove what it runs on, and that the harness would have
// failed loudly had the package been unable to run there.

/// What Lambda's `provided.al2023` runtime has for a binary to link against: glibc's
/// libraries and libgcc's unwinder.
const AL2023_LIBRARIES: [&str; 8] = [
    "ld-linux-aarch64.so.1",
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "libgcc_s.so.1",
];
/// `provided.al2023`'s glibc (Amazon Linux 2023 ships glibc 2.34).
const AL2023_GLIBC: (u32, u32) = (2, 34);
/// An Armv8.0 core: no LSE atomics, which a build for Neoverse N1 inlines.
const OLDER_THAN_GRAVITON2: &str = "cortex-a72";

/// The package under its emulator, as `make test-package` sets it.
fn package_target() -> Target {
    let target = target();
    assert!(
        std::env::var_os("BOOTSTRAP_BIN").is_some()
            && target.runner.iter().any(|arg| arg == GRAVITON2_CPU),
        "the package tests run the arm64 package under qemu as a {GRAVITON2_CPU}: \
         run them with `make test-package`"
    );
    target
}

#[test]
#[ignore = "needs the arm64 package: `make test-package` runs it"]
fn package_asks_only_for_what_lambda_al2023_provides() {
    let target = package_target();
    let needs = elf_needs::read(&target.binary);

    assert_eq!(needs.machine, "AArch64", "{needs:?}");
    let missing: Vec<_> = needs
        .needed
        .iter()
        .filter(|lib| !AL2023_LIBRARIES.contains(&lib.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "libraries provided.al2023 does not have: {missing:?}"
    );
    let glibc = needs
        .newest_glibc
        .expect("a glibc binary names GLIBC_ versions");
    assert!(
        glibc <= AL2023_GLIBC,
        "needs GLIBC_{}.{}; provided.al2023 has {}.{}",
        glibc.0,
        glibc.1,
        AL2023_GLIBC.0,
        AL2023_GLIBC.1
    );
}

#[tokio::test]
#[ignore = "needs the arm64 package: `make test-package` runs it"]
async fn package_on_a_cpu_older_than_graviton2_dies_by_sigill_and_the_harness_says_so() {
    // GIVEN the same package, harness and batch, on a CPU without Graviton2's instructions
    let (moto, _config, tap) = aws_side().await;
    let older = package_target().with_runner_option("-cpu", OLDER_THAN_GRAVITON2);
    let mut api = RuntimeApi::start().await;
    let mut bootstrap =
        Bootstrap::spawn_target(&older, &api, &environment(&moto, TABLE, &tap.topic_arn));

    // WHEN Lambda hands it the batch
    api.invoke("inv-1", MIXED_EVENT);
    let failure = bootstrap.next_posted(&mut api).await;

    // THEN the wait ends at once with the signal by name, not with a timeout or an answer
    let failure = failure.expect_err("a build for Neoverse N1 ran on a Cortex-A72");
    assert!(failure.contains("killed by signal 4 (SIGILL"), "{failure}");
    assert!(api.first_next_at().is_none(), "it must die before polling");
}

#[tokio::test]
#[ignore = "needs the arm64 package: `make test-package` runs it"]
async fn package_without_its_system_libraries_fails_to_start_and_the_harness_says_so() {
    // GIVEN the same package and harness, with a system root that has no arm64 glibc
    let empty_root = tempfile_dir("no-arm64-libraries");
    let broken = package_target().with_runner_option("-L", &empty_root.display().to_string());
    let mut api = RuntimeApi::start().await;
    let mut bootstrap = Bootstrap::spawn_target(&broken, &api, &[]);

    // WHEN it is started, THEN the wait ends with the exit and the loader's complaint
    let failure = bootstrap
        .next_posted(&mut api)
        .await
        .expect_err("it ran without its dynamic loader");
    assert!(failure.contains("exited with code"), "{failure}");
    assert!(failure.contains("ld-linux-aarch64.so.1"), "{failure}");
    std::fs::remove_dir_all(&empty_root).unwrap();
}

/// An empty folder of this test's own under the temp dir.
fn tempfile_dir(purpose: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{purpose}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
