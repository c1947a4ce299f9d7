//! HTTP-level guards: who may see which page, cross-site writes, and response headers.

use crate::state::AppState;
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Pages anyone may open (and `/signin/<account>`); every other page needs a session.
const PUBLIC_PAGES: [&str; 2] = ["/signin", "/signup"];
const CHANGE_PASSWORD: &str = "/change-password";

fn is_public(path: &str) -> bool {
    PUBLIC_PAGES.contains(&path)
        || path
            .strip_prefix("/signin/")
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// Sends people to the page that fits their state before anything renders: the console
/// needs a session, sign-in and sign-up do not (and skip ahead when already signed in), and
/// a console with no account yet opens on sign-up.
pub async fn page_access(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_page = request.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && path != "/healthz"
        // Sign-in through a broker or an identity provider answers for itself.
        && path != "/federation"
        && !path.starts_with("/oidc/");
    if !is_page {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    let now = time::OffsetDateTime::now_utc();
    let lifetime = state.ctx.settings.session_lifetime;
    // Signed in but owing a new password: that page and nothing else.
    if app::ssr::owes_password(&session, lifetime, now).await {
        return if path == CHANGE_PASSWORD {
            next.run(request).await
        } else {
            Redirect::to(CHANGE_PASSWORD).into_response()
        };
    }
    let signed_in = app::ssr::session_identity(&session, lifetime, now)
        .await
        .is_some();
    if path == CHANGE_PASSWORD {
        return Redirect::to(if signed_in { "/" } else { "/signin" }).into_response();
    }
    let public = is_public(path);
    if signed_in {
        return if public {
            Redirect::to("/").into_response()
        } else {
            next.run(request).await
        };
    }
    if path == "/signup" {
        return next.run(request).await;
    }
    let has_accounts = match iam_service::ops::accounts::has_accounts(&state.ctx.pool).await {
        Ok(has) => has,
        Err(e) => {
            tracing::error!("page guard: {e}");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the console's database is unavailable",
            )
                .into_response();
        }
    };
    match (has_accounts, public) {
        (false, _) => Redirect::to("/signup").into_response(),
        (true, true) => next.run(request).await,
        (true, false) => Redirect::to("/signin").into_response(),
    }
}

/// Refuses state-changing calls that a browser made on behalf of another site. SameSite
/// cookies already keep the session out of most of them; this closes the rest.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !request.uri().path().starts_with("/api/") || is_same_origin(&request) {
        return next.run(request).await;
    }
    tracing::warn!(path = request.uri().path(), "refused a cross-site request");
    let body = serde_json::to_vec(&AppError::CrossSite).unwrap_or_default();
    Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::FORBIDDEN.into_response())
}

fn is_same_origin(request: &Request) -> bool {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        // Origin is `scheme://host[:port]`; compare its authority with Host.
        Some(Ok(origin)) => {
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            authority.is_some() && authority == host
        }
        Some(Err(_)) => false,
        // No Origin: not a browser's cross-site POST, unless Fetch Metadata says so.
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) != Some("cross-site"),
    }
}

pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
    );
    response
}
