//! Use cases, one module per console area.

pub mod accounts;
pub mod signin;
