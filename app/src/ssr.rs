//! Server-only plumbing for the server functions: shared state, the signed-in identity kept
//! in the session, and the request facts the audit log records.

use crate::error::AppError;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use iam_service::{Identity, PasswordHasher, RequestMeta};
use leptos::prelude::use_context;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;

/// What every server function may need; provided as Leptos context by the server.
#[derive(Clone)]
pub struct ServerContext {
    pub pool: PgPool,
    pub hasher: PasswordHasher,
    /// Seals MFA seeds at rest under the master key.
    pub secrets: iam_service::crypto::SecretBox,
    /// Identity providers' signing keys, fetched and cached.
    pub idp_keys: Arc<iam_service::federation::keys::KeyCache>,
    pub settings: Arc<ConsoleSettings>,
}

#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    /// Where people reach the console, e.g. `http://127.0.0.1:3000`; used in sign-in links.
    pub base_url: String,
    /// When false, sign-up is open only until the first account exists.
    pub allow_signup: bool,
    /// A session ends this long after sign-in, however active it is.
    pub session_lifetime: Duration,
    pub lockout: iam_core::credentials::lockout::LockoutPolicy,
    /// Sign-ups one address may make per hour.
    pub signups_per_hour: u32,
    /// Whether budget alert emails go out (an SMTP relay is configured).
    pub email_configured: bool,
}

pub fn context() -> Result<ServerContext, AppError> {
    use_context::<ServerContext>().ok_or_else(|| {
        tracing::error!("server context missing");
        AppError::Internal("context".into())
    })
}

/// The identity kept in the session, with the moment it signed in and was last active.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionIdentity {
    pub identity: Identity,
    pub signed_in_at: i64,
    pub last_seen: i64,
    /// When the second factor was proven, if it was.
    #[serde(default)]
    pub mfa_at: Option<i64>,
    /// A new password must be set before the console opens.
    #[serde(default)]
    pub must_change_password: bool,
    /// When the sign-in ends whatever the activity: a role session's expiry, for a console
    /// opened through an identity provider.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

const IDENTITY_KEY: &str = "identity";

/// The idle timeout is pushed back only when the session is saved, and saving on every
/// request would cost a write each; once a minute is precise enough.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The signed-in identity of this session, if any, not past its absolute lifetime, and not
/// owing a new password.
pub async fn session_identity(
    session: &Session,
    lifetime: Duration,
    now: OffsetDateTime,
) -> Option<Identity> {
    session_state(session, lifetime, now)
        .await
        .filter(|s| !s.must_change_password)
        .map(|s| s.identity)
}

/// The identity that must set a new password before anything else.
pub async fn identity_owing_password(
    session: &Session,
    ctx: &ServerContext,
    now: OffsetDateTime,
) -> Option<Identity> {
    session_state(session, ctx.settings.session_lifetime, now)
        .await
        .filter(|s| s.must_change_password)
        .map(|s| s.identity)
}

/// Whether this session is signed in but owes a new password (the page guard sends it to
/// the change page).
pub async fn owes_password(session: &Session, lifetime: Duration, now: OffsetDateTime) -> bool {
    session_state(session, lifetime, now)
        .await
        .is_some_and(|s| s.must_change_password)
}

pub async fn password_changed(session: &Session) -> Result<(), AppError> {
    set_password_owed(session, false).await
}

/// Moves a sign-in on to its next step: the console, the MFA page, or the password change.
pub async fn continue_sign_in(
    session: &Session,
    step: iam_service::ops::signin::SignInStep,
    mfa_at: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    use iam_service::ops::signin::SignInStep;
    match step {
        SignInStep::SignedIn(identity) => {
            begin_session(session, identity, mfa_at, now).await?;
            leptos_axum::redirect("/");
        }
        SignInStep::MfaRequired(identity) => {
            begin_pending_mfa(session, identity, now).await?;
            leptos_axum::redirect("/signin/mfa");
        }
        SignInStep::PasswordChangeRequired(identity) => {
            begin_session(session, identity, mfa_at, now).await?;
            set_password_owed(session, true).await?;
            leptos_axum::redirect("/change-password");
        }
    }
    Ok(())
}

async fn set_password_owed(session: &Session, owed: bool) -> Result<(), AppError> {
    let stored: Option<SessionIdentity> = session
        .get(IDENTITY_KEY)
        .await
        .map_err(|e| internal_error("read session", e))?;
    if let Some(stored) = stored {
        let updated = SessionIdentity {
            must_change_password: owed,
            ..stored
        };
        session
            .insert(IDENTITY_KEY, updated)
            .await
            .map_err(|e| internal_error("store session", e))?;
    }
    Ok(())
}

/// The session's stored sign-in, if not past its absolute lifetime. An expired session is
/// ended here, so it cannot be revived by activity.
async fn session_state(
    session: &Session,
    lifetime: Duration,
    now: OffsetDateTime,
) -> Option<SessionIdentity> {
    let stored: SessionIdentity = match session.get(IDENTITY_KEY).await {
        Ok(value) => value?,
        Err(e) => {
            tracing::warn!("unreadable session: {e}");
            None?
        }
    };
    let age = now.unix_timestamp() - stored.signed_in_at;
    let ended = stored.expires_at.is_some_and(|end| now.unix_timestamp() >= end);
    if age < 0 || age >= lifetime.whole_seconds() || ended {
        if let Err(e) = session.flush().await {
            tracing::warn!("could not end expired session: {e}");
        }
        return None;
    }
    if now.unix_timestamp() - stored.last_seen >= TOUCH_EVERY_SECONDS {
        let touched = SessionIdentity {
            last_seen: now.unix_timestamp(),
            ..stored.clone()
        };
        if let Err(e) = session.insert(IDENTITY_KEY, touched).await {
            tracing::warn!("could not extend session: {e}");
        }
    }
    Some(stored)
}

/// Starts a signed-in session under a new session ID (no fixation).
pub async fn begin_session(
    session: &Session,
    identity: Identity,
    mfa_at: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    begin(session, identity, mfa_at, None, now.unix_timestamp(), now).await
}

/// Starts a console session as temporary credentials' identity (sign-in through an identity
/// provider or a broker): it counts from when they were issued (aws:TokenIssueTime, so a
/// revocation of older sessions reaches it) and ends at `expires_at`.
pub async fn begin_role_session(
    session: &Session,
    identity: Identity,
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), AppError> {
    let started = issued_at.unix_timestamp();
    begin(
        session,
        identity,
        None,
        Some(expires_at.unix_timestamp()),
        started,
        OffsetDateTime::now_utc(),
    )
    .await
}

async fn begin(
    session: &Session,
    identity: Identity,
    mfa_at: Option<i64>,
    expires_at: Option<i64>,
    signed_in_at: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    // Whatever the session held before (a pending MFA step, a switched role) is gone with
    // the old ID.
    let _ = session.remove_value(PENDING_KEY).await;
    crate::switched::forget(session).await;
    let stored = SessionIdentity {
        identity,
        signed_in_at,
        last_seen: now.unix_timestamp(),
        mfa_at,
        must_change_password: false,
        expires_at,
    };
    session
        .cycle_id()
        .await
        .map_err(|e| internal_error("cycle session id", e))?;
    session
        .insert(IDENTITY_KEY, stored)
        .await
        .map_err(|e| internal_error("store session", e))
}

const PENDING_KEY: &str = "pending_mfa";
/// The MFA step must follow the password within this many seconds.
const PENDING_SECONDS: i64 = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingMfa {
    identity: Identity,
    since: i64,
}

/// Remembers that the password was right and a second factor is due (under a new ID).
pub async fn begin_pending_mfa(
    session: &Session,
    identity: Identity,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    crate::switched::forget(session).await;
    session
        .cycle_id()
        .await
        .map_err(|e| internal_error("cycle session id", e))?;
    let pending = PendingMfa {
        identity,
        since: now.unix_timestamp(),
    };
    session
        .insert(PENDING_KEY, pending)
        .await
        .map_err(|e| internal_error("store session", e))
}

/// The identity waiting for its second factor, if the wait has not run out.
pub async fn pending_mfa(session: &Session, now: OffsetDateTime) -> Option<Identity> {
    let pending: PendingMfa = session.get(PENDING_KEY).await.ok()??;
    let age = now.unix_timestamp() - pending.since;
    (0..PENDING_SECONDS).contains(&age).then_some(pending.identity)
}

pub async fn request_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal_error("session layer", e))
}

/// The caller's identity as it is now, or `NotSignedIn`.
pub async fn require_identity(ctx: &ServerContext) -> Result<Identity, AppError> {
    let session = request_session().await?;
    identity_in(ctx, &session).await
}

/// `require_identity` with the request's session already in hand.
pub async fn identity_in(ctx: &ServerContext, session: &Session) -> Result<Identity, AppError> {
    let identity = session_identity(session, ctx.settings.session_lifetime, OffsetDateTime::now_utc())
        .await
        .ok_or(AppError::NotSignedIn)?;
    current_identity(ctx, session, identity).await
}

/// The session's user as the database has it now: a deleted or renamed user's session ends;
/// a moved user (`UpdateUser NewPath`) is judged under the new ARN from the next request on.
async fn current_identity(
    ctx: &ServerContext,
    session: &Session,
    identity: Identity,
) -> Result<Identity, AppError> {
    match iam_service::ops::users::current_identity(&ctx.pool, &identity).await {
        Ok(current) if current == identity => Ok(current),
        Ok(current) => {
            let stored: Option<SessionIdentity> = session
                .get(IDENTITY_KEY)
                .await
                .map_err(|e| internal_error("read session", e))?;
            if let Some(stored) = stored {
                let updated = SessionIdentity {
                    identity: current.clone(),
                    ..stored
                };
                session
                    .insert(IDENTITY_KEY, updated)
                    .await
                    .map_err(|e| internal_error("store session", e))?;
            }
            Ok(current)
        }
        Err(iam_service::ServiceError::IdentityGone) => {
            if let Err(e) = session.flush().await {
                tracing::warn!("could not end session: {e}");
            }
            Err(AppError::NotSignedIn)
        }
        Err(e) => Err(e.into()),
    }
}

/// The signed-in caller of an operation, with the session's facts the engine's condition
/// keys need (when the session began, when MFA was proven).
pub struct CallerParts {
    pub identity: Identity,
    pub meta: RequestMeta,
    pub now: OffsetDateTime,
}

impl CallerParts {
    pub fn caller(&self) -> iam_service::Caller<'_> {
        iam_service::Caller {
            identity: &self.identity,
            meta: &self.meta,
            now: self.now,
        }
    }
}

/// The context and the caller every console action runs as: the switched role's session
/// when there is one (see crate::switched), else the signed-in identity; or `NotSignedIn`.
pub async fn caller() -> Result<(ServerContext, CallerParts), AppError> {
    let (ctx, session, mut parts) = signed_in_parts().await?;
    if let Some(switched) = crate::switched::active(&ctx, &session, parts.now).await? {
        parts.identity = switched.identity;
        // The role session's own issue time (aws:TokenIssueTime: revoking its sessions ends
        // it); the sign-in's MFA stays with it, as on AWS.
        parts.meta.session_started = Some(switched.issued_at);
    }
    Ok((ctx, parts))
}

/// The context and the signed-in identity itself, never a switched role.
pub async fn signed_in_caller() -> Result<(ServerContext, CallerParts), AppError> {
    let (ctx, _, parts) = signed_in_parts().await?;
    Ok((ctx, parts))
}

/// The context, the session and the signed-in caller. What the request's context holds is
/// read before anything else: after an await it may no longer be reachable (server functions
/// run while a page renders).
pub async fn signed_in_parts() -> Result<(ServerContext, Session, CallerParts), AppError> {
    let ctx = context()?;
    let mut meta = request_meta();
    let session = request_session().await?;
    let now = OffsetDateTime::now_utc();
    let mut state = session_state(&session, ctx.settings.session_lifetime, now)
        .await
        .filter(|s| !s.must_change_password)
        .ok_or(AppError::NotSignedIn)?;
    state.identity = current_identity(&ctx, &session, state.identity).await?;
    meta.session_started = Some(state.signed_in_at);
    meta.mfa_at = state.mfa_at;
    Ok((
        ctx,
        session,
        CallerParts {
            identity: state.identity,
            meta,
            now,
        },
    ))
}

/// Source address and user agent of the current request, for the audit log.
pub fn request_meta() -> RequestMeta {
    let Some(parts) = use_context::<Parts>() else {
        return RequestMeta::default();
    };
    meta_from_parts(&parts)
}

/// The client as the server believes it, put on each request by the server's edge layer:
/// the peer, or what a trusted proxy forwarded (`IAM_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOrigin {
    pub ip: std::net::IpAddr,
    /// The client reached us over TLS (only a trusted proxy can say so: we serve plain HTTP).
    pub https: bool,
}

pub fn meta_from_parts(parts: &Parts) -> RequestMeta {
    let origin = parts.extensions.get::<ClientOrigin>().copied();
    let source_ip = origin.map(|o| o.ip.to_string()).or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
    });
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    RequestMeta {
        source_ip,
        user_agent,
        secure_transport: origin.is_some_and(|o| o.https),
        ..Default::default()
    }
}

fn internal_error(what: &str, error: impl std::fmt::Display) -> AppError {
    iam_service::ServiceError::Internal(format!("{what}: {error}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iam_core::account::AccountId;
    use tower_sessions::MemoryStore;

    fn root() -> Identity {
        Identity::Root {
            account_id: AccountId::parse("123456789012").unwrap(),
        }
    }

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap()
    }

    #[tokio::test]
    async fn a_session_ends_at_its_absolute_lifetime_however_active() {
        let session = Session::new(None, Arc::new(MemoryStore::default()), None);
        begin_session(&session, root(), None, at(0)).await.unwrap();
        let lifetime = Duration::hours(12);
        assert_eq!(session_identity(&session, lifetime, at(0)).await, Some(root()));
        assert_eq!(
            session_identity(&session, lifetime, at(12 * 3600 - 1)).await,
            Some(root())
        );
        assert_eq!(session_identity(&session, lifetime, at(12 * 3600)).await, None);
        // Ended for good: going back in time does not revive it.
        assert_eq!(session_identity(&session, lifetime, at(1)).await, None);
    }

    #[tokio::test]
    async fn activity_extends_the_idle_timeout_at_most_once_a_minute() {
        let store = Arc::new(MemoryStore::default());
        let session = Session::new(None, store.clone(), None);
        begin_session(&session, root(), None, at(0)).await.unwrap();
        session.save().await.unwrap();
        let id = session.id();
        let lifetime = Duration::hours(12);

        let reloaded = Session::new(id, store.clone(), None);
        assert!(session_identity(&reloaded, lifetime, at(59)).await.is_some());
        assert!(!reloaded.is_modified(), "touched within the minute");

        let reloaded = Session::new(id, store, None);
        assert!(session_identity(&reloaded, lifetime, at(60)).await.is_some());
        assert!(reloaded.is_modified(), "not touched after a minute");
    }

    #[tokio::test]
    async fn a_session_from_the_future_is_refused() {
        let session = Session::new(None, Arc::new(MemoryStore::default()), None);
        begin_session(&session, root(), None, at(100)).await.unwrap();
        assert_eq!(session_identity(&session, Duration::hours(1), at(0)).await, None);
    }
}
