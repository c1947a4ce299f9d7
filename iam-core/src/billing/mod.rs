//! Billing: cost data, the month's forecast, budgets and their alerts. Pure: days and money
//! are plain numbers, "today" is passed in.

pub mod budget;
pub mod cur;
pub mod date;
pub mod delivery;
pub mod demo;
pub mod forecast;
pub mod money;
pub mod view;

pub use date::Day;
pub use money::Micros;
