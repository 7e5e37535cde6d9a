//! Shared support for the cross-component tests in `tests/tests/`.
