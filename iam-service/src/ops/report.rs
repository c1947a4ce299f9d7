//! The credential report: one CSV row per identity (the root user first), AWS's columns and
//! placeholders (`N/A`, `no_information`, `not_supported`).

use crate::ops::begin;
use crate::{Caller, ServiceError};
use time::OffsetDateTime;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn iso(t: OffsetDateTime) -> String {
    iam_core::policy::values::format_iso8601(t.unix_timestamp()).replace('Z', "+00:00")
}

type KeyCols = (
    bool,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<String>,
    Option<String>,
);

/// The five columns of one access key, or of none.
fn key_columns(key: Option<&KeyCols>) -> [String; 5] {
    let na = || "N/A".to_owned();
    match key {
        Some((active, created, used, region, service)) => [
            active.to_string(),
            iso(*created),
            used.map_or_else(na, iso),
            region.clone().unwrap_or_else(na),
            service.clone().unwrap_or_else(na),
        ],
        None => ["false".into(), na(), na(), na(), na()],
    }
}

/// The columns after the access keys': certificates are not supported.
const NO_CERTS: [&str; 4] = ["false", "N/A", "false", "N/A"];

type KeyRow = (
    Option<String>,
    bool,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<String>,
    Option<String>,
);

type UserRow = (
    String,
    String,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    bool,
);

/// The report as CSV text (`iam:GetCredentialReport`), made on demand.
pub async fn credential_report(pool: &sqlx::PgPool, caller: &Caller<'_>) -> Result<String, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:GetCredentialReport", "*")?;
    let max_age: Option<i16> =
        sqlx::query_scalar("SELECT max_password_age FROM password_policies WHERE account_id = $1")
            .bind(&account)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    let keys: Vec<KeyRow> = sqlx::query_as(
        "SELECT user_name, status = 'Active', created_at, last_used_at, last_used_region, last_used_service
           FROM access_keys WHERE account_id = $1 ORDER BY created_at",
    )
    .bind(&account)
    .fetch_all(&mut *tx)
    .await?;
    let keys_of = |user: Option<&str>| -> Vec<KeyCols> {
        keys.iter()
            .filter(|k| k.0.as_deref() == user)
            .map(|k| (k.1, k.2, k.3, k.4.clone(), k.5.clone()))
            .collect()
    };
    let (root_created, root_mfa): (OffsetDateTime, bool) = sqlx::query_as(
        "SELECT a.created_at, EXISTS (SELECT 1 FROM mfa_devices d WHERE d.principal_arn = 'arn:aws:iam::' || a.account_id || ':root' AND d.enabled_at IS NOT NULL)
           FROM accounts a WHERE a.account_id = $1",
    )
    .bind(&account)
    .fetch_one(&mut *tx)
    .await?;
    let users: Vec<UserRow> = sqlx::query_as(
        "SELECT u.user_name, u.path, u.created_at, l.password_last_used_at, l.password_changed_at, l.created_at,
                EXISTS (SELECT 1 FROM mfa_devices d
                         WHERE d.principal_arn = 'arn:aws:iam::' || u.account_id || ':user' || u.path || u.user_name
                           AND d.enabled_at IS NOT NULL)
           FROM iam_users u LEFT JOIN login_profiles l USING (account_id, user_name)
          WHERE u.account_id = $1 ORDER BY u.user_name",
    )
    .bind(&account)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    // Every cell goes through the one CSV writer: a path with commas keeps its column, a
    // user named `=1+1` is not a formula.
    let mut csv = iam_core::csv::row(HEADER.split(','));
    let root_keys = keys_of(None);
    let mut root = vec![
        "<root_account>".to_owned(),
        format!("arn:aws:iam::{account}:root"),
        iso(root_created),
        "not_supported".into(),
        "no_information".into(),
        "not_supported".into(),
        "not_supported".into(),
        root_mfa.to_string(),
    ];
    root.extend(key_columns(root_keys.first()));
    root.extend(key_columns(root_keys.get(1)));
    root.extend(NO_CERTS.map(String::from));
    csv += &iam_core::csv::row(root);
    for (name, path, created, used, changed, profile, mfa) in users {
        let user_keys = keys_of(Some(&name));
        let enabled = profile.is_some();
        let next = match (changed, max_age) {
            (Some(c), Some(days)) => iso(c + time::Duration::days(i64::from(days))),
            _ => "N/A".into(),
        };
        let arn = iam_core::arn::user_arn(&account, &path, &name);
        let mut row = vec![
            name,
            arn,
            iso(created),
            enabled.to_string(),
            match (enabled, used) {
                (true, Some(u)) => iso(u),
                (true, None) => "no_information".into(),
                (false, _) => "N/A".into(),
            },
            changed.filter(|_| enabled).map_or_else(|| "N/A".into(), iso),
            next,
            mfa.to_string(),
        ];
        row.extend(key_columns(user_keys.first()));
        row.extend(key_columns(user_keys.get(1)));
        row.extend(NO_CERTS.map(String::from));
        csv += &iam_core::csv::row(row);
    }
    Ok(csv)
}

/// Starting a report (`iam:GenerateCredentialReport`): reports are made when read, so this
/// only checks the permission and says the report is ready.
pub async fn generate_credential_report(
    pool: &sqlx::PgPool,
    caller: &Caller<'_>,
) -> Result<(), ServiceError> {
    let mut conn = pool.acquire().await?;
    crate::authz::authorize(
        &mut conn,
        caller.identity,
        caller.meta,
        caller.now,
        "iam:GenerateCredentialReport",
        "*",
    )
    .await?;
    Ok(())
}
