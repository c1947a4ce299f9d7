//! Federation: what identity providers say about themselves and their users.

pub mod fetch;
pub mod keys;
pub mod metadata;
pub mod saml;
