//! Console sign-in through a SAML identity provider: the provider posts its signed response
//! to `/saml`, as to AWS's sign-in endpoint. The response is verified exactly as
//! AssumeRoleWithSAML verifies it; with one role on offer the console opens at once as that
//! role's session, with several the person picks one (`/saml/role`). The console session ends
//! when the role session does.

use crate::state::AppState;
use app::error::AppError;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use iam_service::ops::sts::{self, SessionAsk, VerifiedSaml};
use iam_service::ServiceError;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const PENDING_KEY: &str = "saml_pending";
/// The role must be picked within this many seconds of the response's arrival.
const PENDING_SECONDS: i64 = 300;
/// Providers one response may name: each is a signature check.
const PROVIDERS_MAX: usize = 5;

#[derive(Deserialize)]
pub struct SamlPost {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
}

#[derive(Deserialize)]
pub struct RoleChoice {
    pub role: String,
    pub token: String,
}

/// A verified response waiting for its person to pick a role, tied to this browser session
/// and to the form that was shown.
#[derive(Serialize, Deserialize)]
struct Pending {
    verified: VerifiedSaml,
    since: i64,
    token: String,
}

pub(crate) fn escape(text: &str) -> String {
    crate::api::xml::escape(text)
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/pkg/{}.css\"></head>\
         <body><main class=\"auth-page\"><div class=\"auth-card\">{body}</div></main></body></html>",
        escape(title),
        app::OUTPUT_NAME
    )
}

/// A page of the sign-in flow: never cached (it may carry a one-time form token).
pub(crate) fn html_page(status: StatusCode, title: &str, body: &str) -> Response {
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(page(title, body)),
    )
        .into_response()
}

/// The refusal as the sign-in page shows it: AWS's words, nothing internal.
pub(crate) fn refusal(error: ServiceError) -> Response {
    let status = match &error {
        ServiceError::AccessDenied(_) | ServiceError::IdpRejectedClaim(_) => StatusCode::FORBIDDEN,
        ServiceError::Database(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let message = match AppError::from(error) {
        AppError::Invalid(errors) => errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let body = format!(
        "<h1>Sign-in failed</h1><div class=\"alert alert-error\" role=\"alert\"><p>{}</p></div>\
         <p>Sign in again at your identity provider, or <a href=\"/signin\">sign in with a password</a>.</p>",
        escape(&message)
    );
    html_page(status, "Sign-in failed", &body)
}

fn stored(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("session store: {e}"))
}

/// `POST /saml`: the identity provider's response.
pub async fn receive(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    form: Result<Form<SamlPost>, FormRejection>,
) -> Response {
    let meta = app::ssr::meta_from_parts(&parts);
    receive_response(&state, &session, &meta, form.ok().map(|Form(f)| f))
        .await
        .unwrap_or_else(refusal)
}

async fn receive_response(
    state: &AppState,
    session: &Session,
    meta: &iam_service::RequestMeta,
    form: Option<SamlPost>,
) -> Result<Response, ServiceError> {
    let Some(form) = form else {
        return Err(ServiceError::Rejected {
            code: "InvalidIdentityToken",
            message: "Your request included an invalid SAML response: post it as the form field SAMLResponse"
                .into(),
        });
    };
    if !iam_core::saml::ASSERTION_CHARS.contains(&form.saml_response.len()) {
        return Err(ServiceError::Rejected {
            code: "InvalidIdentityToken",
            message:
                "Your request included an invalid SAML response: it is empty or longer than 100000 characters"
                    .into(),
        });
    }
    let now = state.now();
    let recipient = crate::api::federation::saml_endpoint(state);
    let providers = sts::providers_named(&form.saml_response).await?;
    if providers.is_empty() || providers.len() > PROVIDERS_MAX {
        return Err(ServiceError::Rejected {
            code: "InvalidIdentityToken",
            message: format!("Your request included an invalid SAML response: its Role attribute must name 1 to {PROVIDERS_MAX} identity providers"),
        });
    }
    let mut last = None;
    let mut verified = None;
    for provider in &providers {
        match sts::verify_saml(&state.ctx.pool, &form.saml_response, provider, &recipient, now).await {
            Ok(v) => {
                verified = Some(v);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(verified) = verified else {
        return Err(last.unwrap_or_else(|| ServiceError::Internal("no provider tried".into())));
    };
    // A new session ID before anything is stored (no fixation).
    let _ = session.remove_value(PENDING_KEY).await;
    session.cycle_id().await.map_err(stored)?;
    if let [role] = verified.roles.as_slice() {
        let role = role.clone();
        return open_console(state, session, meta, &verified, &role).await;
    }
    let token = random_token();
    let body = role_picker(
        verified.issuer(),
        verified.subject(),
        &verified.roles,
        &token,
        "/saml/role",
    );
    let pending = Pending {
        verified,
        since: now.unix_timestamp(),
        token,
    };
    session.insert(PENDING_KEY, pending).await.map_err(stored)?;
    Ok(html_page(StatusCode::OK, "Select a role", &body))
}

pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The role picker: the roles grouped by account, as AWS's sign-in page shows them; the form
/// posts the chosen role and `token` to `action`.
pub(crate) fn role_picker(
    issuer: &str,
    subject: &str,
    offered: &[String],
    token: &str,
    action: &str,
) -> String {
    let mut roles: Vec<(&str, &str, &str)> = offered
        .iter()
        .filter_map(|arn| {
            let (account, _, name) = iam_core::arn::parse_role_arn(arn)?;
            Some((account, name, arn.as_str()))
        })
        .collect();
    roles.sort();
    let mut groups = String::new();
    let mut current = None;
    for (i, (account, name, arn)) in roles.iter().enumerate() {
        if current != Some(*account) {
            if current.is_some() {
                groups.push_str("</fieldset>");
            }
            groups.push_str(&format!(
                "<fieldset class=\"kind-choice\"><legend>Account: {}</legend>",
                escape(account)
            ));
            current = Some(*account);
        }
        groups.push_str(&format!(
            "<div class=\"check\"><input type=\"radio\" name=\"role\" id=\"role-{i}\" value=\"{}\" required{}>\
             <label for=\"role-{i}\">{}</label></div>",
            escape(arn),
            if i == 0 { " checked" } else { "" },
            escape(name)
        ));
    }
    if current.is_some() {
        groups.push_str("</fieldset>");
    }
    format!(
        "<h1>Select a role</h1><p>Signed in at <strong>{}</strong> as <strong>{}</strong>.</p>\
         <form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"token\" value=\"{}\">{groups}\
         <button type=\"submit\" class=\"button button-primary\">Sign in</button></form>",
        escape(issuer),
        escape(subject),
        escape(action),
        escape(token)
    )
}

/// `POST /saml/role`: the role picked.
pub async fn choose(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    choice: Result<Form<RoleChoice>, FormRejection>,
) -> Response {
    let meta = app::ssr::meta_from_parts(&parts);
    choose_role(&state, &session, &meta, choice.ok().map(|Form(c)| c))
        .await
        .unwrap_or_else(refusal)
}

async fn choose_role(
    state: &AppState,
    session: &Session,
    meta: &iam_service::RequestMeta,
    choice: Option<RoleChoice>,
) -> Result<Response, ServiceError> {
    let expired = || {
        ServiceError::AccessDenied(
            "your sign-in at the identity provider has expired or was already used; sign in there again"
                .into(),
        )
    };
    let Some(choice) = choice else {
        return Err(ServiceError::field("role", "choose a role"));
    };
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.map_err(stored)?;
    let now = state.now().unix_timestamp();
    let Some(pending) = pending.filter(|p| (0..PENDING_SECONDS).contains(&(now - p.since))) else {
        return Err(expired());
    };
    if !iam_service::crypto::constant_time_eq(pending.token.as_bytes(), choice.token.as_bytes()) {
        return Err(expired());
    }
    if !pending.verified.roles.contains(&choice.role) {
        return Err(ServiceError::AccessDenied(
            "Not authorized to perform sts:AssumeRoleWithSAML".into(),
        ));
    }
    open_console(state, session, meta, &pending.verified, &choice.role).await
}

/// Assumes `role` with the verified response and opens the console as that session.
async fn open_console(
    state: &AppState,
    session: &Session,
    meta: &iam_service::RequestMeta,
    verified: &VerifiedSaml,
    role: &str,
) -> Result<Response, ServiceError> {
    let now = state.now();
    let asked = SessionAsk {
        role_arn: role,
        duration: verified.session_duration,
        policy: None,
        policy_arns: &[],
    };
    let issued =
        sts::assume_verified(&state.ctx.pool, &state.ctx.secrets, meta, now, verified, &asked).await?;
    app::ssr::begin_role_session(session, issued.issued.identity, now, issued.issued.expiration)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Redirect::to("/").into_response())
}
