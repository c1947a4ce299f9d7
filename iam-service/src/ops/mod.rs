//! Use cases, one module per console area.

pub mod access_keys;
pub mod accounts;
pub mod aliases;
pub mod attachments;
pub mod billing;
pub mod boundaries;
pub mod details;
pub mod groups;
pub mod history;
pub mod instance_profiles;
pub mod mfa;
pub mod oidc_providers;
pub mod oidc_signin;
mod parts;
pub mod passwords;
pub mod policies;
pub mod rename;
pub mod report;
pub mod role_views;
pub mod roles;
pub mod saml_providers;
pub mod service_linked;
pub mod signin;
pub mod simulate;
pub mod sts;
pub mod summary;
pub mod tags;
pub mod throttle;
pub(crate) mod trust_pins;
pub mod users;
pub mod virtual_mfa;

use crate::authz::Authorizer;
use crate::{audit, Caller, ServiceError};
use rand::Rng;
use sqlx::{PgPool, Postgres, Transaction};

/// An operation's transaction, with the caller's policies loaded inside it.
pub(crate) async fn begin<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
) -> Result<(Transaction<'p, Postgres>, Authorizer), ServiceError> {
    let mut tx = pool.begin().await?;
    let authorizer = Authorizer::load(&mut tx, caller.identity, caller.meta, caller.now).await?;
    Ok((tx, authorizer))
}

/// A read's connection, without a transaction (reads that need one consistent view of
/// several statements use `begin`), with the caller's policies loaded.
pub(crate) async fn read(
    pool: &PgPool,
    caller: &Caller<'_>,
) -> Result<(sqlx::pool::PoolConnection<Postgres>, Authorizer), ServiceError> {
    let mut conn = pool.acquire().await?;
    let authorizer = Authorizer::load(&mut conn, caller.identity, caller.meta, caller.now).await?;
    Ok((conn, authorizer))
}

/// Records one successful action of the caller.
pub(crate) async fn audited(
    tx: &mut Transaction<'_, Postgres>,
    caller: &Caller<'_>,
    action: &str,
    resource: &str,
) -> Result<(), ServiceError> {
    audit::success_by(tx, caller.identity, action, resource, caller.now, caller.meta).await?;
    Ok(())
}

/// Serializes the account's quota checks: two concurrent creations cannot both see room for
/// one more.
pub(crate) async fn lock_account(conn: &mut sqlx::PgConnection, account: &str) -> Result<(), ServiceError> {
    sqlx::query("SELECT 1 FROM accounts WHERE account_id = $1 FOR UPDATE")
        .bind(account)
        .execute(conn)
        .await?;
    Ok(())
}

/// Refuses with AWS's `LimitExceeded` when the account already has `limit` rows in `table`;
/// the account stays locked until the transaction ends, so the check holds.
pub(crate) async fn within_account_quota(
    conn: &mut sqlx::PgConnection,
    account: &str,
    table: &str,
    quota: &str,
    limit: i64,
) -> Result<(), ServiceError> {
    lock_account(conn, account).await?;
    let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE account_id = $1"))
        .bind(account)
        .fetch_one(conn)
        .await?;
    if count >= limit {
        return Err(ServiceError::LimitExceeded(iam_core::quotas::exceeded(
            quota, limit,
        )));
    }
    Ok(())
}

/// AWS's DeleteConflict naming the first dependent still there (`(present, message)` in
/// AWS's order), unless the console removes the dependents itself (`force`).
pub(crate) fn delete_conflict(force: bool, dependents: &[(bool, &str)]) -> Result<(), ServiceError> {
    match dependents.iter().find(|(present, _)| *present) {
        Some((_, message)) if !force => Err(ServiceError::DeleteConflict((*message).into())),
        _ => Ok(()),
    }
}

/// A random UUID (version 4): deletion tasks, SAML provider IDs.
pub(crate) fn random_uuid() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// An ARN parameter: AWS's 20 to 2,048 characters.
pub(crate) fn check_arn_length(arn: &str) -> Result<(), ServiceError> {
    if (20..=2048).contains(&arn.len()) {
        return Ok(());
    }
    Err(ServiceError::field(
        "arn",
        "1 validation error detected: Value at 'arn' failed to satisfy constraint: Member must have length between 20 and 2048",
    ))
}

pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// An insert's outcome: a name already taken becomes AWS's EntityAlreadyExists in `words`.
pub(crate) fn inserted<T>(
    result: Result<T, sqlx::Error>,
    words: impl FnOnce() -> String,
) -> Result<T, ServiceError> {
    match result {
        Err(e) if is_unique_violation(&e) => Err(ServiceError::AlreadyExists(words())),
        other => Ok(other?),
    }
}

/// An AWS-style unique ID: the prefix (`AIDA`, `AGPA`, `ANPA`, ...) and 16 characters.
pub fn unique_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}{tail}")
}

/// `%` and `_` in a search are literal characters, not patterns.
pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A LIKE pattern for paths under `prefix`; `None` when every path matches.
pub(crate) fn path_pattern(prefix: &str) -> Option<String> {
    let prefix = prefix.trim();
    if prefix.is_empty() || prefix == "/" {
        return None;
    }
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("{escaped}%"))
}

/// Keeps a page size sane whatever the caller asked for.
pub(crate) fn clamp_limit(limit: i64) -> i64 {
    limit.clamp(1, 1000)
}
