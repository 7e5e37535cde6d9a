//! The metrics of one batch: [`batch_metrics`] counts them from the batch's outcomes (a
//! pure function, the same for the Lambda and the local stack), [`emf`] writes them as
//! the Lambda's one CloudWatch embedded metric format (EMF) line per invocation.
//!
//! The names, units and the namespace's default are the core's (`contract::metrics`).

pub mod batch_metrics;
pub mod emf;

pub use batch_metrics::BatchMetrics;
pub use emf::{emf_lines, EmfTarget};
