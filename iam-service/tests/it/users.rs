//! IAM users: creation with a console password, sign-in through the account, forced changes.

use crate::*;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_core::credentials::password::PasswordPolicy;
use iam_service::ops::passwords::{change_due, change_own_password, expiry_warning, set_policy};
use iam_service::ops::signin::{sign_in_user, SignInStep};
use iam_service::ops::users::create_user_with_password;
use iam_service::{Identity, ServiceError};

const USER_PASSWORD: &str = "Initial-Harbor-7-Lantern";

async fn user_sign_in(
    pool: &PgPool,
    account: &str,
    name: &str,
    password: &str,
    at: time::OffsetDateTime,
) -> Result<SignInStep, ServiceError> {
    sign_in_user(
        pool,
        &hasher(),
        account,
        name,
        password,
        at,
        &meta(),
        &LockoutPolicy::default(),
    )
    .await
}

async fn with_user(pool: &PgPool, require_reset: bool) -> (Identity, Identity) {
    let account = signed_up(pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let user = create_user_with_password(
        pool,
        &hasher(),
        &root,
        "alice",
        USER_PASSWORD,
        require_reset,
        now(),
        &meta(),
    )
    .await
    .unwrap();
    (root, user)
}

#[sqlx::test(migrations = "../migrations")]
async fn users_sign_in_with_account_and_name_case_insensitively(pool: PgPool) {
    let (root, user) = with_user(&pool, false).await;
    let account = root.account_id().to_string();
    let Identity::User { user_id, .. } = &user else {
        panic!()
    };
    assert!(user_id.starts_with("AIDA") && user_id.len() == 20, "{user_id}");
    let step = user_sign_in(&pool, &account, "ALICE", USER_PASSWORD, now())
        .await
        .unwrap();
    assert_eq!(step, SignInStep::SignedIn(user.clone()));
    for (acct, name, password) in [
        (account.as_str(), "alice", "wrong"),
        (account.as_str(), "bob", USER_PASSWORD),
        ("999999999999", "alice", USER_PASSWORD),
        ("not-an-id", "alice", USER_PASSWORD),
    ] {
        let result = user_sign_in(&pool, acct, name, password, now()).await;
        assert!(
            matches!(result, Err(ServiceError::InvalidCredentials)),
            "{acct}/{name}: {result:?}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_required_reset_is_owed_until_the_password_changes(pool: PgPool) {
    let (root, user) = with_user(&pool, true).await;
    let account = root.account_id().to_string();
    let step = user_sign_in(&pool, &account, "alice", USER_PASSWORD, now())
        .await
        .unwrap();
    assert_eq!(step, SignInStep::PasswordChangeRequired(user.clone()));
    // Without a policy allowing it, users may change their password only when it is due.
    let denied = change_own_password(
        &pool,
        &hasher(),
        &user,
        USER_PASSWORD,
        "Quiet-Meadow-42-Lantern",
        "Quiet-Meadow-42-Lantern",
        false,
        now(),
        &meta(),
        &iam_core::credentials::lockout::LockoutPolicy::default(),
    )
    .await;
    assert!(
        matches!(&denied, Err(ServiceError::AccessDenied(m)) if m.contains("iam:ChangePassword")),
        "{denied:?}"
    );
    change_own_password(
        &pool,
        &hasher(),
        &user,
        USER_PASSWORD,
        "Quiet-Meadow-42-Lantern",
        "Quiet-Meadow-42-Lantern",
        true,
        now(),
        &meta(),
        &iam_core::credentials::lockout::LockoutPolicy::default(),
    )
    .await
    .unwrap();
    assert!(!change_due(&pool, &user, now()).await.unwrap());
    let step = user_sign_in(&pool, &account, "alice", "Quiet-Meadow-42-Lantern", now())
        .await
        .unwrap();
    assert_eq!(step, SignInStep::SignedIn(user));
}

#[sqlx::test(migrations = "../migrations")]
async fn expiry_forces_a_change_or_under_hard_expiry_blocks(pool: PgPool) {
    let (root, user) = with_user(&pool, false).await;
    let account = root.account_id().to_string();
    let policy = PasswordPolicy {
        max_password_age: Some(30),
        ..PasswordPolicy::default()
    };
    set_policy(&pool, &root, &policy, now(), &meta()).await.unwrap();
    let day = time::Duration::days(1);
    assert_eq!(
        expiry_warning(&pool, &user, now() + day * 14).await.unwrap(),
        None
    );
    assert_eq!(
        expiry_warning(&pool, &user, now() + day * 15).await.unwrap(),
        Some(15)
    );
    assert_eq!(
        expiry_warning(&pool, &user, now() + day * 29).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        expiry_warning(&pool, &root, now() + day * 29).await.unwrap(),
        None,
        "root passwords do not expire"
    );
    let step = user_sign_in(&pool, &account, "alice", USER_PASSWORD, now() + day * 29)
        .await
        .unwrap();
    assert_eq!(step, SignInStep::SignedIn(user.clone()));
    let step = user_sign_in(&pool, &account, "alice", USER_PASSWORD, now() + day * 30)
        .await
        .unwrap();
    assert_eq!(step, SignInStep::PasswordChangeRequired(user));

    let hard = PasswordPolicy {
        hard_expiry: true,
        ..policy
    };
    set_policy(&pool, &root, &hard, now(), &meta()).await.unwrap();
    let blocked = user_sign_in(&pool, &account, "alice", USER_PASSWORD, now() + day * 31).await;
    assert!(
        matches!(blocked, Err(ServiceError::PasswordExpired)),
        "{blocked:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn reuse_prevention_remembers_previous_passwords(pool: PgPool) {
    let (root, user) = with_user(&pool, false).await;
    let policy = PasswordPolicy {
        password_reuse_prevention: Some(2),
        require_symbols: false,
        refuse_guessable: false,
        ..PasswordPolicy::default()
    };
    set_policy(&pool, &root, &policy, now(), &meta()).await.unwrap();
    let change = |from: &'static str, to: &'static str| {
        let pool = pool.clone();
        let user = user.clone();
        async move {
            change_own_password(
                &pool,
                &hasher(),
                &user,
                from,
                to,
                to,
                false,
                now(),
                &meta(),
                &iam_core::credentials::lockout::LockoutPolicy::default(),
            )
            .await
        }
    };
    change(USER_PASSWORD, "Second1pass").await.unwrap();
    let reused = change("Second1pass", USER_PASSWORD).await;
    assert!(
        matches!(&reused, Err(ServiceError::Invalid(e)) if e[0].message.contains("used recently")),
        "{reused:?}"
    );
    change("Second1pass", "Third1pass").await.unwrap();
    change("Third1pass", "Fourth1pass").await.unwrap();
    // Three changes later the first password is out of the remembered two.
    change("Fourth1pass", USER_PASSWORD).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn user_names_are_unique_regardless_of_case(pool: PgPool) {
    let (root, _) = with_user(&pool, false).await;
    let again = create_user_with_password(
        &pool,
        &hasher(),
        &root,
        "Alice",
        USER_PASSWORD,
        false,
        now(),
        &meta(),
    )
    .await;
    assert!(
        matches!(&again, Err(ServiceError::AlreadyExists(m)) if m == "User with name Alice already exists."),
        "{again:?}"
    );
    let bad = create_user_with_password(
        &pool,
        &hasher(),
        &root,
        "no spaces",
        USER_PASSWORD,
        false,
        now(),
        &meta(),
    )
    .await;
    assert!(matches!(bad, Err(ServiceError::Invalid(_))));
    let weak = create_user_with_password(&pool, &hasher(), &root, "bob", "bob", false, now(), &meta()).await;
    assert!(
        matches!(&weak, Err(ServiceError::Invalid(e)) if e.iter().any(|e| e.field == "password")),
        "{weak:?}"
    );
}
