//! Billing: cost data (imported Cost and Usage Report files, or a demo month), the billing
//! dashboard, budgets, their alerts and the notifications alerts make. IAM users reach any
//! of it only while the root user allows "IAM user and role access to Billing information",
//! and then as the engine decides (aws-portal:*, budgets:* actions).

mod budgets;
mod costs;
mod notifications;

pub use budgets::{
    create_budget, dashboard, delete_budget, evaluate_account, evaluate_all, get_budget, list_budgets,
    update_budget,
};
pub use costs::{import_costs, seed_demo};
pub use notifications::{claim_outgoing, list_notifications, record_delivery, Outgoing};

use crate::authz::Authorizer;
use crate::ops::audited;
use crate::{Caller, Identity, ServiceError};
use iam_core::billing::budget::{self, Alert, BudgetKind, BudgetSpec, ThresholdType, Trigger};
use iam_core::billing::cur;
use iam_core::billing::forecast::{run_rate, Period};
use iam_core::billing::view::{
    BillingDashboard, BudgetDetail, BudgetStatus, ImportSummary, NotificationInfo, PeriodHistory,
};
use iam_core::billing::{Day, Micros};
use iam_core::field::FieldError;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;
use time::OffsetDateTime;

const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

fn to_date(day: Day) -> Result<time::Date, ServiceError> {
    time::Date::from_julian_day(day.0 + UNIX_EPOCH_JULIAN_DAY)
        .map_err(|e| ServiceError::Internal(format!("day {}: {e}", day.0)))
}

fn from_date(date: time::Date) -> Day {
    Day(date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY)
}

fn today(caller: &Caller<'_>) -> Day {
    Day::from_unix(caller.now.unix_timestamp())
}

fn budget_arn(account: &str, name: &str) -> String {
    format!("arn:aws:budgets::{account}:budget/{name}")
}

/// Whether the account lets IAM users see billing at all.
async fn iam_access_on(conn: &mut PgConnection, account: &str) -> Result<bool, ServiceError> {
    Ok(
        sqlx::query_scalar("SELECT iam_billing_access FROM accounts WHERE account_id = $1")
            .bind(account)
            .fetch_optional(conn)
            .await?
            .unwrap_or(false),
    )
}

/// The gate in front of every billing operation: the root user passes; an IAM user only
/// while the account allows IAM access to billing, and then if the engine allows `action`.
async fn authorize(
    conn: &mut PgConnection,
    caller: &Caller<'_>,
    action: &str,
    resource: &str,
) -> Result<(), ServiceError> {
    if matches!(caller.identity, Identity::Root { .. }) {
        return Ok(());
    }
    if !iam_access_on(conn, caller.account()).await? {
        return Err(ServiceError::AccessDenied(format!(
            "User: {} is not authorized to perform: {action}: IAM user and role access to Billing information is not activated for this account. The root user can activate it in Account settings.",
            caller.identity.arn()
        )));
    }
    let authz = Authorizer::load(conn, caller.identity, caller.meta, caller.now).await?;
    authz.check(action, resource)?;
    Ok(())
}

/// The account's "IAM user and role access to Billing information" setting.
pub async fn iam_billing_access(pool: &PgPool, caller: &Caller<'_>) -> Result<bool, ServiceError> {
    let mut conn = pool.acquire().await?;
    iam_access_on(&mut conn, caller.account()).await
}

/// Turns IAM access to billing on or off: the root user alone may.
pub async fn set_iam_billing_access(
    pool: &PgPool,
    caller: &Caller<'_>,
    on: bool,
) -> Result<(), ServiceError> {
    if !matches!(caller.identity, Identity::Root { .. }) {
        return Err(ServiceError::AccessDenied(format!(
            "User: {} is not authorized to change IAM user and role access to Billing information: only the root user can",
            caller.identity.arn()
        )));
    }
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE accounts SET iam_billing_access = $2 WHERE account_id = $1")
        .bind(caller.account())
        .bind(on)
        .execute(&mut *tx)
        .await?;
    audited(
        &mut tx,
        caller,
        "aws-portal:ModifyAccount",
        &format!("arn:aws:iam::{}:root billing-access={on}", caller.account()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
