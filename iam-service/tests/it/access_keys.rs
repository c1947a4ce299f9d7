//! Access keys: two per identity, the secret sealed and returned once, status, deletion, and
//! each step authorized by the engine.

use crate::*;
use iam_service::crypto::SecretBox;
use iam_service::ops::access_keys::{
    authenticate, create_access_key, delete_access_key, list_access_keys, record_use, update_access_key,
};
use iam_service::ops::users::{create_user, delete_user, NewUser};
use iam_service::{Caller, Identity, ServiceError};

#[sqlx::test(migrations = "../migrations")]
async fn keys_are_capped_sealed_and_authorized(pool: PgPool) {
    let secrets = SecretBox::new(&[9u8; 32]);
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let as_root = Caller {
        identity: &root,
        meta: &m,
        now: now(),
    };
    let bob = create_user(
        &pool,
        &hasher(),
        &as_root,
        NewUser {
            user_name: "bob".into(),
            path: "/".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let first = create_access_key(&pool, &secrets, &as_root, Some("bob"))
        .await
        .unwrap();
    create_access_key(&pool, &secrets, &as_root, Some("bob"))
        .await
        .unwrap();
    match create_access_key(&pool, &secrets, &as_root, Some("bob")).await {
        Err(ServiceError::LimitExceeded(message)) => {
            assert_eq!(message, "Cannot exceed quota for AccessKeysPerUser: 2")
        }
        other => panic!("{other:?}"),
    }
    // The root user's own keys are counted apart from bob's.
    let own = create_access_key(&pool, &secrets, &as_root, None).await.unwrap();
    assert_eq!(own.info.user_name, None);
    let summary = iam_service::ops::summary::account_summary(&pool, &as_root)
        .await
        .unwrap();
    assert_eq!(
        (summary.root_access_keys, summary.old_access_keys),
        (1, 0),
        "the dashboard warns about the root key"
    );

    // Stored sealed: the secret is nowhere in the table in plain text.
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT secret_sealed FROM access_keys WHERE access_key_id = $1")
            .bind(&first.info.access_key_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains(&first.secret_access_key));
    let owner = authenticate(&pool, &secrets, &first.info.access_key_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (owner.identity, owner.secret.as_str(), owner.active),
        (bob.clone(), first.secret_access_key.as_str(), true)
    );
    assert!(
        authenticate(&pool, &SecretBox::new(&[1u8; 32]), &first.info.access_key_id)
            .await
            .is_err(),
        "another master key cannot open it"
    );

    // Bob may not manage keys without a policy, not even his own.
    let as_bob = Caller {
        identity: &bob,
        meta: &m,
        now: now(),
    };
    match list_access_keys(&pool, &as_bob, None).await {
        Err(ServiceError::AccessDenied(message)) => assert!(
            message.contains("iam:ListAccessKeys on resource: arn:aws:iam::"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    update_access_key(
        &pool,
        &as_root,
        Some("bob"),
        &first.info.access_key_id,
        "Inactive",
    )
    .await
    .unwrap();
    assert!(
        !authenticate(&pool, &secrets, &first.info.access_key_id)
            .await
            .unwrap()
            .unwrap()
            .active
    );
    assert!(matches!(
        update_access_key(&pool, &as_root, Some("bob"), &first.info.access_key_id, "Paused").await,
        Err(ServiceError::Invalid(_))
    ));

    // Last used: the first use in each 15 minutes.
    record_use(&pool, &own.info.access_key_id, now(), "iam", "us-east-1")
        .await
        .unwrap();
    record_use(
        &pool,
        &own.info.access_key_id,
        now() + time::Duration::minutes(5),
        "sts",
        "us-east-1",
    )
    .await
    .unwrap();
    let keys = list_access_keys(&pool, &as_root, None).await.unwrap();
    assert_eq!(
        (keys[0].last_used_at, keys[0].last_used_service.as_deref()),
        (Some(now().unix_timestamp()), Some("iam"))
    );

    match delete_user(&pool, &as_root, "bob", false).await {
        Err(ServiceError::DeleteConflict(message)) => {
            assert_eq!(message, "Cannot delete entity, must delete access keys first.")
        }
        other => panic!("{other:?}"),
    }
    delete_access_key(&pool, &as_root, Some("bob"), &first.info.access_key_id)
        .await
        .unwrap();
    assert!(matches!(
        delete_access_key(&pool, &as_root, Some("bob"), &first.info.access_key_id).await,
        Err(ServiceError::NoSuchEntity(_))
    ));
    delete_user(&pool, &as_root, "bob", true).await.unwrap();
    assert_eq!(
        count(&pool, "access_keys").await,
        1,
        "the console's delete removes the user's keys"
    );
}
