use crate::*;
use iam_service::{Identity, ServiceError};

#[sqlx::test(migrations = "../migrations")]
async fn root_signs_in_with_email_and_password(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let identity = signed_in(sign_in(&pool, " ANN@example.com", PASSWORD).await);
    assert_eq!(
        identity,
        Identity::Root {
            account_id: account.account_id.clone()
        }
    );
    assert_eq!(
        identity.arn(),
        format!("arn:aws:iam::{}:root", account.account_id)
    );
    let last_used: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT password_last_used_at FROM root_users")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(last_used, Some(now()));
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_password_and_unknown_email_fail_alike(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let wrong_password = sign_in(&pool, "ann@example.com", "Wrong-pass1").await;
    let unknown_email = sign_in(&pool, "bob@example.com", PASSWORD).await;
    assert!(
        matches!(wrong_password, Err(ServiceError::InvalidCredentials)),
        "{wrong_password:?}"
    );
    assert!(
        matches!(unknown_email, Err(ServiceError::InvalidCredentials)),
        "{unknown_email:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_email_costs_a_full_hash(pool: PgPool) {
    // The dummy verification must really run argon2: compare against a known-cheap floor.
    signed_up(&pool, "ann@example.com").await;
    let started = std::time::Instant::now();
    let _ = sign_in(&pool, "nobody@example.com", PASSWORD).await;
    let unknown = started.elapsed();
    let started = std::time::Instant::now();
    let _ = sign_in(&pool, "ann@example.com", "Wrong-pass1").await;
    let known = started.elapsed();
    assert!(
        unknown * 3 > known,
        "unknown email {unknown:?} vs wrong password {known:?}"
    );
}
