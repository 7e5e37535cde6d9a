//! The batch handler: [`handle_batch`] over three ports, [`RecordStore`] (the store
//! route), [`Notifier`] (the notify route and the alerts about rejected bodies) and
//! [`DedupeStore`] (the notify route's markers per `Idempotency-Key`), each with its
//! adapters filed under it: DynamoDB and SNS (feature `aws`), and in-memory ones for
//! tests. The Lambda's `bootstrap` binary and the local stack's poller both run it.
//!
//! Reading order: [`envelope`] (what the queue says about a message) -> [`handler`] ->
//! the ports and their adapters: [`store`], [`notify`], [`dedupe`] -> what the handler is
//! given:
//! [`clock`], [`random`], and for the Lambda [`environment`] and `sdk` (read and loaded
//! once, at init) -> what a batch counts toward: [`metrics`] (the Lambda writes them as
//! EMF; the local stack counts the same outcomes).

pub mod clock;
pub mod dedupe;
pub mod envelope;
pub mod environment;
pub mod handler;
pub mod log_settings;
mod memory_faults;
pub mod metrics;
pub mod notify;
mod port_error;
pub mod random;
#[cfg(feature = "aws")]
pub mod sdk;
pub mod store;

pub use clock::{fixed_clock, system_clock, Clock};
pub use dedupe::memory::MemoryDedupe;
pub use dedupe::{Claim, Claimed, DedupeError, DedupeStore, Marker, MarkerStatus};
pub use environment::{EnvironmentError, FunctionEnvironment};
pub use handler::{
    handle_batch, process_batch, BatchError, BatchOutcomes, Deps, ItemError, MessageOutcome,
    Outcome,
};
pub use notify::memory::MemoryNotifier;
pub use notify::{Notifier, NotifyError};
pub use random::{fixed_random, system_random, RandomSource};
pub use store::memory::MemoryStore;
pub use store::{ExistingRecord, PutIfAbsent, RecordStore, StoreError};

#[cfg(feature = "aws")]
pub use dedupe::dynamodb::DynamoDbDedupe;
#[cfg(feature = "aws")]
pub use notify::sns::SnsNotifier;
#[cfg(feature = "aws")]
pub use store::dynamodb::DynamoDbStore;
