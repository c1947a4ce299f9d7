//! Brute-force throttling of root sign-in, with time passed in.

use crate::*;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_service::ops::signin::sign_in_root;
use iam_service::ServiceError;

#[sqlx::test(migrations = "../migrations")]
async fn failures_lock_then_the_lock_lifts(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let policy = LockoutPolicy {
        max_failures: 3,
        wait_increment: 60,
        max_wait: 600,
        reset_after: 3600,
    };
    let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + s).unwrap();
    let attempt = |password: &'static str, s: i64| {
        let pool = pool.clone();
        async move {
            sign_in_root(
                &pool,
                &hasher(),
                "ann@example.com",
                password,
                at(s),
                &meta(),
                &policy,
            )
            .await
        }
    };
    for s in 0..3 {
        assert!(matches!(
            attempt("wrong", s).await,
            Err(ServiceError::InvalidCredentials)
        ));
    }
    // Locked: even the right password waits, and the answer says how long.
    assert!(matches!(
        attempt(PASSWORD, 10).await,
        Err(ServiceError::Throttled { seconds: 52 })
    ));
    // An unknown address locks the same way: the lock says nothing about who exists.
    for s in 0..3 {
        let _ = sign_in_root(
            &pool,
            &hasher(),
            "nobody@example.com",
            "x",
            at(s),
            &meta(),
            &policy,
        )
        .await;
    }
    let stranger = sign_in_root(
        &pool,
        &hasher(),
        "nobody@example.com",
        "x",
        at(5),
        &meta(),
        &policy,
    )
    .await;
    assert!(
        matches!(stranger, Err(ServiceError::Throttled { .. })),
        "{stranger:?}"
    );
    assert!(
        attempt(PASSWORD, 62).await.is_ok(),
        "the lock lifts after the wait"
    );
    // Refusals are counted per key and hour, not written to the audit log one by one.
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE reason = 'throttled'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(logged, 0);
    let counted = |key: &'static str| {
        let pool = pool.clone();
        async move {
            iam_service::ops::throttle::throttled_count(&pool, key, at(0))
                .await
                .unwrap()
        }
    };
    assert_eq!(counted("pair:root:ann@example.com@192.0.2.7").await, 1);
    assert_eq!(counted("pair:root:nobody@example.com@192.0.2.7").await, 1);
}
