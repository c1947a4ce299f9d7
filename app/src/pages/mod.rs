//! One module per console area.

pub mod dashboard;
pub mod not_found;
pub mod signin;
pub mod signup;
