//! The names of the Lambda's environment variables: the Pulumi program sets them on the
//! function, the handler's `FunctionEnvironment` reads them once at init.

/// The DynamoDB table the store route writes to (partition key `id`, type S).
pub const TABLE_NAME: &str = "TABLE_NAME";

/// The DynamoDB table of the notify route's `Idempotency-Key` markers (partition key
/// `id`, type S; TTL on `expires_at`): the stack's `tableName` and
/// [`IDEMPOTENCY_TABLE_SUFFIX`](super::IDEMPOTENCY_TABLE_SUFFIX).
pub const IDEMPOTENCY_TABLE_NAME: &str = "IDEMPOTENCY_TABLE_NAME";

/// The SNS topic notifications and "rejected" alerts are published to.
pub const TOPIC_ARN: &str = "TOPIC_ARN";

/// `true` lets notifications carry the caller's content (`Insert`, `data`, the start of
/// a rejected body); absent or `false`: ids, the route and reasons only.
pub const NOTIFICATION_INCLUDES_DATA: &str = "NOTIFICATION_INCLUDES_DATA";

/// The CloudWatch namespace of the function's EMF metrics; absent: the contract's
/// `DEFAULT_METRICS_NAMESPACE` (`PrivateIngest`).
pub const METRICS_NAMESPACE: &str = "METRICS_NAMESPACE";

/// The routing rules (a rules document as compact JSON, at most
/// [`MAX_RULES_DOCUMENT_BYTES`](super::rules::MAX_RULES_DOCUMENT_BYTES)); absent: the
/// original routing on `Insert`. In the environment rather than the package, so changing
/// the rules is a configuration update, not a new build.
pub const ROUTING_RULES: &str = "ROUTING_RULES";
