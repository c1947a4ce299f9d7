//! Server functions: session -> identity -> iam-service operation -> a DTO. Nothing else.
//! This module: the session, sign-up and sign-in; the others by console area.

pub mod billing;
pub mod credentials;
pub mod iam;
pub mod keys;
pub mod policies;
pub mod providers;
pub mod roles;
pub mod settings;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who is signed in and in which account: the top bar and the dashboard read it from
/// context, loaded once per page by the console layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whoami {
    pub account_id: String,
    pub account_name: String,
    /// "root", or later "user @ alias".
    pub principal: String,
    pub arn: String,
    /// The account alias, when one is set.
    pub alias: Option<String>,
    /// The sign-in link for the account's IAM users (by alias when there is one).
    pub signin_url: String,
    /// Days before the password expires, when few enough to warn about (15 or fewer).
    pub password_expires_in_days: Option<i64>,
    /// The server's time when the page loaded (ages in lists are counted from it).
    pub now: i64,
    /// The role session the console acts as, after Switch role.
    pub switched: Option<SwitchedView>,
    /// The account the console acts in: the switched role's, else the signed-in one's.
    pub acting_account_id: String,
    /// The last roles switched to (up to five), for the menu.
    pub recent_roles: Vec<RecentRole>,
}

/// The switched role as the top bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchedView {
    pub role_name: String,
    pub account_id: String,
    pub display_name: String,
    pub color: String,
    /// The role session's ARN.
    pub arn: String,
    pub expires_at: i64,
}

/// A role switched to before, offered again in the menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentRole {
    pub account: String,
    pub role_name: String,
    pub display_name: String,
    pub color: String,
}

/// What the sign-up page needs to know before it renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpAvailability {
    pub open: bool,
    pub first_account: bool,
}

#[server(endpoint = "session_info")]
pub async fn session_info() -> Result<Whoami, AppError> {
    use iam_service::ops::accounts::get_account;
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    // A deleted or renamed user's session ends here: every page asks this first.
    let identity = crate::ssr::identity_in(&ctx, &session).await?;
    let account = get_account(&ctx.pool, identity.account_id())
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let base = ctx.settings.base_url.trim_end_matches('/');
    let now = time::OffsetDateTime::now_utc();
    let password_expires_in_days =
        iam_service::ops::passwords::expiry_warning(&ctx.pool, &identity, now).await?;
    let alias = iam_service::ops::aliases::get_alias(&ctx.pool, &account.account_id).await?;
    let link_name = alias.clone().unwrap_or_else(|| account.account_id.to_string());
    let switched = crate::switched::for_page(&ctx, &session, now).await?;
    let recent_roles = crate::switched::recent(&session).await;
    Ok(Whoami {
        now: now.unix_timestamp(),
        password_expires_in_days,
        signin_url: format!("{base}/signin/{link_name}"),
        alias,
        account_id: account.account_id.to_string(),
        account_name: account.name,
        principal: match &identity {
            iam_service::Identity::Root { .. } => "root".into(),
            iam_service::Identity::User { user_name, .. } => user_name.clone(),
            iam_service::Identity::AssumedRole(session) => {
                format!("{}/{}", session.role_name, session.session_name)
            }
            iam_service::Identity::FederatedUser(session) => session.name.clone(),
        },
        arn: identity.arn(),
        acting_account_id: switched
            .as_ref()
            .and_then(|s| s.view())
            .map_or_else(|| account.account_id.to_string(), |v| v.account_id),
        switched: switched.and_then(|s| s.view()),
        recent_roles,
    })
}

#[server(endpoint = "sign_up_state")]
pub async fn sign_up_state() -> Result<SignUpAvailability, AppError> {
    let ctx = crate::ssr::context()?;
    let first_account = !iam_service::ops::accounts::has_accounts(&ctx.pool).await?;
    Ok(SignUpAvailability {
        open: first_account || ctx.settings.allow_signup,
        first_account,
    })
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    password: String,
    password_confirm: String,
    account_name: String,
) -> Result<(), AppError> {
    use iam_core::signup::SignUpInput;
    use iam_service::ops::accounts::{random_account_id, sign_up, SignUpRequest};
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    let now = time::OffsetDateTime::now_utc();
    let meta = crate::ssr::request_meta();
    iam_service::ops::accounts::admit_sign_up(&ctx.pool, &meta, now, ctx.settings.signups_per_hour).await?;
    let request = SignUpRequest {
        input: SignUpInput {
            email: &email,
            password: &password,
            password_confirm: &password_confirm,
            account_name: &account_name,
        },
        open_to_all: ctx.settings.allow_signup,
        now,
    };
    let account = sign_up(&ctx.pool, &ctx.hasher, request, &meta, random_account_id).await?;
    let identity = iam_service::Identity::Root {
        account_id: account.account_id,
    };
    crate::ssr::begin_session(&session, identity, None, now).await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: Option<String>,
    account: Option<String>,
    user_name: Option<String>,
    password: String,
) -> Result<(), AppError> {
    use iam_service::ops::signin::{sign_in_root, sign_in_user};
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    let now = time::OffsetDateTime::now_utc();
    let meta = crate::ssr::request_meta();
    let lockout = &ctx.settings.lockout;
    // The IAM-user form sends an account and a user name; the root form an email address.
    let step = match (account, user_name) {
        (Some(account), Some(user_name)) => {
            sign_in_user(
                &ctx.pool,
                &ctx.hasher,
                &account,
                &user_name,
                &password,
                now,
                &meta,
                lockout,
            )
            .await?
        }
        _ => {
            sign_in_root(
                &ctx.pool,
                &ctx.hasher,
                email.as_deref().unwrap_or(""),
                &password,
                now,
                &meta,
                lockout,
            )
            .await?
        }
    };
    crate::ssr::continue_sign_in(&session, step, None, now).await
}

/// The second sign-in step: a code from an MFA device, or (when `recovery_code` is given) a
/// one-time recovery code.
#[server(endpoint = "verify_mfa")]
pub async fn verify_mfa(code: Option<String>, recovery_code: Option<String>) -> Result<(), AppError> {
    use iam_service::ops::signin::{complete_mfa, MfaProof};
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    let now = time::OffsetDateTime::now_utc();
    let identity = crate::ssr::pending_mfa(&session, now)
        .await
        .ok_or(AppError::NotSignedIn)?;
    let recovery = recovery_code.filter(|c| !c.trim().is_empty());
    let code = code.unwrap_or_default();
    let proof = match &recovery {
        Some(r) => MfaProof::RecoveryCode(r),
        None => MfaProof::Code(&code),
    };
    let meta = crate::ssr::request_meta();
    let step = complete_mfa(
        &ctx.pool,
        &ctx.secrets,
        &identity,
        proof,
        now,
        &meta,
        &ctx.settings.lockout,
    )
    .await?;
    // Signed in, or (a reset or an expired password) sent on to set a new password.
    crate::ssr::continue_sign_in(&session, step, Some(now.unix_timestamp()), now).await
}

/// Whether a password step is waiting for its second factor (the MFA page needs one).
#[server(endpoint = "mfa_pending")]
pub async fn mfa_pending() -> Result<bool, AppError> {
    let session = crate::ssr::request_session().await?;
    Ok(crate::ssr::pending_mfa(&session, time::OffsetDateTime::now_utc())
        .await
        .is_some())
}

/// The new password a signed-in user must set before anything else (reset required by an
/// administrator, or expired).
#[server(endpoint = "change_expired_password")]
pub async fn change_expired_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    let now = time::OffsetDateTime::now_utc();
    let identity = crate::ssr::identity_owing_password(&session, &ctx, now)
        .await
        .ok_or(AppError::NotSignedIn)?;
    iam_service::ops::passwords::change_own_password(
        &ctx.pool,
        &ctx.hasher,
        &identity,
        &current_password,
        &new_password,
        &confirm_password,
        true,
        now,
        &crate::ssr::request_meta(),
        &ctx.settings.lockout,
    )
    .await?;
    crate::ssr::password_changed(&session).await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use iam_service::ops::signin::record_sign_out;
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    let now = time::OffsetDateTime::now_utc();
    if let Some(identity) = crate::ssr::session_identity(&session, ctx.settings.session_lifetime, now).await {
        record_sign_out(&ctx.pool, &identity, now, &crate::ssr::request_meta()).await?;
    }
    session
        .flush()
        .await
        .map_err(|e| iam_service::ServiceError::Internal(format!("end session: {e}")))?;
    leptos_axum::redirect("/signin");
    Ok(())
}
