//! Billing: cost data (imported Cost and Usage Report files, or a demo month), the billing
//! dashboard, budgets, their alerts and the notifications alerts make. IAM users reach any
//! of it only while the root user allows "IAM user and role access to Billing information",
//! and then as the engine decides (aws-portal:*, budgets:* actions).

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

/// Where daily amounts go: costs per service, or usage quantities per usage type.
#[derive(Clone, Copy)]
enum Daily {
    Costs,
    Usage,
}

/// Writes amounts per (day, key), replacing what those days and keys had: importing a newer
/// report of the same month corrects it rather than adding to it.
async fn store_daily(
    conn: &mut PgConnection,
    table: Daily,
    account: &str,
    totals: &BTreeMap<(Day, String), Micros>,
) -> Result<(), ServiceError> {
    if totals.is_empty() {
        return Ok(());
    }
    let (table, key) = match table {
        Daily::Costs => ("cost_daily", "service"),
        Daily::Usage => ("usage_daily", "usage_type"),
    };
    let mut days = Vec::with_capacity(totals.len());
    let mut keys = Vec::with_capacity(totals.len());
    let mut amounts = Vec::with_capacity(totals.len());
    for ((day, name), amount) in totals {
        days.push(to_date(*day)?);
        keys.push(name.clone());
        amounts.push(amount.0);
    }
    sqlx::query(&format!(
        "INSERT INTO {table} (account_id, usage_date, {key}, amount)
         SELECT $1, d, k, a FROM unnest($2::date[], $3::text[], $4::bigint[]) AS t(d, k, a)
         ON CONFLICT (account_id, usage_date, {key}) DO UPDATE SET amount = excluded.amount"
    ))
    .bind(account)
    .bind(&days)
    .bind(&keys)
    .bind(&amounts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Imports a Cost and Usage Report CSV in one transaction: a bad line imports nothing. Then
/// the account's alerts are evaluated against the new costs.
pub async fn import_costs(
    pool: &PgPool,
    caller: &Caller<'_>,
    csv: &str,
) -> Result<ImportSummary, ServiceError> {
    let account = caller.account();
    let mut tx = pool.begin().await?;
    authorize(&mut tx, caller, "aws-portal:ModifyBilling", "*").await?;
    let lines =
        cur::parse(csv).map_err(|e| ServiceError::Invalid(vec![FieldError::new("file", e.to_string())]))?;
    if lines.is_empty() {
        return Err(ServiceError::field(
            "file",
            "the file has a header but no cost lines",
        ));
    }
    let mut totals: BTreeMap<(Day, String), Micros> = BTreeMap::new();
    for line in &lines {
        let sum = totals.entry((line.day, line.service.clone())).or_default();
        *sum = *sum + line.amount;
    }
    store_daily(&mut tx, Daily::Costs, account, &totals).await?;
    let mut usage: BTreeMap<(Day, String), Micros> = BTreeMap::new();
    for line in &lines {
        if let Some((usage_type, quantity)) = &line.usage {
            let sum = usage.entry((line.day, usage_type.clone())).or_default();
            *sum = *sum + *quantity;
        }
    }
    store_daily(&mut tx, Daily::Usage, account, &usage).await?;
    audited(
        &mut tx,
        caller,
        "cur:ImportCostAndUsageReport",
        &format!("{} lines", lines.len()),
    )
    .await?;
    tx.commit().await?;
    let notifications = evaluate_account(pool, account, caller.now).await?;
    let days: std::collections::BTreeSet<Day> = totals.keys().map(|(d, _)| *d).collect();
    let services: std::collections::BTreeSet<&String> = totals.keys().map(|(_, s)| s).collect();
    Ok(ImportSummary {
        lines: lines.len(),
        days: days.len(),
        services: services.len(),
        total: lines.iter().map(|l| l.amount).sum(),
        notifications,
    })
}

/// A demo month for `account` (the admin command): last month and this month to `now`.
pub async fn seed_demo(
    pool: &PgPool,
    account: &str,
    now: OffsetDateTime,
    seed: u64,
) -> Result<usize, ServiceError> {
    let today = Day::from_unix(now.unix_timestamp());
    let totals: BTreeMap<(Day, String), Micros> = iam_core::billing::demo::generate(today, seed)
        .into_iter()
        .map(|(day, service, amount)| ((day, service.to_owned()), amount))
        .collect();
    let mut tx = pool.begin().await?;
    store_daily(&mut tx, Daily::Costs, account, &totals).await?;
    tx.commit().await?;
    evaluate_account(pool, account, now).await?;
    Ok(totals.len())
}

/// What a budget of `kind` measures on each day from `from` until `to`: dollars, or its
/// usage type's quantity. Days without any are left out.
async fn daily_measured(
    conn: &mut PgConnection,
    account: &str,
    kind: &BudgetKind,
    from: Day,
    to: Day,
) -> Result<Vec<(Day, Micros)>, ServiceError> {
    let (table, usage_type, filter) = match kind {
        BudgetKind::Cost => ("cost_daily", None, "AND $4::text IS NULL"),
        BudgetKind::Usage { usage_type } => ("usage_daily", Some(usage_type.as_str()), "AND usage_type = $4"),
    };
    let rows: Vec<(time::Date, i64)> = sqlx::query_as(&format!(
        "SELECT usage_date, sum(amount)::bigint FROM {table}
          WHERE account_id = $1 AND usage_date >= $2 AND usage_date < $3 {filter}
          GROUP BY usage_date ORDER BY usage_date"
    ))
    .bind(account)
    .bind(to_date(from)?)
    .bind(to_date(to)?)
    .bind(usage_type)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(d, a)| (from_date(d), Micros(a))).collect())
}

/// What a budget of `kind` measures from `from` until `to`, in all.
async fn measured_between(
    conn: &mut PgConnection,
    account: &str,
    kind: &BudgetKind,
    from: Day,
    to: Day,
) -> Result<Micros, ServiceError> {
    Ok(daily_measured(conn, account, kind, from, to)
        .await?
        .into_iter()
        .map(|(_, m)| m)
        .sum())
}

type BudgetRow = (
    String,
    i64,
    String,
    time::Date,
    Option<time::Date>,
    Option<String>,
);
type AlertRow = (String, i16, i64, String, String, Vec<String>);

/// The account's budgets, by name, with their alerts in order.
async fn budget_specs(
    conn: &mut PgConnection,
    account: &str,
    only: Option<&str>,
) -> Result<Vec<BudgetSpec>, ServiceError> {
    let rows: Vec<BudgetRow> = sqlx::query_as(
        "SELECT budget_name, amount, period, start_date, end_date, usage_type FROM budgets
          WHERE account_id = $1 AND ($2::text IS NULL OR budget_name = $2) ORDER BY lower(budget_name)",
    )
    .bind(account)
    .bind(only)
    .fetch_all(&mut *conn)
    .await?;
    let alerts: Vec<AlertRow> = sqlx::query_as(
        "SELECT budget_name, alert_index, threshold, threshold_type, trigger, recipients FROM budget_alerts
          WHERE account_id = $1 AND ($2::text IS NULL OR budget_name = $2) ORDER BY budget_name, alert_index",
    )
    .bind(account)
    .bind(only)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, amount, period, start, end, usage_type)| BudgetSpec {
            kind: match usage_type {
                Some(usage_type) => BudgetKind::Usage { usage_type },
                None => BudgetKind::Cost,
            },
            alerts: alerts
                .iter()
                .filter(|a| a.0 == name)
                .map(|(_, _, threshold, kind, trigger, recipients)| Alert {
                    threshold: Micros(*threshold),
                    threshold_type: if kind == "ABSOLUTE_VALUE" {
                        ThresholdType::Absolute
                    } else {
                        ThresholdType::Percentage
                    },
                    trigger: if trigger == "FORECASTED" {
                        Trigger::Forecasted
                    } else {
                        Trigger::Actual
                    },
                    recipients: recipients.clone(),
                })
                .collect(),
            name,
            amount: Micros(amount),
            period: Period::parse(&period).unwrap_or(Period::Monthly),
            start: from_date(start),
            end: end.map(from_date),
        })
        .collect())
}

/// A budget's current period, spend and forecast on `today`.
async fn status(
    conn: &mut PgConnection,
    account: &str,
    spec: BudgetSpec,
    today: Day,
) -> Result<BudgetStatus, ServiceError> {
    let (start, end) = spec.period.bounds(today);
    let upto = today.next().min(end);
    let actual = measured_between(conn, account, &spec.kind, start, upto).await?;
    let forecast = run_rate(actual, start, end, today);
    let fired: Vec<i16> = sqlx::query_scalar(
        "SELECT alert_index FROM alert_firings WHERE account_id = $1 AND budget_name = $2 AND period_start = $3",
    )
    .bind(account)
    .bind(&spec.name)
    .bind(to_date(start)?)
    .fetch_all(&mut *conn)
    .await?;
    Ok(BudgetStatus {
        spec,
        period: (start, end),
        actual,
        forecast,
        fired: fired.into_iter().map(|i| i as usize).collect(),
    })
}

fn usage_type_of(spec: &BudgetSpec) -> Option<&str> {
    match &spec.kind {
        BudgetKind::Cost => None,
        BudgetKind::Usage { usage_type } => Some(usage_type.as_str()),
    }
}

fn running(spec: &BudgetSpec, today: Day) -> bool {
    spec.start <= today && spec.end.is_none_or(|end| today < end)
}

/// Checks every running budget of the account and records each alert that is due, once per
/// budget period: the firing's primary key decides, so two processes evaluating at once make
/// one notification. Returns how many notifications this call made.
pub async fn evaluate_account(
    pool: &PgPool,
    account: &str,
    now: OffsetDateTime,
) -> Result<usize, ServiceError> {
    let today = Day::from_unix(now.unix_timestamp());
    let mut tx = pool.begin().await?;
    let specs = budget_specs(&mut tx, account, None).await?;
    let mut made = 0;
    for spec in specs.into_iter().filter(|s| running(s, today)) {
        let current = status(&mut tx, account, spec, today).await?;
        let due = budget::due(&current.spec, current.actual, current.forecast, &current.fired);
        for index in due {
            let alert = &current.spec.alerts[index];
            let spend = match alert.trigger {
                Trigger::Actual => current.actual,
                Trigger::Forecasted => current.forecast,
            };
            let inserted = sqlx::query(
                "INSERT INTO alert_firings (account_id, budget_name, alert_index, period_start, fired_at, spend)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(account)
            .bind(&current.spec.name)
            .bind(index as i16)
            .bind(to_date(current.period.0)?)
            .bind(now)
            .bind(spend.0)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                continue; // another process fired it first
            }
            let subject = format!(
                "AWS Budgets: {} has exceeded your alert threshold",
                current.spec.name
            );
            let body = format!(
                "{}: {} ({} of the budgeted {} for {} to {}). {} spend: {}.",
                current.spec.name,
                alert.describe(&current.spec.kind),
                current.spec.show(alert.limit(current.spec.amount)),
                current.spec.show(current.spec.amount),
                current.period.0.iso(),
                Day(current.period.1 .0 - 1).iso(),
                alert.trigger.label(),
                current.spec.show(spend)
            );
            // With recipients, the email is queued for the delivery worker (which runs
            // while an SMTP relay is configured); without, the console is the only place.
            sqlx::query(
                "INSERT INTO notifications (account_id, budget_name, created_at, subject, body, recipients, delivery, next_attempt)
                 VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN cardinality($6) = 0 THEN 'console' ELSE 'pending' END, $3)",
            )
            .bind(account)
            .bind(&current.spec.name)
            .bind(now)
            .bind(&subject)
            .bind(&body)
            .bind(&alert.recipients)
            .execute(&mut *tx)
            .await?;
            made += 1;
        }
    }
    tx.commit().await?;
    Ok(made)
}

/// The scheduled evaluation: every account with a budget.
pub async fn evaluate_all(pool: &PgPool, now: OffsetDateTime) -> Result<usize, ServiceError> {
    let accounts: Vec<String> = sqlx::query_scalar("SELECT DISTINCT account_id FROM budgets")
        .fetch_all(pool)
        .await?;
    let mut made = 0;
    for account in accounts {
        made += evaluate_account(pool, &account, now).await?;
    }
    Ok(made)
}

/// The billing dashboard on the caller's today (`aws-portal:ViewBilling`).
pub async fn dashboard(pool: &PgPool, caller: &Caller<'_>) -> Result<BillingDashboard, ServiceError> {
    let account = caller.account();
    let today = today(caller);
    let mut conn = pool.acquire().await?;
    authorize(&mut conn, caller, "aws-portal:ViewBilling", "*").await?;
    let month_start = today.month_start();
    let rows: Vec<(time::Date, String, i64)> = sqlx::query_as(
        "SELECT usage_date, service, amount FROM cost_daily
          WHERE account_id = $1 AND usage_date >= $2 AND usage_date <= $3",
    )
    .bind(account)
    .bind(to_date(month_start)?)
    .bind(to_date(today)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_service: BTreeMap<String, Micros> = BTreeMap::new();
    let mut by_day: BTreeMap<Day, Micros> = BTreeMap::new();
    for (date, service, amount) in rows {
        let entry = by_service.entry(service).or_default();
        *entry = *entry + Micros(amount);
        let day = by_day.entry(from_date(date)).or_default();
        *day = *day + Micros(amount);
    }
    let mut cumulative = Vec::new();
    let mut running_total = Micros::ZERO;
    let mut day = month_start;
    while day <= today {
        running_total = running_total + by_day.get(&day).copied().unwrap_or_default();
        cumulative.push((day, running_total));
        day = day.next();
    }
    let mut by_service: Vec<(String, Micros)> = by_service.into_iter().collect();
    by_service.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let last_month = measured_between(
        &mut conn,
        account,
        &BudgetKind::Cost,
        month_start.add_months(-1),
        month_start,
    )
    .await?;
    let mut budgets = Vec::new();
    for spec in budget_specs(&mut conn, account, None).await? {
        budgets.push(status(&mut conn, account, spec, today).await?);
    }
    let month_end = month_start.add_months(1);
    Ok(BillingDashboard {
        today,
        month_start,
        days_in_month: today.days_in_its_month(),
        month_to_date: running_total,
        forecast: run_rate(running_total, month_start, month_end, today),
        last_month,
        by_service,
        cumulative,
        budgets,
    })
}

/// The account's budgets with their current spend (`budgets:ViewBudget`).
pub async fn list_budgets(pool: &PgPool, caller: &Caller<'_>) -> Result<Vec<BudgetStatus>, ServiceError> {
    let account = caller.account();
    let mut conn = pool.acquire().await?;
    authorize(&mut conn, caller, "budgets:ViewBudget", &budget_arn(account, "*")).await?;
    let mut out = Vec::new();
    for spec in budget_specs(&mut conn, account, None).await? {
        out.push(status(&mut conn, account, spec, today(caller)).await?);
    }
    Ok(out)
}

/// How many periods a budget's page looks back.
const HISTORY_PERIODS: usize = 6;

/// One budget, with its current period and the periods before (`budgets:ViewBudget`).
pub async fn get_budget(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<BudgetDetail, ServiceError> {
    let account = caller.account();
    let mut conn = pool.acquire().await?;
    authorize(
        &mut conn,
        caller,
        "budgets:ViewBudget",
        &budget_arn(account, name),
    )
    .await?;
    let spec = budget_specs(&mut conn, account, Some(name))
        .await?
        .pop()
        .ok_or_else(|| {
            ServiceError::NoSuchEntity(format!(
                "Unable to get budget: {name} - the budget doesn't exist."
            ))
        })?;
    let today = today(caller);
    let firings: Vec<(time::Date, i16)> = sqlx::query_as(
        "SELECT period_start, alert_index FROM alert_firings WHERE account_id = $1 AND budget_name = $2",
    )
    .bind(account)
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    // The periods first, then every day's amount across them in one query.
    let mut periods = Vec::new();
    let mut day = today;
    while periods.len() < HISTORY_PERIODS {
        let (start, end) = spec.period.bounds(day);
        if end <= spec.start {
            break;
        }
        periods.push((start, end));
        day = Day(start.0 - 1);
    }
    let earliest = periods.last().map_or(today, |p| p.0);
    let daily = daily_measured(&mut conn, account, &spec.kind, earliest, today.next()).await?;
    let history = periods
        .into_iter()
        .map(|(start, end)| PeriodHistory {
            start,
            end,
            spend: daily
                .iter()
                .filter(|(d, _)| (start..end).contains(d))
                .map(|(_, m)| *m)
                .sum(),
            fired: firings
                .iter()
                .filter(|(at, _)| from_date(*at) == start)
                .map(|(_, i)| *i as usize)
                .collect(),
        })
        .collect();
    let status = status(&mut conn, account, spec, today).await?;
    Ok(BudgetDetail { status, history })
}

/// A change to `spec`'s budget: allowed (`budgets:ModifyBudget`), then checked against the
/// rules, in its transaction.
async fn begin_modify<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    spec: &BudgetSpec,
) -> Result<sqlx::Transaction<'p, sqlx::Postgres>, ServiceError> {
    let mut tx = pool.begin().await?;
    authorize(
        &mut tx,
        caller,
        "budgets:ModifyBudget",
        &budget_arn(caller.account(), &spec.name),
    )
    .await?;
    let errors = budget::check(spec);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok(tx)
}

/// Creates a budget with its alerts (`budgets:ModifyBudget`), then evaluates it at once.
pub async fn create_budget(
    pool: &PgPool,
    caller: &Caller<'_>,
    spec: &BudgetSpec,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let mut tx = begin_modify(pool, caller, spec).await?;
    let inserted = sqlx::query(
        "INSERT INTO budgets (account_id, budget_name, amount, period, start_date, end_date, created_at, budget_type, usage_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::text IS NULL THEN 'COST' ELSE 'USAGE' END, $8)
         ON CONFLICT DO NOTHING",
    )
    .bind(account)
    .bind(&spec.name)
    .bind(spec.amount.0)
    .bind(spec.period.as_str())
    .bind(to_date(spec.start)?)
    .bind(spec.end.map(to_date).transpose()?)
    .bind(caller.now)
    .bind(usage_type_of(spec))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(ServiceError::AlreadyExists(format!(
            "Error creating budget: {} - the budget already exists.",
            spec.name
        )));
    }
    for (index, alert) in spec.alerts.iter().enumerate() {
        insert_alert(&mut tx, account, &spec.name, index, alert).await?;
    }
    audited(
        &mut tx,
        caller,
        "budgets:ModifyBudget",
        &budget_arn(account, &spec.name),
    )
    .await?;
    tx.commit().await?;
    evaluate_account(pool, account, caller.now).await?;
    Ok(())
}

async fn insert_alert(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
    index: usize,
    alert: &Alert,
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO budget_alerts (account_id, budget_name, alert_index, threshold, threshold_type, trigger, recipients)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(account)
    .bind(name)
    .bind(index as i16)
    .bind(alert.threshold.0)
    .bind(match alert.threshold_type {
        ThresholdType::Percentage => "PERCENTAGE",
        ThresholdType::Absolute => "ABSOLUTE_VALUE",
    })
    .bind(match alert.trigger {
        Trigger::Actual => "ACTUAL",
        Trigger::Forecasted => "FORECASTED",
    })
    .bind(&alert.recipients)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes a budget (all but its name) (`budgets:ModifyBudget`). An alert left as it was
/// keeps its record of having fired; a changed one may fire again.
pub async fn update_budget(
    pool: &PgPool,
    caller: &Caller<'_>,
    spec: &BudgetSpec,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let mut tx = begin_modify(pool, caller, spec).await?;
    let old = budget_specs(&mut tx, account, Some(&spec.name))
        .await?
        .pop()
        .ok_or_else(|| {
            ServiceError::NoSuchEntity(format!(
                "Unable to update budget: {} - the budget doesn't exist.",
                spec.name
            ))
        })?;
    sqlx::query(
        "UPDATE budgets SET amount = $3, period = $4, start_date = $5, end_date = $6,
                budget_type = CASE WHEN $7::text IS NULL THEN 'COST' ELSE 'USAGE' END, usage_type = $7
          WHERE account_id = $1 AND budget_name = $2",
    )
    .bind(account)
    .bind(&spec.name)
    .bind(spec.amount.0)
    .bind(spec.period.as_str())
    .bind(to_date(spec.start)?)
    .bind(spec.end.map(to_date).transpose()?)
    .bind(usage_type_of(spec))
    .execute(&mut *tx)
    .await?;
    let same_basis = old.period == spec.period && old.amount == spec.amount && old.kind == spec.kind;
    for index in 0..old.alerts.len().max(spec.alerts.len()) {
        let (before, after) = (old.alerts.get(index), spec.alerts.get(index));
        if same_basis && before == after {
            continue;
        }
        // Deleting the alert takes its firings with it (the foreign key cascades).
        sqlx::query(
            "DELETE FROM budget_alerts WHERE account_id = $1 AND budget_name = $2 AND alert_index = $3",
        )
        .bind(account)
        .bind(&spec.name)
        .bind(index as i16)
        .execute(&mut *tx)
        .await?;
        if let Some(alert) = after {
            insert_alert(&mut tx, account, &spec.name, index, alert).await?;
        }
    }
    audited(
        &mut tx,
        caller,
        "budgets:ModifyBudget",
        &budget_arn(account, &spec.name),
    )
    .await?;
    tx.commit().await?;
    evaluate_account(pool, account, caller.now).await?;
    Ok(())
}

/// Deletes a budget, its alerts and their firings (`budgets:ModifyBudget`).
pub async fn delete_budget(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<(), ServiceError> {
    let account = caller.account();
    let mut tx = pool.begin().await?;
    authorize(
        &mut tx,
        caller,
        "budgets:ModifyBudget",
        &budget_arn(account, name),
    )
    .await?;
    let deleted = sqlx::query("DELETE FROM budgets WHERE account_id = $1 AND budget_name = $2")
        .bind(account)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(ServiceError::NoSuchEntity(format!(
            "Unable to delete budget: {name} - the budget doesn't exist."
        )));
    }
    audited(
        &mut tx,
        caller,
        "budgets:ModifyBudget",
        &budget_arn(account, name),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account's alert notifications, newest first (`budgets:ViewBudget`).
pub async fn list_notifications(
    pool: &PgPool,
    caller: &Caller<'_>,
) -> Result<Vec<NotificationInfo>, ServiceError> {
    let account = caller.account();
    let mut conn = pool.acquire().await?;
    authorize(&mut conn, caller, "budgets:ViewBudget", &budget_arn(account, "*")).await?;
    type Row = (
        i64,
        String,
        OffsetDateTime,
        String,
        String,
        Vec<String>,
        String,
        i32,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, budget_name, created_at, subject, body, recipients, delivery, attempts, last_error
           FROM notifications WHERE account_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, budget_name, created, subject, body, recipients, delivery, attempts, last_error)| {
                NotificationInfo {
                    id,
                    budget_name,
                    created_at: created.unix_timestamp(),
                    subject,
                    body,
                    recipients,
                    delivery,
                    attempts,
                    last_error,
                }
            },
        )
        .collect())
}

/// An alert email to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

/// How long a claimed email is reserved for one sender: if that process dies mid-send,
/// another takes it over after this.
const LEASE_SECONDS: i64 = 300;

/// Claims emails that are due, at most `limit`: each is reserved for this sender (several
/// server processes never send one email twice while they live).
pub async fn claim_outgoing(
    pool: &PgPool,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<Outgoing>, ServiceError> {
    type Row = (i64, Vec<String>, String, String, i32);
    let rows: Vec<Row> = sqlx::query_as(
        "UPDATE notifications SET next_attempt = $1 + make_interval(secs => $3)
          WHERE id IN (SELECT id FROM notifications
                        WHERE delivery = 'pending' AND next_attempt <= $1
                        ORDER BY next_attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING id, recipients, subject, body, attempts",
    )
    .bind(now)
    .bind(limit)
    .bind(LEASE_SECONDS as f64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, recipients, subject, body, attempts)| Outgoing {
            id,
            recipients,
            subject,
            body,
            attempts,
        })
        .collect())
}

/// Records a send: sent, or failed and retried later with backoff, or given up.
pub async fn record_delivery(
    pool: &PgPool,
    id: i64,
    outcome: Result<(), String>,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    match outcome {
        Ok(()) => {
            sqlx::query(
                "UPDATE notifications SET delivery = 'sent', attempts = attempts + 1, next_attempt = NULL, last_error = NULL
                  WHERE id = $1",
            )
            .bind(id)
            .execute(pool)
            .await?;
        }
        Err(error) => {
            let attempts: i32 = sqlx::query_scalar("SELECT attempts + 1 FROM notifications WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?;
            let retry = iam_core::billing::delivery::retry_delay(attempts);
            sqlx::query(
                "UPDATE notifications SET attempts = $2, last_error = $3,
                        delivery = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END,
                        next_attempt = $5 + make_interval(secs => coalesce($4, 0))
                  WHERE id = $1",
            )
            .bind(id)
            .bind(attempts)
            .bind(error.chars().take(500).collect::<String>())
            .bind(retry.map(|s| s as f64))
            .bind(now)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
