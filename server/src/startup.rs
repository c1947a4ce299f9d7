//! From configuration to a ready state: database, migrations, session table, hasher.

use crate::config::Config;
use crate::state::AppState;
use app::ssr::{ConsoleSettings, ServerContext};
use iam_service::crypto::SecretBox;
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
        .acquire_timeout(std::time::Duration::from_secs(config.db_acquire_timeout_seconds))
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

    // Budgets are checked whenever costs change, and on this schedule for the rest (a
    // forecast moves with the calendar); stale sign-in counters are forgotten on it too. Firings are unique per period, so several
    // processes doing this make one notification per crossing.
    let scheduled = pool.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = time::OffsetDateTime::now_utc();
            if let Err(e) = iam_service::ops::billing::evaluate_all(&scheduled, now).await {
                tracing::warn!("budget evaluation failed: {e}");
            }
            if let Err(e) = iam_service::ops::throttle::forget_stale(&scheduled, now).await {
                tracing::warn!("forgetting stale sign-in counters failed: {e}");
            }
        }
    });

    if let Some(relay) = &config.smtp_relay {
        tokio::spawn(crate::mailer::deliver_forever(
            pool.clone(),
            relay.clone(),
            config.smtp_from.clone(),
        ));
    }

    // The API's caches stay in step with every process's changes through NOTIFY.
    tokio::spawn(iam_service::cache::listen(pool.clone()));

    let hasher = PasswordHasher::new(config.hash_concurrency()).map_err(|e| e.to_string())?;
    let secrets = SecretBox::new(&master_key(&config.master_key_file)?);
    let fetcher = iam_service::federation::fetch::Fetcher::new(&config.fetch_policy()?)
        .map_err(|e| format!("identity provider settings: {e}"))?;
    let idp_keys = std::sync::Arc::new(iam_service::federation::keys::KeyCache::new(fetcher));
    let settings = ConsoleSettings {
        base_url: config.base_url(),
        allow_signup: config.allow_signup,
        session_lifetime: time::Duration::hours(config.session_lifetime_hours.into()),
        lockout: config.lockout(),
        signups_per_hour: config.signups_per_hour,
        email_configured: config.smtp_relay.is_some(),
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
            secrets,
            idp_keys,
            settings: Arc::new(settings),
        },
        sessions,
        session_idle: time::Duration::minutes(config.session_idle_minutes.into()),
        secure_cookies: config.secure_cookies(),
        clock_offset: Default::default(),
        edge: crate::edge::Edge::new(
            &config.trusted_proxies,
            std::time::Duration::from_secs(config.request_timeout_seconds),
            config.max_concurrent_requests,
        ),
    })
}

/// Reads the master key, or creates it (mode 0600) on first run.
fn master_key(path: &str) -> Result<[u8; 32], String> {
    use std::io::Write;
    let path = std::path::Path::new(path);
    match std::fs::read(path) {
        Ok(bytes) => bytes
            .try_into()
            .map_err(|_| format!("master key file `{}` must hold exactly 32 bytes", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
            }
            let key = SecretBox::generate_key();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .map_err(|e| format!("cannot create master key `{}`: {e}", path.display()))?;
            file.write_all(&key)
                .map_err(|e| format!("cannot write master key `{}`: {e}", path.display()))?;
            tracing::warn!(
                "created a new master key at {}: back it up with the database",
                path.display()
            );
            Ok(key)
        }
        Err(e) => Err(format!("cannot read master key `{}`: {e}", path.display())),
    }
}
