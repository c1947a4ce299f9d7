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
    // Equal work, counted rather than timed: each failure runs exactly one argon2 verification
    // (the unknown email's against the dummy hash). A hasher of its own, as other tests share
    // `hasher()` and run at the same time.
    async fn hashes_run(pool: &PgPool, hasher: &PasswordHasher, email: &str, password: &str) -> u64 {
        let before = hasher.hashes_done();
        let lockout = iam_core::credentials::lockout::LockoutPolicy::default();
        let outcome =
            iam_service::ops::signin::sign_in_root(pool, hasher, email, password, now(), &meta(), &lockout)
                .await;
        assert!(
            matches!(outcome, Err(ServiceError::InvalidCredentials)),
            "{outcome:?}"
        );
        hasher.hashes_done() - before
    }
    signed_up(&pool, "ann@example.com").await;
    let counted = PasswordHasher::new(1).unwrap();
    let unknown_email = hashes_run(&pool, &counted, "nobody@example.com", PASSWORD).await;
    let wrong_password = hashes_run(&pool, &counted, "ann@example.com", "Wrong-pass1").await;
    assert_eq!((unknown_email, wrong_password), (1, 1));
}
