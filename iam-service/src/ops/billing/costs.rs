//! Cost data: imported Cost and Usage Report files, or a demo month, stored per day.

use super::*;

/// Where daily amounts go: costs per service, or usage quantities per usage type.
#[derive(Clone, Copy)]
pub(super) enum Daily {
    Costs,
    Usage,
}

/// Writes amounts per (day, key), replacing what those days and keys had: importing a newer
/// report of the same month corrects it rather than adding to it.
pub(super) async fn store_daily(
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
pub(super) async fn daily_measured(
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
pub(super) async fn measured_between(
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
