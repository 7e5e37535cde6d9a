//! Stack settings: the Pulumi stack's settings, parsed once, here. [`stack_settings`]
//! returns the typed settings with every default filled in, or every problem at once,
//! each `<key>: <reason>` and checked the way AWS would refuse the value, before any
//! resource is declared. The Pulumi program receives the typed result through the Wasm
//! module and parses nothing itself.

mod checks;

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::contract::metrics::DEFAULT_METRICS_NAMESPACE;
use crate::contract::{DLQ_SUFFIX, IDEMPOTENCY_TABLE_SUFFIX};
use crate::message::json_kind;
pub use checks::LOG_RETENTION_DAYS;
use checks::{
    boolean, certificate_arn, domain_name, email, hosted_zone_id, id_list, id_of, int_in,
    metrics_namespace, one_of, queue_name, retention, string, table_name, topic_name,
};

/// One bad setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

/// What API Gateway writes to the stage's execution log (`MethodSettings.LoggingLevel`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExecutionLoggingLevel {
    Off,
    /// Errors only: enough to see why a request failed, no request details.
    #[default]
    Error,
    Info,
}

/// How callers of the API's routes authenticate (`Method.AuthorizationType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiAuthorization {
    /// Any caller inside the VPC, through the VPC endpoint (the original pattern).
    #[default]
    None,
    /// SigV4-signed requests of this account's principals.
    AwsIam,
}

/// The typed, defaulted settings of one stack: what the Pulumi program is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackSettings {
    pub vpc_id: String,
    pub route_table_ids: Vec<String>,
    pub subnet_ids: Vec<String>,
    /// Without a final dot.
    pub custom_domain_name: String,
    pub certificate_arn: String,
    pub private_hosted_zone_id: String,
    pub queue_name: String,
    /// `queueName` and [`DLQ_SUFFIX`].
    pub dead_letter_queue_name: String,
    pub table_name: String,
    /// `tableName` and [`IDEMPOTENCY_TABLE_SUFFIX`]: the notify route's dedupe markers.
    pub idempotency_table_name: String,
    pub topic_name: String,
    pub subscription_email: String,
    /// Receives before a message moves to the dead-letter queue.
    pub max_receive_count: u32,
    /// Messages per Lambda invocation.
    pub batch_size: u32,
    pub lambda_memory_mb: u32,
    pub log_retention_days: u32,
    /// The event source mapping's `MaximumConcurrency`: Lambda invocations at once.
    pub max_concurrency: u32,
    /// The stage's steady request rate, per second.
    pub throttling_rate_limit: u32,
    /// The stage's burst of requests.
    pub throttling_burst_limit: u32,
    pub execution_logging_level: ExecutionLoggingLevel,
    pub api_authorization: ApiAuthorization,
    /// Private DNS on the execute-api endpoint (every workload's execute-api calls in the
    /// VPC then go through it).
    pub execute_api_private_dns: bool,
    /// Own the region's API Gateway CloudWatch role (`AWS::ApiGateway::Account`).
    pub manage_api_gateway_account: bool,
    /// Notifications carry the caller's `data`; otherwise ids, route and reasons only.
    pub notification_includes_data: bool,
    /// X-Ray active tracing on the function and the stage.
    pub tracing: bool,
    /// The CloudWatch namespace of the Lambda's EMF metrics (its `METRICS_NAMESPACE`).
    pub metrics_namespace: String,
    /// The alarm on the queue's oldest message fires above this age, in seconds.
    pub oldest_message_alarm_seconds: u32,
}

/// Every setting key, in the order problems are reported.
pub const SETTING_KEYS: &[&str] = &[
    "vpcId",
    "routeTableIds",
    "subnetIds",
    "customDomainName",
    "certificateArn",
    "privateHostedZoneId",
    "queueName",
    "tableName",
    "topicName",
    "subscriptionEmail",
    "maxReceiveCount",
    "batchSize",
    "lambdaMemoryMb",
    "logRetentionDays",
    "maxConcurrency",
    "throttlingRateLimit",
    "throttlingBurstLimit",
    "executionLoggingLevel",
    "apiAuthorization",
    "executeApiPrivateDns",
    "manageApiGatewayAccount",
    "notificationIncludesData",
    "tracing",
    "metricsNamespace",
    "oldestMessageAlarmSeconds",
];

/// The setting keys this stack reads.
pub fn setting_keys() -> impl Iterator<Item = &'static str> {
    SETTING_KEYS.iter().copied()
}

/// The stack name [`validate_stack_config`] assumes for the defaults it checks.
const NEUTRAL_STACK: &str = "stack";

/// The default queue, table and topic name of stack `stack`: two stacks in one account
/// and region never share one.
pub fn default_name(stack: &str) -> String {
    format!("private-ingest-{stack}")
}

/// Every problem with a settings object; empty when it can be deployed.
pub fn validate_stack_config(config: &Value) -> Vec<ConfigError> {
    stack_settings(config, NEUTRAL_STACK)
        .err()
        .unwrap_or_default()
}

/// The typed settings of stack `stack` (the Pulumi stack's name, which the default
/// names carry), or every problem with them.
pub fn stack_settings(config: &Value, stack: &str) -> Result<StackSettings, Vec<ConfigError>> {
    let Value::Object(map) = config else {
        return Err(vec![ConfigError {
            key: "(config)".into(),
            reason: format!(
                "expected an object of settings, found {}",
                json_kind(config)
            ),
        }]);
    };
    let mut r = Reader::new(map);
    let default = default_name(stack);
    let queue = r.optional("queueName", Value::from(default.as_str()), |v| {
        queue_name(string(v)?)
    });
    let table = r.optional("tableName", Value::from(default.as_str()), |v| {
        table_name(string(v)?)
    });
    let s = StackSettings {
        vpc_id: r.required("vpcId", |v| id_of(v, "vpc")),
        route_table_ids: r.required("routeTableIds", |v| id_list(v, "rtb", "route table")),
        subnet_ids: r.required("subnetIds", |v| id_list(v, "subnet", "subnet")),
        custom_domain_name: r.required("customDomainName", |v| domain_name(string(v)?)),
        certificate_arn: r.required("certificateArn", |v| certificate_arn(string(v)?)),
        private_hosted_zone_id: r.required("privateHostedZoneId", |v| hosted_zone_id(string(v)?)),
        dead_letter_queue_name: format!("{queue}{DLQ_SUFFIX}"),
        queue_name: queue,
        table_name: table.clone(),
        idempotency_table_name: format!("{table}{IDEMPOTENCY_TABLE_SUFFIX}"),
        topic_name: r.optional("topicName", Value::from(default.as_str()), |v| {
            topic_name(string(v)?)
        }),
        subscription_email: r.required("subscriptionEmail", |v| email(string(v)?)),
        max_receive_count: r.optional("maxReceiveCount", Value::from(5), |v| int_in(v, 1, 1000)),
        // Above 10, Lambda requires a batching window; this stack keeps batches immediate.
        batch_size: r.optional("batchSize", Value::from(10), |v| int_in(v, 1, 10)),
        // Lambda's memory range. arm64 Rust with a few concurrent SDK calls per batch
        // stays well under 256 MB.
        lambda_memory_mb: r.optional("lambdaMemoryMb", Value::from(256), |v| {
            int_in(v, 128, 10240)
        }),
        log_retention_days: r.optional("logRetentionDays", Value::from(30), retention),
        // Lambda's MaximumConcurrency for SQS event sources is 2 to 1000. Five batches at
        // once keep up with the stage's default rate (100/s, batches of 10, ~20 ms each).
        max_concurrency: r.optional("maxConcurrency", Value::from(5), |v| int_in(v, 2, 1000)),
        // API Gateway's default account quota per region is 10,000 requests/s with a
        // burst of 5,000: a stage cannot be given more.
        throttling_rate_limit: r.optional("throttlingRateLimit", Value::from(100), |v| {
            int_in(v, 1, 10_000)
        }),
        throttling_burst_limit: r.optional("throttlingBurstLimit", Value::from(200), |v| {
            int_in(v, 1, 5_000)
        }),
        execution_logging_level: r.optional("executionLoggingLevel", Value::from("ERROR"), |v| {
            Ok(match one_of(v, &["OFF", "ERROR", "INFO"])? {
                "OFF" => ExecutionLoggingLevel::Off,
                "INFO" => ExecutionLoggingLevel::Info,
                _ => ExecutionLoggingLevel::Error,
            })
        }),
        api_authorization: r.optional("apiAuthorization", Value::from("NONE"), |v| {
            Ok(match one_of(v, &["NONE", "AWS_IAM"])? {
                "AWS_IAM" => ApiAuthorization::AwsIam,
                _ => ApiAuthorization::None,
            })
        }),
        execute_api_private_dns: r.optional("executeApiPrivateDns", Value::Bool(false), boolean),
        manage_api_gateway_account: r.optional(
            "manageApiGatewayAccount",
            Value::Bool(false),
            boolean,
        ),
        notification_includes_data: r.optional(
            "notificationIncludesData",
            Value::Bool(false),
            boolean,
        ),
        tracing: r.optional("tracing", Value::Bool(true), boolean),
        metrics_namespace: r.optional(
            "metricsNamespace",
            Value::from(DEFAULT_METRICS_NAMESPACE),
            |v| metrics_namespace(string(v)?),
        ),
        // Five minutes: a healthy queue drains in seconds, so a message waiting this long
        // means the Lambda is not keeping up or not running. At least one minute (the
        // alarm's period); at most 14 days, SQS's longest retention, past which the
        // message is gone and the age can never be reached.
        oldest_message_alarm_seconds: r.optional(
            "oldestMessageAlarmSeconds",
            Value::from(300),
            |v| int_in(v, 60, 1_209_600),
        ),
    };
    r.refuse_unknown_keys();
    r.finish(s)
}

/// Reads settings out of the config object, collecting every problem in key order.
struct Reader<'a> {
    map: &'a Map<String, Value>,
    /// `(position in SETTING_KEYS, error)`: reads happen in field order, reports in key order.
    errors: Vec<(usize, ConfigError)>,
}

impl<'a> Reader<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            errors: Vec::new(),
        }
    }

    /// A value counts as absent when missing or null (JavaScript `undefined` arrives as null).
    fn present(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn fail(&mut self, key: &str, reason: String) {
        let position = SETTING_KEYS
            .iter()
            .position(|k| *k == key)
            .unwrap_or(usize::MAX);
        self.errors.push((
            position,
            ConfigError {
                key: key.to_owned(),
                reason,
            },
        ));
    }

    fn checked<T: Default>(
        &mut self,
        key: &str,
        v: &Value,
        check: impl Fn(&Value) -> Result<T, String>,
    ) -> T {
        check(v).unwrap_or_else(|reason| {
            self.fail(key, reason);
            T::default()
        })
    }

    fn required<T: Default>(
        &mut self,
        key: &str,
        check: impl Fn(&Value) -> Result<T, String>,
    ) -> T {
        match self.present(key) {
            Some(v) => self.checked(key, v, check),
            None => {
                self.fail(key, "is required".into());
                T::default()
            }
        }
    }

    /// `default` is the value as a user would set it, run through the same check.
    fn optional<T: Default>(
        &mut self,
        key: &str,
        default: Value,
        check: impl Fn(&Value) -> Result<T, String>,
    ) -> T {
        match self.present(key) {
            Some(v) => self.checked(key, v, check),
            None => {
                // The default runs through the same check: a default derived from the stack
                // name can be invalid (a stack named `a.b` makes a queue name SQS refuses).
                check(&default).unwrap_or_else(|reason| {
                    self.fail(
                        key,
                        format!("the default {default} (from the stack's name) cannot be used: {reason}; set {key}"),
                    );
                    T::default()
                })
            }
        }
    }

    fn refuse_unknown_keys(&mut self) {
        let unknown: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !SETTING_KEYS.contains(&k.as_str()))
            .collect();
        for key in unknown {
            let allowed = SETTING_KEYS.join(", ");
            self.fail(
                key,
                format!("unknown setting; known settings are {allowed}"),
            );
        }
    }

    fn finish(mut self, settings: StackSettings) -> Result<StackSettings, Vec<ConfigError>> {
        if self.errors.is_empty() {
            return Ok(settings);
        }
        self.errors.sort_by_key(|(position, _)| *position);
        Err(self.errors.into_iter().map(|(_, e)| e).collect())
    }
}

#[cfg(test)]
mod tests;
