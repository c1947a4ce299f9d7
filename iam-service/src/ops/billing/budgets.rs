//! Budgets: their specs and status, the dashboard, alerts evaluated per period, create,
//! edit, delete.

use super::costs::*;
use super::*;

pub(super) type BudgetRow = (
    String,
    i64,
    String,
    time::Date,
    Option<time::Date>,
    Option<String>,
);
pub(super) type AlertRow = (String, i16, i64, String, String, Vec<String>);

/// The account's budgets, by name, with their alerts in order.
pub(super) async fn budget_specs(
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
pub(super) async fn status(
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

pub(super) fn usage_type_of(spec: &BudgetSpec) -> Option<&str> {
    match &spec.kind {
        BudgetKind::Cost => None,
        BudgetKind::Usage { usage_type } => Some(usage_type.as_str()),
    }
}

pub(super) fn running(spec: &BudgetSpec, today: Day) -> bool {
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
pub(super) const HISTORY_PERIODS: usize = 6;

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
pub(super) async fn begin_modify<'p>(
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

pub(super) async fn insert_alert(
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
