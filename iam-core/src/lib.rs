//! The pure IAM engine: identifiers, input rules and credential rules.
//!
//! No I/O, no async, no clock: randomness and time are passed in, so every decision here is
//! deterministic under test and the same code runs on the server and in the browser (wasm).

pub mod account;
pub mod arn;
pub mod billing;
pub mod credentials;
pub mod csv;
pub mod field;
pub mod model;
pub mod names;
pub mod policy;
pub mod providers;
pub mod quotas;
pub mod saml;
pub mod service_linked;
pub mod signup;
pub mod web_identity;
