//! Stack settings: every key's checks, the typed result and its defaults, and the
//! shared vectors of fixtures/stack-configs.json.

use super::*;
use serde_json::json;

/// A settings object AWS would accept.
pub(crate) fn good() -> Value {
    json!({
        "vpcId": "vpc-0123456789abcdef0",
        "routeTableIds": ["rtb-0123456789abcdef0"],
        "subnetIds": ["subnet-0123456789abcdef0", "subnet-89abcdef"],
        "customDomainName": "api.private.example.internal",
        "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        "privateHostedZoneId": "Z0123456789ABCDEFGHIJ",
        "queueName": "MyCustomQueue",
        "tableName": "MyCustomTable",
        "topicName": "MyCustomTopic",
        "subscriptionEmail": "ops@example.com",
        "maxReceiveCount": 5,
        "batchSize": "10",
        "lambdaMemoryMb": 256,
        "logRetentionDays": 30
    })
}

fn errors_with(key: &str, value: Value) -> Vec<String> {
    let mut c = good();
    c[key] = value;
    validate_stack_config(&c)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_good_config_has_no_errors() {
    assert_eq!(validate_stack_config(&good()), vec![]);
}

#[test]
fn optional_settings_may_be_left_out() {
    let mut c = good();
    let m = c.as_object_mut().unwrap();
    for k in [
        "queueName",
        "tableName",
        "topicName",
        "maxReceiveCount",
        "batchSize",
    ] {
        m.remove(k);
    }
    m.insert("lambdaMemoryMb".into(), Value::Null);
    assert_eq!(validate_stack_config(&c), vec![]);
}

#[test]
fn every_error_starts_with_its_key_and_says_why() {
    let cases: &[(&str, Value, &str)] = &[
        (
            "subscriptionEmail",
            json!("x"),
            "subscriptionEmail: \"x\" is not an email address",
        ),
        (
            "subscriptionEmail",
            json!("a b@example.com"),
            "is not an email address",
        ),
        (
            "vpcId",
            json!("vpc-123"),
            "vpcId: \"vpc-123\" is not a vpc id",
        ),
        ("vpcId", json!(12), "vpcId: expected a string, found number"),
        (
            "subnetIds",
            json!([]),
            "subnetIds: needs at least one subnet id",
        ),
        (
            "subnetIds",
            json!(""),
            "subnetIds: needs at least one subnet id",
        ),
        (
            "subnetIds",
            json!(["subnet-0123456789abcdef0", "sg-12345678"]),
            "[\"sg-12345678\"] is not subnet ids",
        ),
        (
            "subnetIds",
            json!(["subnet-89abcdef", "subnet-89abcdef"]),
            "is listed more than once",
        ),
        (
            "routeTableIds",
            json!("rtb-zzzzzzzz"),
            "routeTableIds: [\"rtb-zzzzzzzz\"] is not route table ids",
        ),
        (
            "customDomainName",
            json!("*.example.com"),
            "wildcards are not allowed",
        ),
        (
            "customDomainName",
            json!("localhost"),
            "needs at least two labels",
        ),
        (
            "customDomainName",
            json!("bad_name.example.com"),
            "only letters, digits and hyphens",
        ),
        (
            "customDomainName",
            json!("-a.example.com"),
            "may not start or end with a hyphen",
        ),
        (
            "customDomainName",
            json!(format!("{}.com", "a".repeat(64))),
            "1 to 63 characters",
        ),
        (
            "certificateArn",
            json!("arn:aws:iam::123456789012:role/x"),
            "is not an ACM certificate ARN",
        ),
        (
            "privateHostedZoneId",
            json!("/hostedzone/Z123"),
            "leave out the /hostedzone/ prefix",
        ),
        ("queueName", json!("q.fifo"), "FIFO queue name"),
        ("queueName", json!("a".repeat(77)), "1 to 76 letters"),
        (
            "queueName",
            json!("has space"),
            "is not a valid SQS queue name",
        ),
        (
            "tableName",
            json!("ab"),
            "is not a valid DynamoDB table name",
        ),
        ("topicName", json!("t/x"), "is not a valid SNS topic name"),
        (
            "maxReceiveCount",
            json!(0),
            "maxReceiveCount: 0 is out of range (1 to 1000)",
        ),
        (
            "batchSize",
            json!(11),
            "batchSize: 11 is out of range (1 to 10)",
        ),
        (
            "batchSize",
            json!(2.5),
            "batchSize: 2.5 is not a whole number",
        ),
        (
            "lambdaMemoryMb",
            json!("lots"),
            "lambdaMemoryMb: \"lots\" is not a whole number",
        ),
        (
            "logRetentionDays",
            json!(2),
            "logRetentionDays: 2 is not a retention CloudWatch Logs accepts",
        ),
        (
            "maxConcurrency",
            json!(1),
            "maxConcurrency: 1 is out of range (2 to 1000)",
        ),
        (
            "throttlingRateLimit",
            json!("20000"),
            "throttlingRateLimit: 20000 is out of range (1 to 10000)",
        ),
        (
            "throttlingBurstLimit",
            json!(0),
            "throttlingBurstLimit: 0 is out of range (1 to 5000)",
        ),
        (
            "executionLoggingLevel",
            json!("error"),
            "executionLoggingLevel: \"error\" is not one of OFF, ERROR, INFO",
        ),
        (
            "apiAuthorization",
            json!("IAM"),
            "apiAuthorization: \"IAM\" is not one of NONE, AWS_IAM",
        ),
        (
            "executeApiPrivateDns",
            json!("yes"),
            "executeApiPrivateDns: \"yes\" is not true or false",
        ),
        (
            "manageApiGatewayAccount",
            json!(1),
            "manageApiGatewayAccount: expected true or false, found number",
        ),
        (
            "notificationIncludesData",
            json!("TRUE"),
            "notificationIncludesData: \"TRUE\" is not true or false",
        ),
        (
            "tracing",
            json!("on"),
            "tracing: \"on\" is not true or false",
        ),
        (
            "metricsNamespace",
            json!("AWS/Lambda"),
            "metricsNamespace: \"AWS/Lambda\" starts with AWS/",
        ),
        (
            "metricsNamespace",
            json!("Private Ingest!"),
            "metricsNamespace: \"Private Ingest!\" is not a CloudWatch namespace",
        ),
        (
            "metricsNamespace",
            json!("   "),
            "is not a CloudWatch namespace",
        ),
        (
            "oldestMessageAlarmSeconds",
            json!(59),
            "oldestMessageAlarmSeconds: 59 is out of range (60 to 1209600)",
        ),
    ];
    for (key, value, expected) in cases {
        let errors = errors_with(key, value.clone());
        assert_eq!(errors.len(), 1, "{key}={value}: {errors:?}");
        assert!(errors[0].starts_with(&format!("{key}: ")), "{errors:?}");
        assert!(
            errors[0].contains(expected),
            "{key}={value}: {errors:?} lacks {expected:?}"
        );
    }
}

#[test]
fn missing_required_and_unknown_settings_are_named() {
    let errors: Vec<String> = validate_stack_config(&json!({"vpcid": "vpc-12345678"}))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(errors.contains(&"vpcId: is required".to_owned()));
    assert!(errors.contains(&"subscriptionEmail: is required".to_owned()));
    assert!(errors
        .iter()
        .any(|e| e.starts_with("vpcid: unknown setting")));
}

#[test]
fn not_an_object() {
    assert_eq!(
        validate_stack_config(&json!([1]))[0].to_string(),
        "(config): expected an object of settings, found array"
    );
}

#[test]
fn comma_separated_ids_are_accepted() {
    assert!(errors_with(
        "subnetIds",
        json!("subnet-89abcdef, subnet-0123456789abcdef0")
    )
    .is_empty());
}

#[test]
fn the_typed_settings_carry_every_default() {
    let mut c = good();
    let m = c.as_object_mut().unwrap();
    for k in [
        "queueName",
        "tableName",
        "topicName",
        "batchSize",
        "lambdaMemoryMb",
    ] {
        m.remove(k);
    }
    let s = stack_settings(&c, "dev").unwrap();
    assert_eq!(s.queue_name, "private-ingest-dev");
    assert_eq!(s.dead_letter_queue_name, "private-ingest-dev-dlq");
    assert_eq!(s.table_name, "private-ingest-dev");
    assert_eq!(s.idempotency_table_name, "private-ingest-dev-idempotency");
    assert_eq!(s.topic_name, "private-ingest-dev");
    assert_eq!((s.batch_size, s.lambda_memory_mb), (10, 256));
    assert_eq!((s.max_receive_count, s.log_retention_days), (5, 30));
    assert_eq!(s.max_concurrency, 5);
    assert_eq!(
        (s.throttling_rate_limit, s.throttling_burst_limit),
        (100, 200)
    );
    assert_eq!(s.execution_logging_level, ExecutionLoggingLevel::Error);
    assert_eq!(s.api_authorization, ApiAuthorization::None);
    assert!(!s.execute_api_private_dns);
    assert!(!s.manage_api_gateway_account);
    assert!(!s.notification_includes_data);
    assert!(s.tracing, "X-Ray is on unless turned off");
    assert_eq!(s.metrics_namespace, "PrivateIngest");
    assert_eq!(s.oldest_message_alarm_seconds, 300, "five minutes");
}

#[test]
fn two_stacks_get_different_default_names() {
    let mut c = good();
    for k in ["queueName", "tableName", "topicName"] {
        c.as_object_mut().unwrap().remove(k);
    }
    let dev = stack_settings(&c, "dev").unwrap();
    let prod = stack_settings(&c, "prod").unwrap();
    assert_ne!(dev.queue_name, prod.queue_name);
    assert_ne!(dev.table_name, prod.table_name);
    assert_ne!(dev.topic_name, prod.topic_name);
}

#[test]
fn a_default_the_stack_name_makes_invalid_names_the_key_to_set() {
    let mut c = good();
    for k in ["queueName", "topicName"] {
        c.as_object_mut().unwrap().remove(k);
    }
    let errors: Vec<String> = stack_settings(&c, "team.dev")
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with(
        "queueName: the default \"private-ingest-team.dev\" (from the stack's name) cannot be used: "
    ));
    assert!(errors[0].ends_with("; set queueName"), "{}", errors[0]);
    assert!(
        errors[1].starts_with("topicName: the default"),
        "{}",
        errors[1]
    );
}

#[test]
fn values_are_typed_from_the_forms_pulumi_stores() {
    let mut c = good();
    let m = c.as_object_mut().unwrap();
    m.insert(
        "subnetIds".into(),
        json!(" subnet-89abcdef, subnet-0123456789abcdef0 "),
    );
    m.insert(
        "customDomainName".into(),
        json!("api.private.example.internal."),
    );
    m.insert("batchSize".into(), json!("7"));
    m.insert("executionLoggingLevel".into(), json!("INFO"));
    m.insert("apiAuthorization".into(), json!("AWS_IAM"));
    m.insert("executeApiPrivateDns".into(), json!("true"));
    m.insert("manageApiGatewayAccount".into(), json!(true));
    m.insert("notificationIncludesData".into(), json!("false"));
    let s = stack_settings(&c, "dev").unwrap();
    assert_eq!(
        s.subnet_ids,
        ["subnet-89abcdef", "subnet-0123456789abcdef0"]
    );
    assert_eq!(s.custom_domain_name, "api.private.example.internal");
    assert_eq!(s.batch_size, 7);
    assert_eq!(s.execution_logging_level, ExecutionLoggingLevel::Info);
    assert_eq!(s.api_authorization, ApiAuthorization::AwsIam);
    assert!(s.execute_api_private_dns && s.manage_api_gateway_account);
    assert!(!s.notification_includes_data);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["executionLoggingLevel"], "INFO");
    assert_eq!(json["apiAuthorization"], "AWS_IAM");
    assert_eq!(json["deadLetterQueueName"], "MyCustomQueue-dlq");
}

#[test]
fn every_key_of_the_table_is_read_and_serialised() {
    let json = serde_json::to_value(stack_settings(&good(), "dev").unwrap()).unwrap();
    let fields: Vec<&String> = json.as_object().unwrap().keys().collect();
    for key in SETTING_KEYS {
        assert!(
            fields.iter().any(|f| f == key),
            "{key} is not a typed setting"
        );
    }
    // Every key but the derived dead-letter queue and dedupe table names is a setting.
    assert_eq!(fields.len(), SETTING_KEYS.len() + 2, "{fields:?}");
}

/// The shared vectors: each deployable config's typed settings (for stack `dev`) are
/// recorded by hand in `settings`, each refused one's errors in `wording`.
#[test]
fn the_shared_vectors_give_their_recorded_settings() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("../../../fixtures/stack-configs.json")).unwrap();
    let mut typed = 0;
    for case in &cases {
        match stack_settings(&case["config"], "dev") {
            Ok(s) => {
                assert_eq!(case["wording"], json!([]), "{}", case["name"]);
                assert_eq!(
                    serde_json::to_value(&s).unwrap(),
                    case["settings"],
                    "{}",
                    case["name"]
                );
                typed += 1;
            }
            Err(_) => assert!(case.get("settings").is_none(), "{}", case["name"]),
        }
    }
    assert!(typed >= 4, "only {typed} vectors record typed settings");
}
