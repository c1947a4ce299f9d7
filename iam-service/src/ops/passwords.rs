//! The account's password policy, and changing one's own password.

use crate::audit::{self, Event, Outcome};
use crate::{Identity, PasswordHasher, RequestMeta, ServiceError};
use iam_core::account::AccountId;
use iam_core::credentials::password::{check_default_rules, PasswordContext, PasswordPolicy};
use iam_core::field::FieldError;
use sqlx::PgPool;
use time::OffsetDateTime;

type PolicyRow = (i16, bool, bool, bool, bool, bool, Option<i16>, Option<i16>, bool);

/// The account's policy, or `None` when the default rules apply.
pub async fn get_policy(pool: &PgPool, account: &AccountId) -> Result<Option<PasswordPolicy>, ServiceError> {
    let row: Option<PolicyRow> = sqlx::query_as(
        "SELECT minimum_length, require_uppercase, require_lowercase, require_numbers, require_symbols,
                allow_users_to_change_password, max_password_age, password_reuse_prevention, hard_expiry
           FROM password_policies WHERE account_id = $1",
    )
    .bind(account.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(min, upper, lower, numbers, symbols, allow, age, reuse, hard)| PasswordPolicy {
            minimum_length: u8::try_from(min).unwrap_or(8),
            require_uppercase: upper,
            require_lowercase: lower,
            require_numbers: numbers,
            require_symbols: symbols,
            allow_users_to_change_password: allow,
            max_password_age: age.and_then(|a| u16::try_from(a).ok()),
            password_reuse_prevention: reuse.and_then(|r| u8::try_from(r).ok()),
            hard_expiry: hard,
        },
    ))
}

fn audit_event<'a>(
    identity: &Identity,
    arn: &'a str,
    action: &'a str,
    now: OffsetDateTime,
) -> (String, Event<'a>) {
    let account = identity.account_id().to_string();
    (
        account,
        Event {
            at: now,
            account_id: None,
            actor_arn: arn,
            action,
            resource: Some(arn),
            outcome: Outcome::Success,
            reason: None,
        },
    )
}

/// Sets the account's policy (root only until IAM users can be granted it).
pub async fn set_policy(
    pool: &PgPool,
    identity: &Identity,
    policy: &PasswordPolicy,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let errors = policy.validate();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO password_policies (account_id, minimum_length, require_uppercase, require_lowercase,
            require_numbers, require_symbols, allow_users_to_change_password, max_password_age,
            password_reuse_prevention, hard_expiry, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (account_id) DO UPDATE SET minimum_length = $2, require_uppercase = $3,
            require_lowercase = $4, require_numbers = $5, require_symbols = $6,
            allow_users_to_change_password = $7, max_password_age = $8,
            password_reuse_prevention = $9, hard_expiry = $10, updated_at = $11",
    )
    .bind(identity.account_id().as_str())
    .bind(i16::from(policy.minimum_length))
    .bind(policy.require_uppercase)
    .bind(policy.require_lowercase)
    .bind(policy.require_numbers)
    .bind(policy.require_symbols)
    .bind(policy.allow_users_to_change_password)
    .bind(policy.max_password_age.map(|a| a as i16))
    .bind(policy.password_reuse_prevention.map(i16::from))
    .bind(policy.hard_expiry)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let arn = identity.arn();
    let (account, mut event) = audit_event(identity, &arn, "iam:UpdateAccountPasswordPolicy", now);
    event.account_id = Some(&account);
    audit::record(&mut tx, &event, meta).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_policy(
    pool: &PgPool,
    identity: &Identity,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM password_policies WHERE account_id = $1")
        .bind(identity.account_id().as_str())
        .execute(&mut *tx)
        .await?;
    let arn = identity.arn();
    let (account, mut event) = audit_event(identity, &arn, "iam:DeleteAccountPasswordPolicy", now);
    event.account_id = Some(&account);
    audit::record(&mut tx, &event, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// The rules a new password breaks: the account's policy, or the default rules.
pub fn check_new_password(
    policy: Option<&PasswordPolicy>,
    password: &str,
    context: PasswordContext<'_>,
) -> Vec<String> {
    match policy {
        Some(policy) => policy.check(password, context),
        None => check_default_rules(password, context),
    }
}

/// The root user changes its own password: the current one, then a new one by the rules.
#[allow(clippy::too_many_arguments)]
pub async fn change_root_password(
    pool: &PgPool,
    hasher: &PasswordHasher,
    identity: &Identity,
    current: &str,
    new: &str,
    confirm: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let Identity::Root { account_id } = identity;
    let (hash, email, name): (String, String, String) = sqlx::query_as(
        "SELECT r.password_hash, r.email, a.name FROM root_users r JOIN accounts a USING (account_id) WHERE account_id = $1",
    )
    .bind(account_id.as_str())
    .fetch_one(pool)
    .await?;
    let mut errors = Vec::new();
    if !hasher.verify(current, Some(&hash)).await? {
        errors.push(FieldError::new(
            "current_password",
            "the current password is not correct",
        ));
    }
    let policy = get_policy(pool, account_id).await?;
    let context = PasswordContext {
        account_name: Some(&name),
        email: Some(&email),
        user_name: None,
    };
    for problem in check_new_password(policy.as_ref(), new, context) {
        errors.push(FieldError::new("new_password", problem));
    }
    if new == current && errors.is_empty() {
        errors.push(FieldError::new(
            "new_password",
            "the new password must differ from the current one",
        ));
    }
    if confirm != new {
        errors.push(FieldError::new("confirm_password", "passwords do not match"));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let arn = identity.arn();
    if let Some(keep) = policy.as_ref().and_then(|p| p.password_reuse_prevention) {
        let previous: Vec<String> = sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE principal_arn = $1 ORDER BY set_at DESC LIMIT $2",
        )
        .bind(&arn)
        .bind(i64::from(keep))
        .fetch_all(pool)
        .await?;
        for old in previous {
            if hasher.verify(new, Some(&old)).await? {
                return Err(ServiceError::field(
                    "new_password",
                    format!("the password was used recently; choose one not among your last {keep}"),
                ));
            }
        }
    }
    let new_hash = hasher.hash(new).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO password_history (principal_arn, password_hash, set_at) VALUES ($1, $2, $3)")
        .bind(&arn)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE root_users SET password_hash = $2, password_changed_at = $3 WHERE account_id = $1")
        .bind(account_id.as_str())
        .bind(&new_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let (account, mut event) = audit_event(identity, &arn, "iam:ChangePassword", now);
    event.account_id = Some(&account);
    audit::record(&mut tx, &event, meta).await?;
    tx.commit().await?;
    Ok(())
}
