//! What every request handler shares: the console's context, sessions and the edge limits.

use app::ssr::ServerContext;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub ctx: ServerContext,
    pub sessions: PostgresStore,
    pub session_idle: time::Duration,
    pub secure_cookies: bool,
    /// Client origin, request time and concurrency limits (the outermost layer).
    pub edge: crate::edge::Edge,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
