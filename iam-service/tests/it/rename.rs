//! UpdateUser / UpdateGroup and the API's virtual MFA devices: what hangs off a name follows
//! it, the old name's sessions end, and devices are assigned only with two consecutive codes.

use crate::*;
use iam_core::credentials::totp::{code_at_step, step_of};
use iam_core::model::Tag;
use iam_service::crypto::SecretBox;
use iam_service::ops::access_keys::{authenticate, create_access_key};
use iam_service::ops::attachments::{attach, list_attached, Entity};
use iam_service::ops::groups::{add_user_to_group, create_group, get_group};
use iam_service::ops::rename::update_entity;
use iam_service::ops::users::{check_still_exists, create_user, get_user, list_user_mfa, tag_user, NewUser};
use iam_service::ops::virtual_mfa::{self, Assignment};
use iam_service::{Identity, ServiceError};

const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";

fn base32_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let value = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            .iter()
            .position(|&a| a == c)
            .unwrap() as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

#[sqlx::test(migrations = "../migrations")]
async fn a_renamed_user_keeps_what_it_had_and_old_sessions_end(pool: PgPool) {
    let secrets = SecretBox::new(&[3u8; 32]);
    let account = signed_up(&pool, "ren@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let as_root = caller(&root, &m);
    create_group(&pool, &as_root, "Readers", "/", &[]).await.unwrap();
    let alice = create_user(
        &pool,
        &hasher(),
        &as_root,
        NewUser {
            user_name: "alice".into(),
            path: "/".into(),
            password: Some("Initial-Harbor-7-Lantern".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    add_user_to_group(&pool, &as_root, "Readers", "alice")
        .await
        .unwrap();
    attach(&pool, &as_root, &Entity::User("alice".into()), READ_ONLY)
        .await
        .unwrap();
    let tag = Tag {
        key: "team".into(),
        value: "ops".into(),
    };
    tag_user(&pool, &as_root, "alice", std::slice::from_ref(&tag))
        .await
        .unwrap();
    let key = create_access_key(&pool, &secrets, &as_root, Some("alice"))
        .await
        .unwrap();

    // A device made through the API, assigned to alice with two consecutive codes.
    let device = virtual_mfa::create(&pool, &secrets, &as_root, "alice-phone", "/")
        .await
        .unwrap();
    let seed = base32_decode(&device.seed_base32);
    let step = step_of(now().unix_timestamp());
    let code = |s| code_at_step(&seed, s).unwrap();
    let wrong = virtual_mfa::enable(
        &pool,
        &secrets,
        &as_root,
        "alice",
        &device.serial,
        &code(step),
        &code(step - 1),
    )
    .await;
    assert!(matches!(wrong, Err(ServiceError::InvalidMfaCode)), "{wrong:?}");
    virtual_mfa::enable(
        &pool,
        &secrets,
        &as_root,
        "alice",
        &device.serial,
        &code(step - 1),
        &code(step),
    )
    .await
    .unwrap();
    let assigned = virtual_mfa::list(&pool, &as_root, Assignment::Assigned)
        .await
        .unwrap();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0].user.as_ref().unwrap().user_name, "alice");

    // Renaming to a taken name changes nothing.
    create_user(&pool, &hasher(), &as_root, user("bob"))
        .await
        .unwrap();
    let taken = update_entity(&pool, &as_root, &Entity::User("alice".into()), Some("BOB"), None).await;
    assert!(
        matches!(taken, Err(ServiceError::AlreadyExists(ref m)) if m == "User with name BOB already exists."),
        "{taken:?}"
    );

    update_entity(
        &pool,
        &as_root,
        &Entity::User("alice".into()),
        Some("alicia"),
        Some("/ops/"),
    )
    .await
    .unwrap();
    let detail = get_user(&pool, &as_root, "alicia").await.unwrap();
    assert_eq!(
        detail.summary.arn,
        format!("arn:aws:iam::{}:user/ops/alicia", account.account_id)
    );
    assert_eq!(detail.groups.unwrap().len(), 1);
    assert_eq!(detail.tags, Ok(vec![tag]));
    assert!(detail.policies.unwrap().iter().any(|p| p.policy_arn == READ_ONLY));
    let devices = list_user_mfa(&pool, &as_root, "alicia").await.unwrap();
    assert_eq!(devices.len(), 1, "the device moved with the user");
    assert_eq!(
        get_group(&pool, &as_root, "Readers").await.unwrap().users,
        vec!["alicia"]
    );
    assert!(matches!(
        get_user(&pool, &as_root, "alice").await,
        Err(ServiceError::NoSuchEntity(_))
    ));

    // The key now acts as alicia; a session of "alice" ends, even once the name is reused.
    let owner = authenticate(&pool, &secrets, &key.info.access_key_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.identity.arn(), detail.summary.arn);
    create_user(&pool, &hasher(), &as_root, user("alice"))
        .await
        .unwrap();
    assert!(matches!(
        check_still_exists(&pool, &alice).await,
        Err(ServiceError::IdentityGone)
    ));
    let stale = list_attached(&pool, &caller(&alice, &m), &Entity::User("alice".into())).await;
    assert!(matches!(stale, Err(ServiceError::IdentityGone)), "{stale:?}");

    // UpdateUser needs the permission on the new ARN too.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UpdateUser","Resource":"arn:aws:iam::*:user/bob"}]}"#;
    iam_service::ops::attachments::put_inline(&pool, &as_root, &Entity::User("alicia".into()), "Rename", doc)
        .await
        .unwrap();
    let alicia = owner.identity;
    let refused = update_entity(
        &pool,
        &caller(&alicia, &m),
        &Entity::User("bob".into()),
        Some("robert"),
        None,
    )
    .await;
    match refused {
        Err(ServiceError::AccessDenied(message)) => {
            assert!(
                message.contains("iam:UpdateUser on resource: arn:aws:iam::"),
                "{message}"
            );
            assert!(message.contains(":user/robert"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(get_user(&pool, &as_root, "bob").await.is_ok(), "nothing changed");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_renamed_group_keeps_members_and_policies(pool: PgPool) {
    let account = signed_up(&pool, "grp@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let as_root = caller(&root, &m);
    create_group(&pool, &as_root, "Devs", "/", &[READ_ONLY.into()])
        .await
        .unwrap();
    create_user(&pool, &hasher(), &as_root, user("carol"))
        .await
        .unwrap();
    add_user_to_group(&pool, &as_root, "Devs", "carol").await.unwrap();
    update_entity(
        &pool,
        &as_root,
        &Entity::Group("Devs".into()),
        Some("Developers"),
        None,
    )
    .await
    .unwrap();
    let group = get_group(&pool, &as_root, "Developers").await.unwrap();
    assert_eq!(group.users, vec!["carol"]);
    assert_eq!(group.policies.unwrap().len(), 1);
    let bad = update_entity(
        &pool,
        &as_root,
        &Entity::Group("Developers".into()),
        Some("no spaces"),
        None,
    )
    .await;
    assert!(matches!(bad, Err(ServiceError::Invalid(_))), "{bad:?}");
    let gone = update_entity(&pool, &as_root, &Entity::Group("Devs".into()), Some("X"), None).await;
    assert!(matches!(gone, Err(ServiceError::NoSuchEntity(_))), "{gone:?}");
}
