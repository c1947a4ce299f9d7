//! Root sign-in and sign-out. A wrong email address and a wrong password fail alike: same
//! error, same argon2 work, same audit write.

use crate::audit::{self, Event, Outcome, HIDDEN_ACTOR};
use crate::db::RootCredentialRow;
use crate::{Identity, PasswordHasher, RequestMeta, ServiceError};
use iam_core::account::AccountId;
use sqlx::PgPool;
use time::OffsetDateTime;

pub const CONSOLE_LOGIN: &str = "signin:ConsoleLogin";
pub const CONSOLE_LOGOUT: &str = "signin:ConsoleLogout";

pub async fn sign_in_root(
    pool: &PgPool,
    hasher: &PasswordHasher,
    email: &str,
    password: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<Identity, ServiceError> {
    let email = email.trim().to_lowercase();
    let row: Option<RootCredentialRow> =
        sqlx::query_as("SELECT account_id, password_hash FROM root_users WHERE email = $1")
            .bind(&email)
            .fetch_optional(pool)
            .await?;
    let matched = hasher
        .verify(password, row.as_ref().map(|r| r.password_hash.as_str()))
        .await?;

    let mut tx = pool.begin().await?;
    let result = match &row {
        Some(row) if matched => {
            let account_id = AccountId::parse(&row.account_id).map_err(ServiceError::Internal)?;
            sqlx::query("UPDATE root_users SET password_last_used_at = $2 WHERE account_id = $1")
                .bind(account_id.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            Ok(Identity::Root { account_id })
        }
        _ => Err(ServiceError::InvalidCredentials),
    };

    let arn = row
        .as_ref()
        .map(|r| format!("arn:aws:iam::{}:root", r.account_id));
    let (outcome, reason) = match (&row, &result) {
        (_, Ok(_)) => (Outcome::Success, None),
        (Some(_), Err(_)) => (Outcome::Failure, Some("wrong password")),
        (None, Err(_)) => (Outcome::Failure, Some("no root user with this email address")),
    };
    let event = Event {
        at: now,
        account_id: row.as_ref().map(|r| r.account_id.as_str()),
        actor_arn: arn.as_deref().unwrap_or(HIDDEN_ACTOR),
        action: CONSOLE_LOGIN,
        resource: arn.as_deref(),
        outcome,
        reason,
    };
    audit::record(&mut tx, &event, meta).await?;
    tx.commit().await?;
    result
}

/// Records a sign-out; the session itself is ended by the caller.
pub async fn record_sign_out(
    pool: &PgPool,
    identity: &Identity,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let arn = identity.arn();
    let mut conn = pool.acquire().await?;
    let event = Event {
        at: now,
        account_id: Some(identity.account_id().as_str()),
        actor_arn: &arn,
        action: CONSOLE_LOGOUT,
        resource: Some(&arn),
        outcome: Outcome::Success,
        reason: None,
    };
    audit::record(&mut conn, &event, meta).await?;
    Ok(())
}
