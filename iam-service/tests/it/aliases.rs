//! Account aliases: the sign-in link by name.

use crate::*;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_service::ops::aliases::{delete_alias, get_alias, resolve, set_alias};
use iam_service::ops::signin::{sign_in_user, SignInStep};
use iam_service::ops::users::create_user_with_password;
use iam_service::{Identity, ServiceError};

const USER_PASSWORD: &str = "Initial-Harbor-7-Lantern";

#[sqlx::test(migrations = "../migrations")]
async fn an_alias_names_the_account_until_it_is_replaced(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    create_user_with_password(
        &pool,
        &hasher(),
        &root,
        "alice",
        USER_PASSWORD,
        false,
        now(),
        &meta(),
    )
    .await
    .unwrap();
    let sign_in = |name: &'static str| {
        let pool = pool.clone();
        async move {
            sign_in_user(
                &pool,
                &hasher(),
                name,
                "alice",
                USER_PASSWORD,
                now(),
                &meta(),
                &LockoutPolicy::default(),
            )
            .await
        }
    };
    assert!(matches!(
        sign_in("acme-prod").await,
        Err(ServiceError::InvalidCredentials)
    ));

    assert_eq!(
        set_alias(&pool, &root, " acme-prod ", now(), &meta())
            .await
            .unwrap(),
        "acme-prod"
    );
    assert_eq!(
        get_alias(&pool, &account.account_id).await.unwrap().as_deref(),
        Some("acme-prod")
    );
    assert_eq!(
        resolve(&pool, "ACME-PROD").await.unwrap(),
        Some(account.account_id.clone())
    );
    assert!(matches!(sign_in("acme-prod").await, Ok(SignInStep::SignedIn(_))));

    set_alias(&pool, &root, "acme-live", now(), &meta())
        .await
        .unwrap();
    assert!(
        matches!(sign_in("acme-prod").await, Err(ServiceError::InvalidCredentials)),
        "the old alias stops working"
    );
    assert!(matches!(sign_in("acme-live").await, Ok(SignInStep::SignedIn(_))));
    // The ID form keeps working.
    assert!(matches!(
        sign_in_user(
            &pool,
            &hasher(),
            account.account_id.as_str(),
            "alice",
            USER_PASSWORD,
            now(),
            &meta(),
            &LockoutPolicy::default()
        )
        .await,
        Ok(SignInStep::SignedIn(_))
    ));

    delete_alias(&pool, &root, now(), &meta()).await.unwrap();
    assert_eq!(resolve(&pool, "acme-live").await.unwrap(), None);
    assert!(matches!(
        delete_alias(&pool, &root, now(), &meta()).await,
        Err(ServiceError::NoSuchEntity(_))
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn aliases_are_unique_valid_and_need_permission(pool: PgPool) {
    let ann = signed_up(&pool, "ann@example.com").await;
    let bob = signed_up(&pool, "bob@example.com").await;
    let ann_root = Identity::Root {
        account_id: ann.account_id.clone(),
    };
    let bob_root = Identity::Root {
        account_id: bob.account_id.clone(),
    };
    set_alias(&pool, &ann_root, "shared", now(), &meta())
        .await
        .unwrap();
    let taken = set_alias(&pool, &bob_root, "shared", now(), &meta()).await;
    assert!(
        matches!(&taken, Err(ServiceError::Invalid(e)) if e[0].message.contains("taken")),
        "{taken:?}"
    );
    for bad in ["ab", "Bad-Case", "-x-", "123456789012"] {
        assert!(
            matches!(
                set_alias(&pool, &bob_root, bad, now(), &meta()).await,
                Err(ServiceError::Invalid(_))
            ),
            "{bad}"
        );
    }
    let alice = create_user_with_password(
        &pool,
        &hasher(),
        &ann_root,
        "alice",
        USER_PASSWORD,
        false,
        now(),
        &meta(),
    )
    .await
    .unwrap();
    let denied = set_alias(&pool, &alice, "mine", now(), &meta()).await;
    assert!(
        matches!(&denied, Err(ServiceError::AccessDenied(m)) if m.contains("iam:CreateAccountAlias")),
        "{denied:?}"
    );
    assert_eq!(get_alias(&pool, &bob.account_id).await.unwrap(), None);
}
