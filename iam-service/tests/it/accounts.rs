use crate::*;
use iam_service::ops::accounts::{get_account, has_accounts, sign_up, SignUpRequest};
use iam_service::ServiceError;

#[sqlx::test(migrations = "../migrations")]
async fn sign_up_creates_account_and_root_user(pool: PgPool) {
    assert!(!has_accounts(&pool).await.unwrap());
    let account = signed_up(&pool, "Ann@Example.com").await;
    assert_eq!(account.root_email, "ann@example.com");
    assert_eq!(account.name, "Acme");
    assert!(has_accounts(&pool).await.unwrap());

    let stored = get_account(&pool, &account.account_id).await.unwrap().unwrap();
    assert_eq!(stored, account);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM root_users WHERE account_id = $1")
        .bind(account.account_id.as_str())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_writes_nothing(pool: PgPool) {
    let bad = SignUpInput {
        email: "not-an-email",
        password: "short",
        password_confirm: "other",
        account_name: "",
    };
    let request = SignUpRequest {
        input: bad,
        open_to_all: true,
        now: now(),
    };
    let err = sign_up(&pool, &hasher(), request, &meta(), random_id)
        .await
        .unwrap_err();
    let ServiceError::Invalid(errors) = err else {
        panic!("expected Invalid, got {err:?}")
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "email",
            "account_name",
            "password",
            "password",
            "password_confirm"
        ],
        "{errors:?}"
    );
    assert_eq!(count(&pool, "accounts").await, 0);
    assert_eq!(count(&pool, "root_users").await, 0);
    assert_eq!(count(&pool, "audit_events").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_email_one_account(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let request = SignUpRequest {
        input: input("ANN@example.com", "Other"),
        open_to_all: true,
        now: now(),
    };
    let err = sign_up(&pool, &hasher(), request, &meta(), random_id)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Invalid(e) if e[0].field == "email"),
        "{err:?}"
    );
    assert_eq!(count(&pool, "accounts").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn colliding_account_ids_are_redrawn(pool: PgPool) {
    let first = signed_up(&pool, "ann@example.com").await;
    // The generator offers the taken ID twice before a fresh one.
    let fresh = AccountId::parse("000000000042").unwrap();
    let mut offers = vec![fresh.clone(), first.account_id.clone(), first.account_id.clone()];
    let request = SignUpRequest {
        input: input("bob@example.com", "Bob"),
        open_to_all: true,
        now: now(),
    };
    let second = sign_up(&pool, &hasher(), request, &meta(), move || offers.pop().unwrap())
        .await
        .unwrap();
    assert_eq!(second.account_id, fresh);
    assert_eq!(count(&pool, "accounts").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn closed_sign_up_allows_only_the_first_account(pool: PgPool) {
    let request = SignUpRequest {
        input: input("ann@example.com", "Ann"),
        open_to_all: false,
        now: now(),
    };
    sign_up(&pool, &hasher(), request, &meta(), random_id)
        .await
        .unwrap();
    let request = SignUpRequest {
        input: input("bob@example.com", "Bob"),
        open_to_all: false,
        now: now(),
    };
    let err = sign_up(&pool, &hasher(), request, &meta(), random_id)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::SignUpClosed), "{err:?}");
    assert_eq!(count(&pool, "accounts").await, 1);
}
