//! Brute-force throttling in Postgres: the counters of iam-core's lockout state machine,
//! shared by every server process. Keys are built from what was typed, never from lookups.
//!
//! An attempt is counted *before* its password is checked, atomically (row locks taken in
//! key order), so a burst of concurrent guesses gets at most one batch of real checks per
//! identifier; the address counts failures after the check. A success takes back only what
//! it was itself counted: failures others made stay.

use crate::ServiceError;
use iam_core::credentials::lockout::{LockoutPolicy, LockoutState};
use sqlx::{PgConnection, PgPool};
use std::net::IpAddr;
use time::OffsetDateTime;

/// What one attempt is counted against, each key with its share of the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    keys: Vec<(String, Kind)>,
    /// The identifier and the address, to remember where the identifier signed in from.
    who: String,
    address: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The identifier typed, from this address: the tight limit. An attacker's failures
    /// from one address do not lock the owner signing in from another.
    Pair,
    /// The identifier from anywhere: a much higher ceiling, against distributed guessing.
    /// It does not hold back an address the identifier signed in from before.
    Identifier,
    /// The address, whatever was typed: many people can share one (offices, NAT).
    Address,
    /// A plain rate per address (sign-ups): the limit as given.
    Rate,
}

/// How many times the base limit the identifier and the address each get.
const WIDE_FACTOR: u32 = 10;
/// Longer identifiers are cut before they become keys (an email address is at most 320).
const MAX_IDENTIFIER: usize = 320;
/// An address the identifier signed in from stays known this long after its last success.
const KNOWN_FOR_SECONDS: i64 = 90 * 86_400;
/// Counters without a lock and without a failure this long are forgotten.
const STALE_SECONDS: i64 = 86_400;

/// The address as throttling counts it: an IPv6 address by its /64 (one subscriber's
/// network: rotating within it must not give fresh counters), an IPv4 address as it is.
fn counted_address(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                format!("{}/64", std::net::Ipv6Addr::from(segments))
            }
        },
        _ => ip.to_owned(),
    }
}

fn bounded(text: &str) -> String {
    text.trim().to_lowercase().chars().take(MAX_IDENTIFIER).collect()
}

impl Keys {
    pub fn new(identifier: &str, source_ip: Option<&str>) -> Self {
        let who = bounded(identifier);
        let address = source_ip.map(counted_address);
        // Without an address the tight limit still holds, on the identifier alone.
        let at = address.as_deref().unwrap_or("unknown");
        let mut keys = vec![
            (format!("who:{who}"), Kind::Identifier),
            (format!("pair:{who}@{at}"), Kind::Pair),
        ];
        if let Some(ip) = &address {
            keys.push((format!("ip:{ip}"), Kind::Address));
        }
        // Row locks are always taken in this order, so two attempts cannot deadlock.
        keys.sort();
        Self { keys, who, address }
    }

    /// One key per address for `scope` (an unknown address shares one key).
    pub fn rate(scope: &str, source_ip: Option<&str>) -> Self {
        let ip = source_ip.map_or_else(|| "unknown".to_owned(), counted_address);
        Self {
            keys: vec![(format!("{scope}:{ip}"), Kind::Rate)],
            who: scope.to_owned(),
            address: Some(ip),
        }
    }

    fn limit(kind: Kind, policy: &LockoutPolicy) -> LockoutPolicy {
        match kind {
            Kind::Pair | Kind::Rate => *policy,
            Kind::Identifier | Kind::Address => LockoutPolicy {
                max_failures: policy.max_failures.saturating_mul(WIDE_FACTOR),
                ..*policy
            },
        }
    }
}

/// An attempt that was counted and let through: the locks it knew of, to tell a lock that
/// began while it waited for a hash from one it was counted into.
#[derive(Debug)]
pub struct Admitted {
    keys: Keys,
    locks: Vec<(String, u32)>,
}

type Row = (i32, i32, Option<i64>, Option<i64>);

fn state_of(row: Option<Row>) -> LockoutState {
    row.map_or_else(
        LockoutState::default,
        |(failures, locks, last_failure, locked_until)| LockoutState {
            failures: u32::try_from(failures).unwrap_or(0),
            locks: u32::try_from(locks).unwrap_or(0),
            last_failure,
            locked_until,
        },
    )
}

async fn load(conn: &mut PgConnection, key: &str) -> Result<LockoutState, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT failures, locks, last_failure_at, locked_until FROM signin_throttle WHERE key = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(state_of(row))
}

/// The key's row, created if missing, locked until the transaction ends (one statement:
/// a concurrent delete cannot slip between creating and locking it).
async fn lock_row(conn: &mut PgConnection, key: &str) -> Result<LockoutState, sqlx::Error> {
    let row: Row = sqlx::query_as(
        "INSERT INTO signin_throttle AS t (key, failures) VALUES ($1, 0)
         ON CONFLICT (key) DO UPDATE SET key = t.key
         RETURNING failures, locks, last_failure_at, locked_until",
    )
    .bind(key)
    .fetch_one(conn)
    .await?;
    Ok(state_of(Some(row)))
}

/// Whether the identifier signed in from this address before (recently enough).
async fn is_known(pool: &PgPool, keys: &Keys, at: i64) -> Result<bool, sqlx::Error> {
    let Some(address) = &keys.address else {
        return Ok(false);
    };
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM signin_known_addresses
                         WHERE identifier = $1 AND address = $2 AND last_success_at > $3)",
    )
    .bind(&keys.who)
    .bind(address)
    .bind(at - KNOWN_FOR_SECONDS)
    .fetch_one(pool)
    .await
}

async fn store(conn: &mut PgConnection, key: &str, state: &LockoutState) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE signin_throttle SET failures = $2, locks = $3, last_failure_at = $4, locked_until = $5
          WHERE key = $1",
    )
    .bind(key)
    .bind(i32::try_from(state.failures).unwrap_or(i32::MAX))
    .bind(i32::try_from(state.locks).unwrap_or(i32::MAX))
    .bind(state.last_failure)
    .bind(state.locked_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one attempt on every key, or refuses it (`Throttled`) while any key is locked.
/// A refused attempt only bumps an hourly counter: no audit row, so a flood stays small.
pub async fn admit(
    pool: &PgPool,
    keys: &Keys,
    now: OffsetDateTime,
    policy: &LockoutPolicy,
) -> Result<Admitted, ServiceError> {
    let at = now.unix_timestamp();
    let known = is_known(pool, keys, at).await?;
    let mut tx = pool.begin().await?;
    let mut next = Vec::new();
    let mut seen = Vec::new();
    for (key, kind) in &keys.keys {
        let state = lock_row(&mut tx, key).await?;
        let exempt = *kind == Kind::Identifier && known;
        if let Some(seconds) = state.wait_left(at).filter(|_| !exempt) {
            drop(tx);
            count_throttled(pool, key, now).await?;
            return Err(ServiceError::Throttled { seconds });
        }
        // The address counts failures only, after the check (`record_failure`): people
        // behind one address signing in successfully must not add up to a lock.
        if *kind == Kind::Address {
            seen.push((key.clone(), state.locks));
        } else {
            let counted = state.after_failure(at, &Keys::limit(*kind, policy));
            seen.push((key.clone(), counted.locks));
            next.push((key.clone(), counted));
        }
    }
    for (key, state) in &next {
        store(&mut tx, key, state).await?;
    }
    tx.commit().await?;
    Ok(Admitted {
        keys: keys.clone(),
        locks: seen,
    })
}

/// Checked again once a hash permit is granted: refuses when a key was locked by attempts
/// counted after this one, while it waited in the queue.
pub async fn recheck(pool: &PgPool, admitted: &Admitted, now: OffsetDateTime) -> Result<(), ServiceError> {
    let mut conn = pool.acquire().await?;
    for (key, locks_then) in &admitted.locks {
        let state = load(&mut conn, key).await?;
        if let Some(seconds) = state.wait_left(now.unix_timestamp()) {
            if state.locks > *locks_then {
                count_throttled(pool, key, now).await?;
                return Err(ServiceError::Throttled { seconds });
            }
        }
    }
    Ok(())
}

/// A success clears the identifier's counter at this address, takes its own count back from
/// the identifier's (failures others made from elsewhere still count: the owner signing in
/// must not reset a distributed attacker's budget) and remembers the address as known. The
/// address's failures stay: signing in to one's own account between guesses at others must
/// not reset them.
pub async fn record_success(
    conn: &mut PgConnection,
    admitted: &Admitted,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    let keys = &admitted.keys;
    for (key, kind) in &keys.keys {
        let sql = match kind {
            Kind::Pair => "DELETE FROM signin_throttle WHERE key = $1",
            Kind::Identifier => {
                "UPDATE signin_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0"
            }
            Kind::Address | Kind::Rate => continue,
        };
        sqlx::query(sql).bind(key).execute(&mut *conn).await?;
    }
    if let Some(address) = &keys.address {
        sqlx::query(
            "INSERT INTO signin_known_addresses (identifier, address, last_success_at) VALUES ($1, $2, $3)
             ON CONFLICT (identifier, address) DO UPDATE SET last_success_at = EXCLUDED.last_success_at",
        )
        .bind(&keys.who)
        .bind(address)
        .bind(now.unix_timestamp())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A failed check: counted on the address (the other keys counted the attempt already).
pub async fn record_failure(
    pool: &PgPool,
    admitted: &Admitted,
    now: OffsetDateTime,
    policy: &LockoutPolicy,
) -> Result<(), ServiceError> {
    let at = now.unix_timestamp();
    for (key, kind) in &admitted.keys.keys {
        if *kind == Kind::Address {
            let mut tx = pool.begin().await?;
            let state = lock_row(&mut tx, key).await?;
            store(
                &mut tx,
                key,
                &state.after_failure(at, &Keys::limit(*kind, policy)),
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Forgets counters with no lock and no failure for a day, and addresses not signed in from
/// for 90 days: the tables stay the size of what is going on now.
pub async fn forget_stale(pool: &PgPool, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let at = now.unix_timestamp();
    let counters = sqlx::query(
        "DELETE FROM signin_throttle
          WHERE coalesce(locked_until, 0) < $1 AND coalesce(last_failure_at, 0) < $2",
    )
    .bind(at)
    .bind(at - STALE_SECONDS)
    .execute(pool)
    .await?
    .rows_affected();
    let known = sqlx::query("DELETE FROM signin_known_addresses WHERE last_success_at < $1")
        .bind(at - KNOWN_FOR_SECONDS)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(counters + known)
}

async fn count_throttled(pool: &PgPool, key: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO throttled_attempts (key, window_start, attempts)
              VALUES ($1, date_trunc('hour', $2::timestamptz), 1)
         ON CONFLICT (key, window_start) DO UPDATE SET attempts = throttled_attempts.attempts + 1",
    )
    .bind(key)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Attempts refused for `key` in the hour that holds `at` (for operators and tests).
pub async fn throttled_count(pool: &PgPool, key: &str, at: OffsetDateTime) -> Result<i64, ServiceError> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT attempts FROM throttled_attempts WHERE key = $1 AND window_start = date_trunc('hour', $2::timestamptz)",
    )
    .bind(key)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    Ok(n.unwrap_or(0))
}

/// Counts a password attempt, waits for a turn to hash, checks the lock again now that the
/// turn has come, then verifies. On a match the caller takes the count back with
/// `record_success` in its own transaction.
#[allow(clippy::too_many_arguments)]
pub async fn verify_counted(
    pool: &PgPool,
    hasher: &crate::PasswordHasher,
    keys: &Keys,
    password: &str,
    hash: Option<&str>,
    now: OffsetDateTime,
    policy: &LockoutPolicy,
) -> Result<(bool, Admitted), ServiceError> {
    let admitted = admit(pool, keys, now, policy).await?;
    let permit = hasher.permit().await?;
    recheck(pool, &admitted, now).await?;
    let matched = hasher.verify_with(permit, password, hash).await?;
    if !matched {
        record_failure(pool, &admitted, now, policy).await?;
    }
    Ok((matched, admitted))
}
