//! The one AWS SDK configuration the Lambda loads, at init: standard retries (throttling
//! and 5xx are retried with exponential backoff and jitter, then the item fails and SQS
//! redelivers it) and a bound on each call, so a stuck endpoint becomes an item failure
//! rather than a Lambda timeout that redelivers the whole batch.
//!
//! Everything else comes from the environment as usual, `AWS_ENDPOINT_URL` included, so
//! the same binary runs against a local emulator.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader};

/// The first try and two retries.
pub const MAX_ATTEMPTS: u32 = 3;
/// Upper bound for one SDK call, retries and backoff included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);

/// `aws_config::defaults` with the Lambda's retry and timeout settings; call `.load()`.
pub fn config_loader() -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
}
