//! Switch role in the console: the signed-in user assumes a role (decided by the role's
//! trust policy, exactly as AssumeRole), and the console then acts as that role session
//! until it ends (one hour), the role is deleted, or the person switches back. The session
//! keeps the role session beside the sign-in, never in its place: switching back needs no
//! new sign-in.

use crate::api::{RecentRole, SwitchedView};
use crate::error::AppError;
use crate::ssr::{CallerParts, ServerContext};
use iam_service::Identity;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;

const SWITCHED_KEY: &str = "switched_role";
const RECENT_KEY: &str = "recent_roles";
/// Set when a switched role session ended behind the person's back (its hour was up, its role
/// deleted): actions are refused until a page is loaded again, so that nothing meant for the
/// role runs as the signed-in identity instead.
const ENDED_KEY: &str = "switched_role_ended";
/// The console's role sessions last an hour, as AWS's.
const SWITCH_SECONDS: i64 = 3600;
/// AWS offers the last five roles in the menu.
const RECENT_MAX: usize = 5;

/// The role session the console acts as.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Switched {
    pub identity: Identity,
    pub issued_at: i64,
    pub expires_at: i64,
    pub display_name: String,
    pub color: String,
}

impl Switched {
    pub fn view(&self) -> Option<SwitchedView> {
        let session = self.identity.role_session()?;
        Some(SwitchedView {
            role_name: session.role_name.clone(),
            account_id: session.account_id.to_string(),
            display_name: self.display_name.clone(),
            color: self.color.clone(),
            arn: session.arn(),
            expires_at: self.expires_at,
        })
    }
}

/// What the switch-role form sends.
pub struct SwitchRequest<'a> {
    pub account: &'a str,
    pub role_name: &'a str,
    pub display_name: &'a str,
    pub color: &'a str,
}

fn ended() -> AppError {
    AppError::AccessDenied("your role session has ended: load the page again to continue as yourself".into())
}

fn stored(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("session store: {e}"))
}

/// The role session every action runs as, if any. One that ended (its hour is up, its role
/// is gone or was made anew) is forgotten, and actions are refused until a page is loaded
/// again (`for_page`).
pub async fn active(
    ctx: &ServerContext,
    session: &Session,
    now: OffsetDateTime,
) -> Result<Option<Switched>, AppError> {
    if session
        .get::<bool>(ENDED_KEY)
        .await
        .map_err(stored)?
        .unwrap_or(false)
    {
        return Err(ended());
    }
    let Some(switched) = session.get::<Switched>(SWITCHED_KEY).await.map_err(stored)? else {
        return Ok(None);
    };
    let exists = iam_service::ops::roles::session_role_exists(&ctx.pool, &switched.identity).await?;
    if exists && switched.expires_at > now.unix_timestamp() {
        return Ok(Some(switched));
    }
    session.remove_value(SWITCHED_KEY).await.map_err(stored)?;
    session.insert(ENDED_KEY, true).await.map_err(stored)?;
    Err(ended())
}

/// The role session a freshly loaded page shows: loading a page is how a person learns that
/// a switched session ended, so it clears the refusal.
pub async fn for_page(
    ctx: &ServerContext,
    session: &Session,
    now: OffsetDateTime,
) -> Result<Option<Switched>, AppError> {
    session.remove_value(ENDED_KEY).await.map_err(stored)?;
    match active(ctx, session, now).await {
        Err(AppError::AccessDenied(_)) => {
            session.remove_value(ENDED_KEY).await.map_err(stored)?;
            Ok(None)
        }
        other => other,
    }
}

/// Forgets every switched role and the role history (a new sign-in: they were someone
/// else's).
pub async fn forget(session: &Session) {
    for key in [SWITCHED_KEY, ENDED_KEY, RECENT_KEY] {
        let _ = session.remove_value(key).await;
    }
}

pub async fn recent(session: &Session) -> Vec<RecentRole> {
    session.get(RECENT_KEY).await.ok().flatten().unwrap_or_default()
}

/// Assumes the role for the signed-in identity (`base`, never an earlier switched role) and
/// keeps the session.
pub async fn switch_role(
    ctx: &ServerContext,
    session: &Session,
    base: &CallerParts,
    asked: &SwitchRequest<'_>,
) -> Result<(), AppError> {
    use iam_service::ops::sts::{assume_role, AssumeRole};
    // A federated user's credentials may call no STS action but GetCallerIdentity (as on
    // AWS); its console session may not either.
    if matches!(base.identity, Identity::FederatedUser(_)) {
        return Err(AppError::AccessDenied(
            "a federated user's session cannot switch roles: sign in as an IAM user or through an identity provider".into(),
        ));
    }
    let color = crate::pages::switch_role::COLORS
        .iter()
        .find(|(name, _)| *name == asked.color)
        .map_or("red", |(name, _)| *name);
    // Printable text only: no control or direction-changing characters in the top bar.
    let printable = |c: char| !c.is_control() && !('\u{200b}'..='\u{206f}').contains(&c);
    if asked.display_name.chars().count() > 64 || !asked.display_name.chars().all(printable) {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "display_name",
            "a display name has at most 64 printable characters",
        )]));
    }
    if asked.account.len() > 63 || asked.role_name.len() > 64 {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "account",
            "an account ID or alias has at most 63 characters, a role name 64",
        )]));
    }
    // An unknown account is refused as an unknown role is: no way to probe for aliases.
    let account = iam_service::ops::aliases::resolve(&ctx.pool, asked.account)
        .await?
        .map_or_else(|| "000000000000".to_owned(), |a| a.to_string());
    let role_arn = format!("arn:aws:iam::{account}:role/{}", asked.role_name);
    // The session is named for the person, as AWS names switched sessions (2 characters at
    // least, as session names go).
    let session_name = match &base.identity {
        Identity::User { user_name, .. } if user_name.len() >= 2 => user_name.clone(),
        Identity::User { user_name, .. } => format!("{user_name}-console"),
        // A session from an identity provider keeps its person's name in the next one.
        Identity::AssumedRole(session) => session.session_name.clone(),
        _ => "console".into(),
    };
    let asked_role = AssumeRole {
        role_arn: &role_arn,
        session_name: &session_name,
        duration: Some(SWITCH_SECONDS),
        ..Default::default()
    };
    let issued = assume_role(
        &ctx.pool,
        &ctx.secrets,
        &ctx.settings.lockout,
        &base.caller(),
        &asked_role,
    )
    .await?;
    let display_name = if asked.display_name.is_empty() {
        format!("{} @ {account}", asked.role_name)
    } else {
        asked.display_name.to_owned()
    };
    let switched = Switched {
        identity: issued.identity,
        issued_at: base.now.unix_timestamp(),
        expires_at: issued.expiration.unix_timestamp(),
        display_name: display_name.clone(),
        color: color.to_owned(),
    };
    session
        .insert(SWITCHED_KEY, switched)
        .await
        .map_err(|e| AppError::Internal(format!("store session: {e}")))?;
    let mut roles = recent(session).await;
    let entry = RecentRole {
        account: account.to_string(),
        role_name: asked.role_name.to_owned(),
        display_name,
        color: color.to_owned(),
    };
    roles.retain(|r| !(r.account == entry.account && r.role_name == entry.role_name));
    roles.insert(0, entry);
    roles.truncate(RECENT_MAX);
    session
        .insert(RECENT_KEY, roles)
        .await
        .map_err(|e| AppError::Internal(format!("store session: {e}")))
}

pub async fn switch_back() -> Result<(), AppError> {
    let session = crate::ssr::request_session().await?;
    for key in [SWITCHED_KEY, ENDED_KEY] {
        session.remove_value(key).await.map_err(stored)?;
    }
    Ok(())
}
