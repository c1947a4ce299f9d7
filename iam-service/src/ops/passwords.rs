//! The account's password policy, and changing one's own password.

use crate::audit;
use crate::ops::throttle;
use crate::{Identity, PasswordHasher, RequestMeta, ServiceError};
use iam_core::account::AccountId;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_core::credentials::password::{check_default_rules, PasswordContext, PasswordPolicy};
use iam_core::field::FieldError;
use sqlx::PgPool;
use time::OffsetDateTime;

type PolicyRow = (
    i16,
    bool,
    bool,
    bool,
    bool,
    bool,
    Option<i16>,
    Option<i16>,
    bool,
    bool,
);

/// The account's policy, or `None` when the default rules apply.
pub async fn get_policy(pool: &PgPool, account: &AccountId) -> Result<Option<PasswordPolicy>, ServiceError> {
    let row: Option<PolicyRow> = sqlx::query_as(
        "SELECT minimum_length, require_uppercase, require_lowercase, require_numbers, require_symbols,
                allow_users_to_change_password, max_password_age, password_reuse_prevention, hard_expiry,
                refuse_guessable
           FROM password_policies WHERE account_id = $1",
    )
    .bind(account.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(min, upper, lower, numbers, symbols, allow, age, reuse, hard, guessable)| PasswordPolicy {
            minimum_length: u8::try_from(min).unwrap_or(8),
            require_uppercase: upper,
            require_lowercase: lower,
            require_numbers: numbers,
            require_symbols: symbols,
            allow_users_to_change_password: allow,
            max_password_age: age.and_then(|a| u16::try_from(a).ok()),
            password_reuse_prevention: reuse.and_then(|r| u8::try_from(r).ok()),
            hard_expiry: hard,
            refuse_guessable: guessable,
        },
    ))
}

/// The policy as Account settings shows it (`iam:GetAccountPasswordPolicy`).
pub async fn read_policy(
    pool: &PgPool,
    caller: &crate::Caller<'_>,
) -> Result<Option<PasswordPolicy>, ServiceError> {
    let mut conn = pool.acquire().await?;
    crate::authz::authorize(
        &mut conn,
        caller.identity,
        caller.meta,
        caller.now,
        "iam:GetAccountPasswordPolicy",
        "*",
    )
    .await?;
    drop(conn);
    get_policy(pool, caller.identity.account_id()).await
}

/// Sets the account's policy (`iam:UpdateAccountPasswordPolicy`).
pub async fn set_policy(
    pool: &PgPool,
    identity: &Identity,
    policy: &PasswordPolicy,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    crate::authz::authorize(
        &mut tx,
        identity,
        meta,
        now,
        "iam:UpdateAccountPasswordPolicy",
        "*",
    )
    .await?;
    let errors = policy.validate();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    sqlx::query(
        "INSERT INTO password_policies (account_id, minimum_length, require_uppercase, require_lowercase,
            require_numbers, require_symbols, allow_users_to_change_password, max_password_age,
            password_reuse_prevention, hard_expiry, updated_at, refuse_guessable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (account_id) DO UPDATE SET minimum_length = $2, require_uppercase = $3,
            require_lowercase = $4, require_numbers = $5, require_symbols = $6,
            allow_users_to_change_password = $7, max_password_age = $8,
            password_reuse_prevention = $9, hard_expiry = $10, updated_at = $11, refuse_guessable = $12",
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
    .bind(policy.refuse_guessable)
    .execute(&mut *tx)
    .await?;
    let arn = identity.arn();
    audit::success_by(
        &mut tx,
        identity,
        "iam:UpdateAccountPasswordPolicy",
        &arn,
        now,
        meta,
    )
    .await?;
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
    crate::authz::authorize(
        &mut tx,
        identity,
        meta,
        now,
        "iam:DeleteAccountPasswordPolicy",
        "*",
    )
    .await?;
    sqlx::query("DELETE FROM password_policies WHERE account_id = $1")
        .bind(identity.account_id().as_str())
        .execute(&mut *tx)
        .await?;
    let arn = identity.arn();
    audit::success_by(
        &mut tx,
        identity,
        "iam:DeleteAccountPasswordPolicy",
        &arn,
        now,
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rules a new password breaks: the account's policy, or the default rules; and, unless the
/// policy turns it off, whether it is easy to guess.
pub fn check_new_password(
    policy: Option<&PasswordPolicy>,
    password: &str,
    context: PasswordContext<'_>,
) -> Vec<String> {
    let mut problems = match policy {
        Some(policy) => policy.check(password, context),
        None => check_default_rules(password, context),
    };
    if policy.is_none_or(|p| p.refuse_guessable) {
        let inputs: Vec<&str> = [context.account_name, context.email, context.user_name]
            .into_iter()
            .flatten()
            .collect();
        problems.extend(guessable(password, &inputs));
    }
    problems
}

/// zxcvbn's verdict when a password scores below 3 of 4, with its advice.
pub fn guessable(password: &str, inputs: &[&str]) -> Option<String> {
    if password.is_empty() || password.chars().count() > 128 {
        return None;
    }
    let entropy = zxcvbn::zxcvbn(password, inputs);
    if (entropy.score() as u8) >= 3 {
        return None;
    }
    let mut message = String::from("password is easy to guess");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push_str(&format!(
                ": {}",
                warning.to_string().trim_end_matches('.').to_lowercase()
            ));
        }
        if let Some(tip) = feedback.suggestions().first() {
            message.push_str(&format!(
                "; {}",
                tip.to_string().trim_end_matches('.').to_lowercase()
            ));
        }
    }
    Some(message)
}

/// Whether `identity` must set a new password before using the console: an administrator
/// required it, or the password is older than the policy allows. (Root passwords do not expire.)
pub async fn change_due(
    pool: &PgPool,
    identity: &Identity,
    now: OffsetDateTime,
) -> Result<bool, ServiceError> {
    let Identity::User {
        account_id,
        user_name,
        ..
    } = identity
    else {
        return Ok(false);
    };
    let row: Option<(OffsetDateTime, bool)> = sqlx::query_as(
        "SELECT password_changed_at, password_reset_required FROM login_profiles WHERE account_id = $1 AND user_name = $2",
    )
    .bind(account_id.as_str())
    .bind(user_name)
    .fetch_optional(pool)
    .await?;
    let Some((changed_at, reset_required)) = row else {
        return Ok(false);
    };
    let policy = get_policy(pool, account_id).await?;
    Ok(reset_required || expired(policy.as_ref(), changed_at, now))
}

/// Whole days left before an IAM user's password expires, when 15 or fewer: AWS warns
/// that far ahead.
pub async fn expiry_warning(
    pool: &PgPool,
    identity: &Identity,
    now: OffsetDateTime,
) -> Result<Option<i64>, ServiceError> {
    let Identity::User {
        account_id,
        user_name,
        ..
    } = identity
    else {
        return Ok(None);
    };
    let changed: Option<OffsetDateTime> = sqlx::query_scalar(
        "SELECT password_changed_at FROM login_profiles WHERE account_id = $1 AND user_name = $2",
    )
    .bind(account_id.as_str())
    .bind(user_name)
    .fetch_optional(pool)
    .await?;
    let Some(changed) = changed else { return Ok(None) };
    let Some(days) = get_policy(pool, account_id)
        .await?
        .and_then(|p| p.max_password_age)
    else {
        return Ok(None);
    };
    let left = (changed + time::Duration::days(i64::from(days)) - now).whole_days();
    Ok((0..=15).contains(&left).then_some(left))
}

/// Whether a password set at `changed_at` has outlived the policy's maximum age.
pub fn expired(policy: Option<&PasswordPolicy>, changed_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    policy
        .and_then(|p| p.max_password_age)
        .is_some_and(|days| now - changed_at >= time::Duration::days(i64::from(days)))
}

/// The stored hash and what a new password must not repeat, for root or an IAM user.
async fn current_credentials(
    pool: &PgPool,
    identity: &Identity,
) -> Result<(String, Vec<String>), ServiceError> {
    match identity {
        Identity::Root { account_id } => {
            let (hash, email, name): (String, String, String) = sqlx::query_as(
                "SELECT r.password_hash, r.email, a.name FROM root_users r JOIN accounts a USING (account_id)
                  WHERE account_id = $1",
            )
            .bind(account_id.as_str())
            .fetch_one(pool)
            .await?;
            Ok((hash, vec![name, email]))
        }
        Identity::User {
            account_id,
            user_name,
            ..
        } => {
            let hash: Option<String> = sqlx::query_scalar(
                "SELECT password_hash FROM login_profiles WHERE account_id = $1 AND user_name = $2",
            )
            .bind(account_id.as_str())
            .bind(user_name)
            .fetch_optional(pool)
            .await?;
            let hash = hash.ok_or_else(|| {
                ServiceError::NoSuchEntity(format!("the user {user_name} has no console password"))
            })?;
            Ok((hash, vec![user_name.clone()]))
        }
        // A role session or a federated user has no password of its own.
        Identity::AssumedRole(_) | Identity::FederatedUser(_) => Err(crate::ops::access_keys::not_a_user()),
    }
}

/// Changes one's own password: the current one, then a new one by the account's rules.
/// IAM users may do so when the password policy allows it, or when a change is due at
/// sign-in (`forced`).
#[allow(clippy::too_many_arguments)]
pub async fn change_own_password(
    pool: &PgPool,
    hasher: &PasswordHasher,
    identity: &Identity,
    current: &str,
    new: &str,
    confirm: &str,
    forced: bool,
    now: OffsetDateTime,
    meta: &RequestMeta,
    lockout: &LockoutPolicy,
) -> Result<(), ServiceError> {
    let account_id = identity.account_id();
    let arn = identity.arn();
    let policy = get_policy(pool, account_id).await?;
    // As on AWS: a user may change their own password when the password policy lets every
    // user, when a policy grants iam:ChangePassword (IAMUserChangePassword), or when a change
    // is owed at sign-in.
    if matches!(identity, Identity::User { .. })
        && !forced
        && !policy.as_ref().is_some_and(|p| p.allow_users_to_change_password)
    {
        let mut conn = pool.acquire().await?;
        crate::authz::authorize(&mut conn, identity, meta, now, "iam:ChangePassword", &arn).await?;
    }
    let (hash, names) = current_credentials(pool, identity).await?;
    prove_current(pool, hasher, identity, current, &hash, now, meta, lockout).await?;
    let errors = new_password_problems(policy.as_ref(), identity, &names, current, new, confirm);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Some(keep) = policy.as_ref().and_then(|p| p.password_reuse_prevention) {
        refuse_reuse(pool, hasher, &arn, keep, new).await?;
    }
    let new_hash = hasher.hash(new).await?;
    let mut tx = pool.begin().await?;
    store_password(&mut tx, identity, &hash, &new_hash, now).await?;
    audit::success_by(&mut tx, identity, "iam:ChangePassword", &arn, now, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// The current password, checked like a sign-in: counted before the hash and throttled, a
/// wrong one recorded, and answered alone whatever else is wrong with the request (a stolen
/// key or session must not make it an oracle). Keyed by the user ID, which a rename or a move
/// does not change.
#[allow(clippy::too_many_arguments)]
async fn prove_current(
    pool: &PgPool,
    hasher: &PasswordHasher,
    identity: &Identity,
    current: &str,
    hash: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
    lockout: &LockoutPolicy,
) -> Result<(), ServiceError> {
    let who = match identity {
        Identity::Root { account_id } => format!("change:root:{account_id}"),
        Identity::User { user_id, .. } => format!("change:{user_id}"),
        other => format!("change:{}", other.unique_id()),
    };
    let keys = throttle::Keys::new(&who, meta.source_ip.as_deref());
    let (matched, admitted) =
        throttle::verify_counted(pool, hasher, &keys, current, Some(hash), now, lockout).await?;
    if matched {
        let mut conn = pool.acquire().await?;
        throttle::record_success(&mut conn, &admitted, now).await?;
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let (failure, reason) = (audit::Outcome::Failure, Some("wrong current password"));
    let arn = identity.arn();
    audit::record_by(
        &mut tx,
        identity,
        "iam:ChangePassword",
        &arn,
        failure,
        reason,
        now,
        meta,
    )
    .await?;
    tx.commit().await?;
    Err(ServiceError::field(
        "current_password",
        "the current password is not correct",
    ))
}

/// What is wrong with the new password (and its confirmation), field by field.
fn new_password_problems(
    policy: Option<&PasswordPolicy>,
    identity: &Identity,
    names: &[String],
    current: &str,
    new: &str,
    confirm: &str,
) -> Vec<FieldError> {
    let context = match identity {
        Identity::Root { .. } => PasswordContext {
            account_name: names.first().map(String::as_str),
            email: names.get(1).map(String::as_str),
            user_name: None,
        },
        Identity::User { .. } | Identity::AssumedRole(_) | Identity::FederatedUser(_) => PasswordContext {
            account_name: None,
            email: None,
            user_name: names.first().map(String::as_str),
        },
    };
    let mut errors: Vec<FieldError> = check_new_password(policy, new, context)
        .into_iter()
        .map(|problem| FieldError::new("new_password", problem))
        .collect();
    if new == current && errors.is_empty() {
        errors.push(FieldError::new(
            "new_password",
            "the new password must differ from the current one",
        ));
    }
    if confirm != new {
        errors.push(FieldError::new("confirm_password", "passwords do not match"));
    }
    errors
}

/// Refuses a password among the last `keep` (the policy's PasswordReusePrevention).
async fn refuse_reuse(
    pool: &PgPool,
    hasher: &PasswordHasher,
    arn: &str,
    keep: u8,
    new: &str,
) -> Result<(), ServiceError> {
    let previous: Vec<String> = sqlx::query_scalar(
        "SELECT password_hash FROM password_history WHERE principal_arn = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(arn)
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
    Ok(())
}

/// Keeps the old hash in the history and stores the new one (a user's reset flag clears).
async fn store_password(
    conn: &mut sqlx::PgConnection,
    identity: &Identity,
    old_hash: &str,
    new_hash: &str,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    sqlx::query("INSERT INTO password_history (principal_arn, password_hash, set_at) VALUES ($1, $2, $3)")
        .bind(identity.arn())
        .bind(old_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    match identity {
        Identity::Root { account_id } => {
            sqlx::query(
                "UPDATE root_users SET password_hash = $2, password_changed_at = $3 WHERE account_id = $1",
            )
            .bind(account_id.as_str())
            .bind(new_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Identity::User {
            account_id,
            user_name,
            ..
        } => {
            sqlx::query(
                "UPDATE login_profiles SET password_hash = $3, password_changed_at = $4, password_reset_required = false
                  WHERE account_id = $1 AND user_name = $2",
            )
            .bind(account_id.as_str())
            .bind(user_name)
            .bind(new_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Identity::AssumedRole(_) | Identity::FederatedUser(_) => {
            return Err(crate::ops::access_keys::not_a_user())
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_passwords_are_refused_with_advice() {
        let weak = guessable("Password1!", &[]).unwrap();
        assert!(weak.starts_with("password is easy to guess"), "{weak}");
        assert!(guessable("alice2026!", &["alice"]).is_some());
        for strong in [
            "Correct-h0rse-battery",
            "Copper-Kettle-Sings-93",
            "Quiet-Meadow-42-Lantern",
            "Initial-Harbor-7-Lantern",
        ] {
            assert_eq!(guessable(strong, &["alice", "Acme"]), None, "{strong}");
        }
    }
}
