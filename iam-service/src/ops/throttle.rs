//! Brute-force throttling in Postgres: the counters of iam-core's lockout state machine,
//! shared by every server process. Keys are built from what was typed, never from lookups.

use crate::ServiceError;
use iam_core::credentials::lockout::{LockoutPolicy, LockoutState};
use sqlx::PgConnection;

/// The keys one attempt counts against: the identifier typed and the source address.
pub fn keys(identifier: &str, source_ip: Option<&str>) -> Vec<String> {
    let mut keys = vec![format!("who:{}", identifier.trim().to_lowercase())];
    if let Some(ip) = source_ip {
        keys.push(format!("ip:{ip}"));
    }
    keys
}

async fn load(conn: &mut PgConnection, key: &str, lock: bool) -> Result<LockoutState, sqlx::Error> {
    let sql = if lock {
        "SELECT failures, last_failure_at, locked_until FROM signin_throttle WHERE key = $1 FOR UPDATE"
    } else {
        "SELECT failures, last_failure_at, locked_until FROM signin_throttle WHERE key = $1"
    };
    let row: Option<(i32, Option<i64>, Option<i64>)> =
        sqlx::query_as(sql).bind(key).fetch_optional(conn).await?;
    Ok(
        row.map_or_else(LockoutState::default, |(failures, last_failure, locked_until)| {
            LockoutState {
                failures: u32::try_from(failures).unwrap_or(0),
                last_failure,
                locked_until,
            }
        }),
    )
}

/// Many people can share one address (offices, NAT): an address gets ten times the
/// failures an identifier does before it waits.
fn for_key(key: &str, policy: &LockoutPolicy) -> LockoutPolicy {
    if key.starts_with("ip:") {
        LockoutPolicy {
            max_failures: policy.max_failures.saturating_mul(10),
            ..*policy
        }
    } else {
        *policy
    }
}

/// `Err(Throttled)` while any of `keys` is locked.
pub async fn check(conn: &mut PgConnection, keys: &[String], now: i64) -> Result<(), ServiceError> {
    for key in keys {
        if let Some(wait) = load(conn, key, false).await?.wait_left(now) {
            return Err(ServiceError::Throttled { seconds: wait });
        }
    }
    Ok(())
}

pub async fn record_failure(
    conn: &mut PgConnection,
    keys: &[String],
    now: i64,
    policy: &LockoutPolicy,
) -> Result<(), ServiceError> {
    for key in keys {
        // Make sure the row exists, then update it under a row lock: two servers counting
        // the same key at once must not lose a failure.
        sqlx::query(
            "INSERT INTO signin_throttle (key, failures) VALUES ($1, 0) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .execute(&mut *conn)
        .await?;
        let next = load(conn, key, true)
            .await?
            .after_failure(now, &for_key(key, policy));
        sqlx::query("UPDATE signin_throttle SET failures = $2, last_failure_at = $3, locked_until = $4 WHERE key = $1")
            .bind(key)
            .bind(i32::try_from(next.failures).unwrap_or(i32::MAX))
            .bind(next.last_failure)
            .bind(next.locked_until)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A success clears the identifier's counter (the address keeps its own).
pub async fn record_success(conn: &mut PgConnection, identifier_key: &str) -> Result<(), ServiceError> {
    sqlx::query("DELETE FROM signin_throttle WHERE key = $1")
        .bind(identifier_key)
        .execute(conn)
        .await?;
    Ok(())
}
