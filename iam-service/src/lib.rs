//! IAM use cases and their persistence. Each operation runs in one transaction, writes its
//! audit event in that transaction, and returns a typed error.

pub mod audit;
pub mod authz;
pub mod cache;
pub mod crypto;
pub mod db;
pub mod error;
pub mod federation;
pub mod hashing;
pub mod identity;
pub mod ops;
pub mod qr;

pub use error::ServiceError;
pub use hashing::PasswordHasher;
pub use identity::{Caller, Identity, RequestMeta};

/// Applies the migrations in `migrations/` (embedded at build time).
pub async fn migrate(pool: &sqlx::PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("../migrations").run(pool).await
}
