//! One module per console area.

pub mod account_settings;
pub mod billing;
pub mod budget_wizard;
pub mod budgets;
pub mod change_password;
pub mod dashboard;
pub mod event_history;
pub mod group_detail;
pub mod groups;
pub mod identity_provider_detail;
pub mod identity_providers;
pub mod not_found;
pub mod policies;
pub mod policy_detail;
pub mod role_create;
pub mod role_detail;
pub mod roles;
pub mod security_credentials;
pub mod signin;
pub mod signin_mfa;
pub mod signup;
pub mod simulator;
pub mod switch_role;
pub mod user_create;
pub mod user_detail;
pub mod users;
