//! In-memory adapters for unit tests (SKELETON: written in the Lambda issue).
