//! The whole HTTP surface in one `Router`, so tests can drive it with `oneshot`.

use crate::guards;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub const SESSION_COOKIE: &str = "iam_session";

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let ctx = state.ctx.clone();
    let provide = move || provide_context(ctx.clone());
    let shell = {
        let options = state.leptos_options.clone();
        move || app::shell(options.clone())
    };
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(state.session_idle));

    Router::new()
        .route("/healthz", get(healthz))
        // An identity provider's cross-site POST: no page guard or same-origin rule applies.
        .route("/saml", post(crate::saml_signin::receive))
        .route("/saml/role", post(crate::saml_signin::choose))
        .route("/federation", get(crate::console_federation::federation))
        .route("/oidc/start", get(crate::oidc_signin::start))
        .route("/oidc/callback", get(crate::oidc_signin::callback))
        .route("/oidc/role", post(crate::oidc_signin::choose))
        .leptos_routes_with_context(&state, routes, provide.clone(), shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            provide,
            app::shell,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guards::page_access))
        .layer(middleware::from_fn(guards::same_origin_writes))
        .layer(sessions)
        .layer(middleware::map_response(guards::security_headers))
        .layer(compress_pages())
        // The AWS API answers before sessions and page guards: it has its own authentication.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::api::intercept,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), crate::edge::guard))
        .with_state(state)
}

/// The console's pages, compressed: a fifth of their size on the wire. Only HTML: the bundles
/// are served pre-compressed, and nothing that carries a secret (a new access key, a server
/// function's answer) is compressed next to text an attacker could choose (BREACH). No page
/// holds a secret that stays the same from one response to the next: sessions live in cookies
/// and writes are guarded by origin checks, not tokens in the page.
fn compress_pages() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use axum::http::{header, Extensions, HeaderMap, Version};
    tower_http::compression::CompressionLayer::new()
        // Fast enough for a page rendered on each request; brotli 5 beats gzip -9 on HTML.
        .quality(tower_http::CompressionLevel::Precise(5))
        .compress_when(
            |status: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
                status.is_success()
                    && headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("text/html"))
            },
        )
}

/// Ready when the database answers.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&state.ctx.pool).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!("health check: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
