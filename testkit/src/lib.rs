//! What the tests of every crate share, as one dev-dependency:
//!
//! - [`sqs`]: SQS records and events in the shape Lambda receives them, and the failed
//!   ids of a batch response;
//! - [`fixtures`]: the shared SQS event fixtures (`fixtures/sqs/`) and their ids;
//! - `moto` and `aws_resources` (feature `moto`): a moto server, and the table and topic
//!   (with a queue to read notifications back) created on it through the SDK;
//! - `runtime_api` (feature `runtime-api`): a Lambda Runtime API server for the built
//!   `bootstrap` binary;
//! - `local_stack` (feature `local-stack`): the local stack's binary on a free port with a
//!   temp data dir, and an HTTP client for its API;
//! - [`raw_http`]: HTTP/1.1 by hand, for what a well-behaved client never sends;
//! - [`proc_status`]: a process's memory and open files from /proc, for bounds on the
//!   real binary.

pub mod fixtures;
pub mod proc_status;
pub mod raw_http;
pub mod sqs;

#[cfg(feature = "moto")]
pub mod aws_resources;
#[cfg(feature = "local-stack")]
pub mod local_stack;
#[cfg(feature = "moto")]
pub mod moto;
#[cfg(feature = "runtime-api")]
pub mod runtime_api;
