//! Shared support for the cross-component tests in `tests/tests/`.

pub mod aws_resources;
pub mod local_stack;
pub mod moto;
pub mod proc_status;
pub mod raw_http;
