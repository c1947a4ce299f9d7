#![recursion_limit = "256"]
//! The console's server: configuration, start-up, the router and its HTTP-level guards.

pub mod admin;
pub mod api;
pub mod config;
pub mod console_federation;
pub mod edge;
pub mod guards;
pub mod mailer;
pub mod metadata;
pub mod oidc_signin;
pub mod router;
pub mod saml_signin;
pub mod startup;
pub mod state;

pub use router::build_router;
pub use state::AppState;
