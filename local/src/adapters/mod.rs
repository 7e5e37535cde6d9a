//! The handler's ports on SQLite, filed by port: [`sqlite_store`] is the
//! `RecordStore` (the `records` table, in place of DynamoDB), [`sqlite_notifier`] the
//! `Notifier` (the `notifications` table, in place of SNS) and [`sqlite_dedupe`] the
//! `DedupeStore` (the `dedupe_markers` table, in place of the DynamoDB dedupe table). The
//! first two write one row per key, once, through [`insert_once`], so a redelivered
//! message finds its row already there.

pub mod insert_once;
pub mod sqlite_dedupe;
pub mod sqlite_notifier;
pub mod sqlite_store;

pub use sqlite_dedupe::SqliteDedupe;
pub use sqlite_notifier::SqliteNotifier;
pub use sqlite_store::SqliteRecordStore;
