//! Sign-up (a new account and its root user) and reading an account.

use crate::audit::{self, Event, Outcome};
use crate::db::{Account, AccountRow};
use crate::{PasswordHasher, RequestMeta, ServiceError};
use iam_core::account::AccountId;
use iam_core::signup::{validate_sign_up, SignUpInput};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// How many random IDs to try before giving up; a collision is already a one-in-10^12 event.
const ID_ATTEMPTS: usize = 8;

/// Serialises sign-ups while sign-up is closed to all but the first account, so two people
/// racing to be first cannot both win.
const FIRST_ACCOUNT_LOCK: i64 = 0x1a3_5157_0001;

pub struct SignUpRequest<'a> {
    pub input: SignUpInput<'a>,
    /// False once configuration closes sign-up: only the very first account may be made.
    pub open_to_all: bool,
    pub now: OffsetDateTime,
}

/// Creates an account with a fresh 12-digit ID and its root user. `next_id` draws candidate
/// IDs (random in production; tests pass colliding ones).
pub async fn sign_up(
    pool: &PgPool,
    hasher: &PasswordHasher,
    request: SignUpRequest<'_>,
    meta: &RequestMeta,
    mut next_id: impl FnMut() -> AccountId + Send,
) -> Result<Account, ServiceError> {
    let valid = validate_sign_up(&request.input).map_err(ServiceError::Invalid)?;
    let inputs = [request.input.email, request.input.account_name];
    if let Some(problem) = crate::ops::passwords::guessable(request.input.password, &inputs) {
        return Err(ServiceError::field("password", problem));
    }
    // Hash before the transaction: it is the slow part and needs no locks.
    let password_hash = hasher.hash(request.input.password).await?;

    let mut tx = pool.begin().await?;
    if !request.open_to_all {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(FIRST_ACCOUNT_LOCK)
            .execute(&mut *tx)
            .await?;
        if any_account_exists(&mut tx).await? {
            return Err(ServiceError::SignUpClosed);
        }
    }
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM root_users WHERE email = $1)")
        .bind(&valid.email)
        .fetch_one(&mut *tx)
        .await?;
    if taken {
        return Err(ServiceError::field(
            "email",
            "an account with this email address already exists",
        ));
    }

    let account_id = insert_account(&mut tx, &valid.account_name, request.now, &mut next_id).await?;
    let inserted = sqlx::query(
        "INSERT INTO root_users (account_id, email, password_hash, password_changed_at, created_at)
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(account_id.as_str())
    .bind(&valid.email)
    .bind(&password_hash)
    .bind(request.now)
    .execute(&mut *tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &inserted {
        // A concurrent sign-up with the same address won the race after our check.
        if e.is_unique_violation() {
            return Err(ServiceError::field(
                "email",
                "an account with this email address already exists",
            ));
        }
    }
    inserted?;

    let arn = iam_core::arn::root_arn(&account_id);
    let event = Event {
        at: request.now,
        account_id: Some(account_id.as_str()),
        actor_arn: &arn,
        action: "signup:CreateAccount",
        resource: Some(&arn),
        outcome: Outcome::Success,
        reason: None,
        source_identity: None,
    };
    audit::record(&mut tx, &event, meta).await?;
    tx.commit().await?;

    Ok(Account {
        account_id,
        name: valid.account_name,
        root_email: valid.email,
        created_at: request.now,
    })
}

/// Counts a sign-up from the request's address, or refuses it (`Throttled`) once the
/// address has made `per_hour` within an hour. Called by the console before `sign_up`
/// (an operator's `account create` is not limited).
pub async fn admit_sign_up(
    pool: &PgPool,
    meta: &RequestMeta,
    now: OffsetDateTime,
    per_hour: u32,
) -> Result<(), ServiceError> {
    let keys = crate::ops::throttle::Keys::rate("signup", meta.source_ip.as_deref());
    let rate = iam_core::credentials::lockout::LockoutPolicy {
        max_failures: per_hour.max(1),
        wait_increment: 3600,
        max_wait: 3600,
        reset_after: 3600,
    };
    crate::ops::throttle::admit(pool, &keys, now, &rate).await?;
    Ok(())
}

/// A candidate account ID from the operating system's random generator.
pub fn random_account_id() -> AccountId {
    AccountId::generate(&mut rand::rngs::OsRng)
}

async fn insert_account(
    conn: &mut PgConnection,
    name: &str,
    now: OffsetDateTime,
    next_id: &mut (impl FnMut() -> AccountId + Send),
) -> Result<AccountId, ServiceError> {
    for _ in 0..ID_ATTEMPTS {
        let candidate = next_id();
        let inserted = sqlx::query(
            "INSERT INTO accounts (account_id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(candidate.as_str())
        .bind(name)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(candidate);
        }
        tracing::warn!(account_id = %candidate, "account ID collision; drawing another");
    }
    Err(ServiceError::Internal(format!(
        "no free account ID after {ID_ATTEMPTS} attempts"
    )))
}

async fn any_account_exists(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts)")
        .fetch_one(conn)
        .await
}

/// Whether anyone has signed up yet: the console opens on sign-up until then.
pub async fn has_accounts(pool: &PgPool) -> Result<bool, ServiceError> {
    let mut conn = pool.acquire().await?;
    Ok(any_account_exists(&mut conn).await?)
}

pub async fn get_account(pool: &PgPool, account_id: &AccountId) -> Result<Option<Account>, ServiceError> {
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT a.account_id, a.name, r.email, a.created_at
           FROM accounts a JOIN root_users r USING (account_id)
          WHERE a.account_id = $1",
    )
    .bind(account_id.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(Account::try_from).transpose()
}
