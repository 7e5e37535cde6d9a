//! The Lambda's library: [`handle_batch`] over two ports, [`RecordStore`] and
//! [`Notifier`], with DynamoDB and SNS adapters (feature `aws`) and in-memory adapters
//! for tests. The `bootstrap` binary only wires these together.
//!
//! Reading order: [`ports`] -> [`envelope`] (what the queue says about a message) ->
//! [`handler`] -> the adapters: [`memory`], and with feature `aws` `dynamodb` and `sns`
//! -> [`settings`] and `sdk` (what the binary reads and loads at init).

pub mod envelope;
pub mod handler;
pub mod memory;
pub mod ports;
pub mod settings;

#[cfg(feature = "aws")]
pub mod dynamodb;
#[cfg(feature = "aws")]
pub mod sdk;
#[cfg(feature = "aws")]
pub mod sns;

pub use handler::{handle_batch, BatchError, Clock, Deps, ItemError, Outcome, RandomSource};
pub use memory::{MemoryNotifier, MemoryStore};
pub use ports::{Notifier, NotifyError, PutOutcome, RecordStore, StoreError};
pub use settings::{MissingSettings, Settings};

#[cfg(feature = "aws")]
pub use dynamodb::DynamoDbStore;
#[cfg(feature = "aws")]
pub use sns::SnsNotifier;
