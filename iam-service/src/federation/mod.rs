//! Federation: what identity providers say about themselves and their users.

pub mod metadata;
