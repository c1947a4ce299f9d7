//! A trust policy trusts the user or role it named, not whoever holds the name later: a
//! renamed user stays trusted under its new ARN; a deleted one is shown by its unique ID and a
//! new user of the same name is not trusted.

use crate::sts::{asked, assume, role, trust, world};
use crate::*;
use iam_service::ops::attachments::{put_inline, Entity};
use iam_service::ops::{rename, roles, users};
use iam_service::{Identity, ServiceError};

const ASSUME: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;

fn user_identity(account: &str, name: &str, user_id: &str) -> Identity {
    Identity::User {
        account_id: iam_core::account::AccountId::parse(account).unwrap(),
        user_name: name.into(),
        user_id: user_id.into(),
        path: "/".into(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn trust_follows_the_user_not_the_name(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let rc = caller(&w.root, &m);
    let alice_arn = format!("arn:aws:iam::{}:user/alice", w.account);
    let arn = role(&pool, &w, "pinned", &trust(&alice_arn, "")).await;
    assume(&pool, &w.alice, &m, &asked(&arn)).await.unwrap();
    let Identity::User { user_id, .. } = &w.alice else {
        panic!("alice is a user")
    };

    // Renamed: still trusted, under the new ARN.
    rename::update_entity(&pool, &rc, &Entity::User("alice".into()), Some("alicia"), None)
        .await
        .unwrap();
    let document = roles::get_role(&pool, &rc, "pinned")
        .await
        .unwrap()
        .assume_role_policy;
    assert!(
        document.contains(&format!("arn:aws:iam::{}:user/alicia", w.account)),
        "{document}"
    );
    let alicia = user_identity(&w.account, "alicia", user_id);
    assume(&pool, &alicia, &m, &asked(&arn)).await.unwrap();
    // A new user under the old name is someone else.
    let impostor = users::create_user(&pool, &hasher(), &rc, user("alice"))
        .await
        .unwrap();
    put_inline(&pool, &rc, &Entity::User("alice".into()), "assume", ASSUME)
        .await
        .unwrap();
    let refused = assume(&pool, &impostor, &m, &asked(&arn)).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );

    // Deleted: the policy shows its unique ID, and a new `alicia` is not trusted.
    users::delete_user(&pool, &rc, "alicia", true).await.unwrap();
    let document = roles::get_role(&pool, &rc, "pinned")
        .await
        .unwrap()
        .assume_role_policy;
    assert!(document.contains(&format!(r#""AWS":"{user_id}""#)), "{document}");
    assert!(!document.contains("alicia"), "{document}");
    let again = users::create_user(&pool, &hasher(), &rc, user("alicia"))
        .await
        .unwrap();
    put_inline(&pool, &rc, &Entity::User("alicia".into()), "assume", ASSUME)
        .await
        .unwrap();
    let refused = assume(&pool, &again, &m, &asked(&arn)).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
    // A unique ID names no one: saving it again is refused in AWS's words, as is a user that
    // does not exist.
    let nobody = trust(&format!("arn:aws:iam::{}:user/nobody", w.account), "");
    for refused in [document.clone(), nobody] {
        match roles::update_trust_policy(&pool, &rc, "pinned", &refused).await {
            Err(ServiceError::MalformedPolicy(d)) => assert!(
                d[0].message.starts_with("Invalid principal in policy: \"AWS\":"),
                "{d:?}"
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_moved_to_a_path_with_a_quote_stays_pinned(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let rc = caller(&w.root, &m);
    let alice_arn = format!("arn:aws:iam::{}:user/alice", w.account);
    let arn = role(&pool, &w, "pinned", &trust(&alice_arn, "")).await;
    rename::update_entity(
        &pool,
        &rc,
        &Entity::User("alice".into()),
        Some("alice2"),
        Some("/q\"/"),
    )
    .await
    .unwrap();
    let document = roles::get_role(&pool, &rc, "pinned")
        .await
        .unwrap()
        .assume_role_policy;
    assert!(!document.contains(&alice_arn), "{document}");
    let impostor = users::create_user(&pool, &hasher(), &rc, user("alice"))
        .await
        .unwrap();
    put_inline(&pool, &rc, &Entity::User("alice".into()), "assume", ASSUME)
        .await
        .unwrap();
    let refused = assume(&pool, &impostor, &m, &asked(&arn)).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_escaped_principal_is_followed_too(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let rc = caller(&w.root, &m);
    let escaped = format!("arn:aws:iam::{}:user\\/\\u0061lice", w.account);
    let arn = role(&pool, &w, "escaped", &trust(&escaped, "")).await;
    assume(&pool, &w.alice, &m, &asked(&arn)).await.unwrap();
    let Identity::User { user_id, .. } = &w.alice else {
        panic!("alice is a user")
    };
    users::delete_user(&pool, &rc, "alice", true).await.unwrap();
    let document = roles::get_role(&pool, &rc, "escaped")
        .await
        .unwrap()
        .assume_role_policy;
    assert!(document.contains(&format!(r#""AWS":"{user_id}""#)), "{document}");
    assert_eq!(count(&pool, "trust_principals").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_deleted_role_is_not_trusted_by_its_name(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let rc = caller(&w.root, &m);
    let root_arn = format!("arn:aws:iam::{}:root", w.account);
    let first = role(&pool, &w, "first", &trust(&root_arn, "")).await;
    let second = role(&pool, &w, "second", &trust(&first, "")).await;
    // A session of `first` may assume `second` (a chain, as the trust policy says).
    let session_of_first = |issued: iam_service::ops::sts::Issued| {
        iam_service::ops::sts::token::open(
            &iam_service::crypto::SecretBox::new(&[9u8; 32]),
            &issued.access_key_id,
            &issued.session_token,
            now().unix_timestamp(),
        )
        .unwrap()
        .identity
    };
    let session = session_of_first(assume(&pool, &w.alice, &m, &asked(&first)).await.unwrap());
    assume(&pool, &session, &m, &asked(&second)).await.unwrap();

    let first_id = roles::get_role(&pool, &rc, "first").await.unwrap().role_id;
    roles::delete_role(&pool, &rc, "first", true).await.unwrap();
    let document = roles::get_role(&pool, &rc, "second")
        .await
        .unwrap()
        .assume_role_policy;
    assert!(document.contains(&first_id), "{document}");
    // Made again under the same name, `first` does not reach `second`.
    role(&pool, &w, "first", &trust(&root_arn, "")).await;
    let session = session_of_first(assume(&pool, &w.alice, &m, &asked(&first)).await.unwrap());
    let refused = assume(&pool, &session, &m, &asked(&second)).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
}
