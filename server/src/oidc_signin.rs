//! Console sign-in through an OpenID Connect provider (see iam_service::ops::oidc_signin):
//! `/oidc/start` sends the browser to the provider, `/oidc/callback` takes it back with a code,
//! and the console opens as the role the token's holder is trusted for (a picker, `/oidc/role`,
//! when several roles trust it).

use crate::saml_signin::{html_page, random_token, refusal, role_picker, RoleChoice};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use iam_service::ops::oidc_signin::{self, PendingSignin};
use iam_service::ops::sts::{self, TokenSessionAsk, VerifiedToken};
use iam_service::ServiceError;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const PENDING_KEY: &str = "oidc_pending";
const CHOICE_KEY: &str = "oidc_choice";

#[derive(Deserialize)]
pub struct StartQuery {
    account: String,
    provider: String,
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// A verified token waiting for its person to pick a role.
#[derive(Serialize, Deserialize)]
struct Choice {
    verified: VerifiedToken,
    roles: Vec<String>,
    session_name: String,
    since: i64,
    token: String,
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/oidc/callback",
        state.ctx.settings.base_url.trim_end_matches('/')
    )
}

fn stored(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("session store: {e}"))
}

/// `GET /oidc/start?account=...&provider=...`: off to the provider.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    let result = async {
        let closed = || {
            ServiceError::AccessDenied(
                "this identity provider is not open for console sign-in to this account".into(),
            )
        };
        // An account ID or alias has at most 63 characters, a provider URL 255.
        if query.account.len() > 63 || query.provider.len() > 255 {
            return Err(closed());
        }
        let account = iam_service::ops::aliases::resolve(&state.ctx.pool, &query.account)
            .await?
            .ok_or_else(|| {
                ServiceError::AccessDenied(
                    "this identity provider is not open for console sign-in to this account".into(),
                )
            })?;
        let ctx = &state.ctx;
        let (target, pending) = oidc_signin::start(
            &ctx.pool,
            &ctx.secrets,
            &ctx.idp_keys,
            account.as_str(),
            &query.provider,
            &redirect_uri(&state),
            state.now(),
        )
        .await?;
        session.insert(PENDING_KEY, pending).await.map_err(stored)?;
        Ok::<_, ServiceError>(Redirect::to(&target).into_response())
    }
    .await;
    result.unwrap_or_else(refusal)
}

/// `GET /oidc/callback?code=...&state=...`: back from the provider.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let result = async {
        let pending: Option<PendingSignin> = session.remove(PENDING_KEY).await.map_err(stored)?;
        let stale = || ServiceError::AccessDenied(
            "this sign-in was not started here, took too long or was already finished; start again from the sign-in page".into(),
        );
        let pending = pending.ok_or_else(stale)?;
        if query.error.is_some() {
            return Err(ServiceError::AccessDenied(
                "the identity provider did not sign you in; start again from the sign-in page".into(),
            ));
        }
        let (Some(code), Some(returned_state)) = (query.code.as_deref(), query.state.as_deref()) else {
            return Err(stale());
        };
        let ctx = &state.ctx;
        let now = state.now();
        let verified = oidc_signin::finish(
            &ctx.pool,
            &ctx.secrets,
            &ctx.idp_keys,
            &pending,
            code,
            returned_state,
            &redirect_uri(&state),
            now,
        )
        .await?;
        let meta = app::ssr::meta_from_parts(&parts);
        let session_name = oidc_signin::session_name(&verified);
        let roles = sts::roles_trusting(&ctx.pool, &verified, &session_name, &meta, now).await?;
        session.cycle_id().await.map_err(stored)?;
        match roles.as_slice() {
            [] => Err(ServiceError::AccessDenied(format!(
                "Not authorized to perform sts:AssumeRoleWithWebIdentity: no role in this account trusts {} from https://{}",
                verified.subject(),
                pending.url
            ))),
            [role] => open_console(&state, &session, &meta, &verified, role, &session_name).await,
            _ => {
                let token = random_token();
                let body = role_picker(
                    &format!("https://{}", pending.url),
                    verified.email().unwrap_or(verified.subject()),
                    &roles,
                    &token,
                    "/oidc/role",
                );
                let choice = Choice {
                    verified,
                    roles,
                    session_name,
                    since: now.unix_timestamp(),
                    token,
                };
                session.insert(CHOICE_KEY, choice).await.map_err(stored)?;
                Ok(html_page(axum::http::StatusCode::OK, "Select a role", &body))
            }
        }
    }
    .await;
    result.unwrap_or_else(refusal)
}

/// `POST /oidc/role`: the role picked.
pub async fn choose(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    Form(picked): Form<RoleChoice>,
) -> Response {
    let result = async {
        let choice: Option<Choice> = session.remove(CHOICE_KEY).await.map_err(stored)?;
        let now = state.now().unix_timestamp();
        let choice = choice
            .filter(|c| (0..oidc_signin::PENDING_SECONDS).contains(&(now - c.since)))
            .filter(|c| iam_service::crypto::constant_time_eq(c.token.as_bytes(), picked.token.as_bytes()))
            .ok_or_else(|| {
                ServiceError::AccessDenied(
                    "this sign-in has expired; start again from the sign-in page".into(),
                )
            })?;
        if !choice.roles.contains(&picked.role) {
            return Err(ServiceError::AccessDenied(
                "Not authorized to perform sts:AssumeRoleWithWebIdentity".into(),
            ));
        }
        let meta = app::ssr::meta_from_parts(&parts);
        open_console(
            &state,
            &session,
            &meta,
            &choice.verified,
            &picked.role,
            &choice.session_name,
        )
        .await
    }
    .await;
    result.unwrap_or_else(refusal)
}

async fn open_console(
    state: &AppState,
    session: &Session,
    meta: &iam_service::RequestMeta,
    verified: &VerifiedToken,
    role: &str,
    session_name: &str,
) -> Result<Response, ServiceError> {
    let now = state.now();
    let asked = TokenSessionAsk {
        role_arn: role,
        session_name,
        ..Default::default()
    };
    let issued =
        sts::open_token_session(&state.ctx.pool, &state.ctx.secrets, meta, now, verified, &asked).await?;
    app::ssr::begin_role_session(session, issued.issued.identity, now, issued.issued.expiration)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Redirect::to("/").into_response())
}
