//! What the billing pages show: plain data that crosses to the browser.

use super::budget::BudgetSpec;
use super::{Day, Micros};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetStatus {
    pub spec: BudgetSpec,
    /// The current period: its first day and the day after its last.
    pub period: (Day, Day),
    pub actual: Micros,
    pub forecast: Micros,
    /// Alerts (by index) that fired in the current period.
    pub fired: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDashboard {
    pub today: Day,
    pub month_start: Day,
    pub days_in_month: u32,
    pub month_to_date: Micros,
    /// The daily run rate: month to date ÷ days elapsed × days in the month.
    pub forecast: Micros,
    pub last_month: Micros,
    /// Month to date by service, largest first.
    pub by_service: Vec<(String, Micros)>,
    /// Cumulative spend at the end of each day of the month so far.
    pub cumulative: Vec<(Day, Micros)>,
    pub budgets: Vec<BudgetStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationInfo {
    pub id: i64,
    pub budget_name: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    pub subject: String,
    pub body: String,
    pub recipients: Vec<String>,
    pub delivery: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub lines: usize,
    pub days: usize,
    pub services: usize,
    pub total: Micros,
    /// Alert notifications the new costs caused.
    pub notifications: usize,
}

/// One budget period as the budget's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodHistory {
    pub start: Day,
    /// The day after the period's last.
    pub end: Day,
    pub spend: Micros,
    /// Alerts (by index) that fired in the period.
    pub fired: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetDetail {
    pub status: BudgetStatus,
    /// The current period first, then earlier ones (not before the budget's start).
    pub history: Vec<PeriodHistory>,
}
