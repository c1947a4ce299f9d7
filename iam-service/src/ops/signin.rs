//! Root sign-in, its MFA step, and sign-out. A wrong email address and a wrong password fail
//! alike: same error, same argon2 work, same audit write. Failures count toward throttling
//! keyed by what was typed and where from.

use crate::audit::{self, Event, Outcome, HIDDEN_ACTOR};
use crate::crypto::SecretBox;
use crate::db::RootCredentialRow;
use crate::ops::{mfa, throttle};
use crate::{Identity, PasswordHasher, RequestMeta, ServiceError};
use iam_core::account::AccountId;
use iam_core::credentials::lockout::LockoutPolicy;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

pub const CONSOLE_LOGIN: &str = "signin:ConsoleLogin";
pub const CONSOLE_LOGOUT: &str = "signin:ConsoleLogout";

/// Where a sign-in stands after the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInStep {
    SignedIn(Identity),
    /// The password was right; a code from an MFA device (or a recovery code) must follow.
    MfaRequired(Identity),
    /// Signed in, but a new password must be set first (reset required, or expired).
    PasswordChangeRequired(Identity),
}

/// How the second factor is proven.
#[derive(Debug, Clone, Copy)]
pub enum MfaProof<'a> {
    Code(&'a str),
    RecoveryCode(&'a str),
}

async fn log(
    conn: &mut PgConnection,
    account: Option<&str>,
    arn: Option<&str>,
    outcome: Outcome,
    reason: Option<&str>,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let event = Event {
        at: now,
        account_id: account,
        actor_arn: arn.unwrap_or(HIDDEN_ACTOR),
        action: CONSOLE_LOGIN,
        resource: arn,
        outcome,
        reason,
        source_identity: None,
    };
    audit::record(conn, &event, meta).await?;
    Ok(())
}

/// A wrong password (or no such user), already counted toward throttling: recorded with the
/// reason, and answered with the one error that reveals nothing.
async fn refuse(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    account: Option<&str>,
    arn: Option<&str>,
    reason: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> ServiceError {
    let recorded = async {
        log(&mut tx, account, arn, Outcome::Failure, Some(reason), now, meta).await?;
        tx.commit().await?;
        Ok::<_, ServiceError>(())
    };
    match recorded.await {
        Ok(()) => ServiceError::InvalidCredentials,
        Err(e) => e,
    }
}

/// Records that the identity's password was just used to sign in (for the credential report).
async fn mark_password_used(
    conn: &mut PgConnection,
    identity: &Identity,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    match identity {
        Identity::Root { account_id } => {
            sqlx::query("UPDATE root_users SET password_last_used_at = $2 WHERE account_id = $1")
                .bind(account_id.as_str())
                .bind(now)
                .execute(conn)
                .await?;
        }
        Identity::User {
            account_id,
            user_name,
            ..
        } => {
            sqlx::query("UPDATE login_profiles SET password_last_used_at = $3 WHERE account_id = $1 AND user_name = $2")
                .bind(account_id.as_str())
                .bind(user_name)
                .bind(now)
                .execute(conn)
                .await?;
        }
        Identity::AssumedRole(_) | Identity::FederatedUser(_) => {}
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn sign_in_root(
    pool: &PgPool,
    hasher: &PasswordHasher,
    email: &str,
    password: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
    lockout: &LockoutPolicy,
) -> Result<SignInStep, ServiceError> {
    let email = email.trim().to_lowercase();
    let keys = throttle::Keys::new(&format!("root:{email}"), meta.source_ip.as_deref());
    let row: Option<RootCredentialRow> =
        sqlx::query_as("SELECT account_id, password_hash FROM root_users WHERE email = $1")
            .bind(&email)
            .fetch_optional(pool)
            .await?;
    let hash = row.as_ref().map(|r| r.password_hash.as_str());
    let (matched, admitted) =
        throttle::verify_counted(pool, hasher, &keys, password, hash, now, lockout).await?;

    let arn = row
        .as_ref()
        .map(|r| format!("arn:aws:iam::{}:root", r.account_id));
    let account = row.as_ref().map(|r| r.account_id.as_str());
    let Some(row) = row.as_ref().filter(|_| matched) else {
        let reason = if row.is_some() {
            "wrong password"
        } else {
            "no root user with this email address"
        };
        let tx = pool.begin().await?;
        return Err(refuse(tx, account, arn.as_deref(), reason, now, meta).await);
    };
    let identity = Identity::Root {
        account_id: AccountId::parse(&row.account_id).map_err(ServiceError::Internal)?,
    };
    // Read before the transaction that locks the counters: no second connection is waited
    // for while they are held.
    let needs_mfa = mfa::has_enabled_device(pool, &identity).await?;
    let mut tx = pool.begin().await?;
    // The password was right: its count is taken back whatever follows.
    throttle::record_success(&mut tx, &admitted, now).await?;
    if needs_mfa {
        // Nothing else is recorded yet: the sign-in is not complete.
        tx.commit().await?;
        return Ok(SignInStep::MfaRequired(identity));
    }
    mark_password_used(&mut tx, &identity, now).await?;
    log(
        &mut tx,
        account,
        arn.as_deref(),
        Outcome::Success,
        None,
        now,
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(SignInStep::SignedIn(identity))
}

/// An IAM user signs in through the account's sign-in link: account ID, user name, password.
/// Unknown accounts and users fail exactly as a wrong password does.
#[allow(clippy::too_many_arguments)]
pub async fn sign_in_user(
    pool: &PgPool,
    hasher: &PasswordHasher,
    account: &str,
    user_name: &str,
    password: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
    lockout: &LockoutPolicy,
) -> Result<SignInStep, ServiceError> {
    let account = account.trim();
    let user_name = user_name.trim();
    // Counted against the account itself, whether it was named by ID or by alias.
    let account_id = crate::ops::aliases::resolve(pool, account).await?;
    let counted_as = account_id.as_ref().map_or(account, AccountId::as_str).to_owned();
    let keys = throttle::Keys::new(
        &format!("user:{counted_as}/{}", user_name.to_lowercase()),
        meta.source_ip.as_deref(),
    );
    let row: Option<(String, String, String, OffsetDateTime, bool, String)> = match &account_id {
        Some(id) => sqlx::query_as(
            "SELECT u.user_name, u.user_id, l.password_hash, l.password_changed_at, l.password_reset_required, u.path
                   FROM iam_users u JOIN login_profiles l USING (account_id, user_name)
                  WHERE u.account_id = $1 AND lower(u.user_name) = lower($2)",
        )
        .bind(id.as_str())
        .bind(user_name)
        .fetch_optional(pool)
        .await?,
        None => None,
    };
    let hash = row.as_ref().map(|r| r.2.as_str());
    let (matched, admitted) =
        throttle::verify_counted(pool, hasher, &keys, password, hash, now, lockout).await?;
    let (Some(account_id), Some((name, user_id, _, changed_at, reset_required, path)), true) =
        (account_id.clone(), row.clone(), matched)
    else {
        let (reason, arn) = match (&account_id, &row) {
            (Some(id), Some((name, _, _, _, _, path))) => (
                "wrong password",
                Some(iam_core::arn::user_arn(id.as_str(), path, name)),
            ),
            _ => ("no such account or user", None),
        };
        let account = account_id
            .as_ref()
            .map(AccountId::as_str)
            .filter(|_| arn.is_some());
        let tx = pool.begin().await?;
        return Err(refuse(tx, account, arn.as_deref(), reason, now, meta).await);
    };
    let identity = Identity::User {
        account_id: account_id.clone(),
        user_name: name,
        user_id,
        path,
    };
    let arn = identity.arn();
    // Read before the transaction that locks the counters: no second connection is waited
    // for while they are held.
    let policy = crate::ops::passwords::get_policy(pool, &account_id).await?;
    let expired = crate::ops::passwords::expired(policy.as_ref(), changed_at, now);
    let needs_mfa = mfa::has_enabled_device(pool, &identity).await?;
    let mut tx = pool.begin().await?;
    throttle::record_success(&mut tx, &admitted, now).await?;
    if expired && policy.as_ref().is_some_and(|p| p.hard_expiry) {
        log(
            &mut tx,
            Some(account_id.as_str()),
            Some(&arn),
            Outcome::Failure,
            Some("password expired; administrator reset required"),
            now,
            meta,
        )
        .await?;
        tx.commit().await?;
        return Err(ServiceError::PasswordExpired);
    }
    if needs_mfa {
        // Whether a new password is owed is decided again when the code is proven.
        tx.commit().await?;
        return Ok(SignInStep::MfaRequired(identity));
    }
    mark_password_used(&mut tx, &identity, now).await?;
    log(
        &mut tx,
        Some(account_id.as_str()),
        Some(&arn),
        Outcome::Success,
        None,
        now,
        meta,
    )
    .await?;
    tx.commit().await?;
    // The same test as `passwords::change_due`, on what this sign-in already loaded.
    if reset_required || expired {
        return Ok(SignInStep::PasswordChangeRequired(identity));
    }
    Ok(SignInStep::SignedIn(identity))
}

/// The second step: a code from one of the identity's devices, or a recovery code. Counted
/// before it is checked, like a password. A user who owes a new password (reset required, or
/// expired) is still sent to change it: proving MFA does not skip that.
pub async fn complete_mfa(
    pool: &PgPool,
    secrets: &SecretBox,
    identity: &Identity,
    proof: MfaProof<'_>,
    now: OffsetDateTime,
    meta: &RequestMeta,
    lockout: &LockoutPolicy,
) -> Result<SignInStep, ServiceError> {
    let arn = identity.arn();
    let account = identity.account_id().as_str();
    let keys = throttle::Keys::new(&format!("mfa:{arn}"), meta.source_ip.as_deref());
    let admitted = throttle::admit(pool, &keys, now, lockout).await?;
    let mut tx = pool.begin().await?;
    let (checked, what) = match proof {
        MfaProof::Code(code) => (
            mfa::verify_code(&mut tx, secrets, identity, None, code, now).await,
            "MFA code",
        ),
        MfaProof::RecoveryCode(code) => (
            mfa::use_recovery_code(&mut tx, identity, code, now).await,
            "recovery code",
        ),
    };
    let proven = match checked {
        Ok(()) => true,
        Err(ServiceError::InvalidMfaCode) => false,
        Err(other) => return Err(other),
    };
    let (outcome, reason) = if proven {
        (Outcome::Success, format!("signed in with {what}"))
    } else {
        (Outcome::Failure, format!("wrong or reused {what}"))
    };
    if proven {
        throttle::record_success(&mut tx, &admitted, now).await?;
        mark_password_used(&mut tx, identity, now).await?;
    } else {
        // The failed attempt (and any step it may have consumed) is rolled back; only the
        // count (already made) and the record stay.
        drop(tx);
        throttle::record_failure(pool, &admitted, now, lockout).await?;
        tx = pool.begin().await?;
    }
    log(
        &mut tx,
        Some(account),
        Some(&arn),
        outcome,
        Some(&reason),
        now,
        meta,
    )
    .await?;
    tx.commit().await?;
    if !proven {
        return Err(ServiceError::InvalidMfaCode);
    }
    if crate::ops::passwords::change_due(pool, identity, now).await? {
        return Ok(SignInStep::PasswordChangeRequired(identity.clone()));
    }
    Ok(SignInStep::SignedIn(identity.clone()))
}

/// Records a sign-out; the session itself is ended by the caller.
pub async fn record_sign_out(
    pool: &PgPool,
    identity: &Identity,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let mut conn = pool.acquire().await?;
    audit::success_by(&mut conn, identity, CONSOLE_LOGOUT, &identity.arn(), now, meta).await?;
    Ok(())
}

/// Records a console sign-in of temporary credentials' identity (through an identity
/// provider or a broker), with the federated user behind it.
pub async fn record_session_sign_in(
    conn: &mut PgConnection,
    identity: &Identity,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    audit::success_by(conn, identity, CONSOLE_LOGIN, &identity.arn(), now, meta).await?;
    Ok(())
}
