//! Use cases, one module per console area.

pub mod accounts;
pub mod aliases;
pub mod mfa;
pub mod passwords;
pub mod signin;
pub mod throttle;
pub mod users;
