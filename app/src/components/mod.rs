//! Widgets shared by pages.

pub mod access_keys;
pub mod copy_button;
pub mod cost_chart;
pub mod form;
pub mod layout;
pub mod permissions;
pub mod policy_editor;
pub mod widgets;
