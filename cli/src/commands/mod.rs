//! One module per command; each returns a [`crate::report::Report`].

pub mod dlq;
pub mod doctor;
pub mod follow;
pub mod get;
pub mod send;
