//! The console federation endpoint for custom identity brokers, as AWS's
//! `https://signin.aws.amazon.com/federation`: `Action=getSigninToken&Session=...` answers a
//! sign-in token for temporary credentials, and `Action=login&SigninToken=...&Destination=...`
//! opens the console as them (a link a broker's portal hands its people).

use crate::saml_signin::refusal;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{request::Parts, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use iam_service::ops::sts;
use iam_service::ServiceError;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct FederationQuery {
    #[serde(rename = "Action")]
    action: Option<String>,
    #[serde(rename = "Session")]
    session: Option<String>,
    #[serde(rename = "SessionDuration")]
    session_duration: Option<String>,
    #[serde(rename = "SigninToken")]
    signin_token: Option<String>,
    #[serde(rename = "Destination")]
    destination: Option<String>,
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "Error": message })),
    )
        .into_response()
}

/// `GET /federation`.
pub async fn federation(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    Query(query): Query<FederationQuery>,
) -> Response {
    match query.action.as_deref() {
        Some("getSigninToken") => get_signin_token(&state, &query).await,
        Some("login") => login(&state, &session, &parts, &query).await,
        _ => bad_request("Action must be getSigninToken or login"),
    }
}

async fn get_signin_token(state: &AppState, query: &FederationQuery) -> Response {
    let Some(session) = query.session.as_deref() else {
        return bad_request("the Session parameter is required");
    };
    let duration = match query.session_duration.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(seconds)) => Some(seconds),
        Some(Err(_)) => return bad_request("SessionDuration must be a number of seconds"),
    };
    match sts::signin_token(
        &state.ctx.pool,
        &state.ctx.secrets,
        session,
        duration,
        state.now(),
    )
    .await
    {
        Ok(token) => (
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({ "SigninToken": token })),
        )
            .into_response(),
        Err(ServiceError::Rejected { message, .. }) => bad_request(&message),
        Err(other) => refusal(other),
    }
}

/// Where to go after sign-in: a path of this console only (no open redirect).
fn destination(state: &AppState, asked: Option<&str>) -> String {
    let base = state.ctx.settings.base_url.trim_end_matches('/');
    // Only characters a path of ours uses: no whitespace or control characters (browsers drop
    // tabs and turn `/<TAB>/host` into `//host`), no backslash, no scheme-relative `//`.
    let safe = |d: &&str| {
        d.starts_with('/')
            && !d.starts_with("//")
            && d.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
            && d.len() <= 2048
    };
    asked
        .map(|d| d.strip_prefix(base).unwrap_or(d))
        .filter(safe)
        .unwrap_or("/")
        .to_owned()
}

async fn login(state: &AppState, session: &Session, parts: &Parts, query: &FederationQuery) -> Response {
    let Some(token) = query.signin_token.as_deref() else {
        return bad_request("the SigninToken parameter is required");
    };
    let meta = app::ssr::meta_from_parts(parts);
    let target = destination(state, query.destination.as_deref());
    let opened = match sts::redeem_signin_token(
        &state.ctx.pool,
        &state.ctx.secrets,
        &meta,
        token,
        state.now(),
    )
    .await
    {
        Ok(opened) => opened,
        Err(e) => return refusal(e),
    };
    if let Err(e) = app::ssr::begin_role_session(session, opened.identity, opened.issued, opened.ends).await {
        return refusal(ServiceError::Internal(e.to_string()));
    }
    Redirect::to(&target).into_response()
}
