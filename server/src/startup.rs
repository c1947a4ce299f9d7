//! From configuration to a ready state: database, migrations, session table, hasher.

use crate::config::Config;
use crate::router::AppState;
use app::ssr::{ConsoleSettings, ServerContext};
use iam_service::PasswordHasher;
use leptos::prelude::LeptosOptions;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::sync::Arc;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

pub async fn prepare(config: &Config) -> Result<AppState, String> {
    let pool = PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    prepare_with_pool(config, pool).await
}

pub async fn prepare_with_pool(config: &Config, pool: PgPool) -> Result<AppState, String> {
    iam_service::migrate(&pool)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let sessions = PostgresStore::new(pool.clone());
    sessions
        .migrate()
        .await
        .map_err(|e| format!("session table migration failed: {e}"))?;
    // Expired sessions are refused on read anyway; this only reclaims space.
    tokio::spawn(
        sessions
            .clone()
            .continuously_delete_expired(std::time::Duration::from_secs(600)),
    );

    let hasher = PasswordHasher::new(config.hash_concurrency()).map_err(|e| e.to_string())?;
    let settings = ConsoleSettings {
        base_url: config.base_url(),
        allow_signup: config.allow_signup,
        session_lifetime: time::Duration::hours(config.session_lifetime_hours.into()),
    };
    let leptos_options = LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build();
    Ok(AppState {
        leptos_options,
        ctx: ServerContext {
            pool,
            hasher,
            settings: Arc::new(settings),
        },
        sessions,
        session_idle: time::Duration::minutes(config.session_idle_minutes.into()),
        secure_cookies: config.secure_cookies(),
    })
}
