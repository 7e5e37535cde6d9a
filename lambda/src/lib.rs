//! The Lambda's library: [`handle_batch`] over two ports, [`RecordStore`] and
//! [`Notifier`], with DynamoDB and SNS adapters (feature `aws`) and in-memory adapters
//! for tests. The `bootstrap` binary only wires these together.

pub mod handler;
pub mod memory;
pub mod ports;

pub use handler::{handle_batch, BatchError, Deps};
pub use ports::{Notifier, NotifyError, PutOutcome, RecordStore, StoreError};
