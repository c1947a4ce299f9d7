//! One module per console area.

pub mod account_settings;
pub mod change_password;
pub mod dashboard;
pub mod not_found;
pub mod security_credentials;
pub mod signin;
pub mod signin_mfa;
pub mod signup;
