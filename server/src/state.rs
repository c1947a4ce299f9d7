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
    /// Seconds added to the system clock: always 0 in a running server; tests move it to
    /// see credentials expire without waiting.
    pub clock_offset: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl AppState {
    /// The time the API decides at.
    pub fn now(&self) -> time::OffsetDateTime {
        let offset = self.clock_offset.load(std::sync::atomic::Ordering::Relaxed);
        time::OffsetDateTime::now_utc() + time::Duration::seconds(offset)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
