//! Tagging is decided with the tags in the request (aws:RequestTag/<key>, aws:TagKeys) and on
//! the resource (aws:ResourceTag/<key>), so tag guardrails hold.

use crate::*;
use iam_core::model::Tag;
use iam_service::ops::attachments::{put_inline, Entity};
use iam_service::ops::roles::{self, NewRole};
use iam_service::ops::tags;
use iam_service::{Identity, ServiceError};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

const GUARDRAILS: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["iam:CreateRole","iam:TagRole","iam:UntagRole"],"Resource":"*",
   "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","protected"]}}},
  {"Effect":"Deny","Action":"iam:CreateRole","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestTag/team":"platform"}}},
  {"Effect":"Deny","Action":["iam:TagRole","iam:UntagRole"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"yes"}}}]}"#;

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

fn refused(result: Result<impl std::fmt::Debug, ServiceError>, action: &str) {
    match result {
        Err(ServiceError::AccessDenied(message)) => assert!(message.contains(action), "{message}"),
        other => panic!("expected AccessDenied for {action}, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn tag_guardrails_hold(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let rc = caller(&root, &m);
    let who = iam_service::ops::users::create_user(&pool, &hasher(), &rc, user("tagger"))
        .await
        .unwrap();
    put_inline(
        &pool,
        &rc,
        &Entity::User("tagger".into()),
        "guardrails",
        GUARDRAILS,
    )
    .await
    .unwrap();
    let c = caller(&who, &m);
    let new = |name: &str, tags: Vec<Tag>| NewRole {
        role_name: name.into(),
        path: "/".into(),
        trust_policy: TRUST.into(),
        tags,
        ..Default::default()
    };
    // Created only with team=platform, and only with the keys allowed.
    refused(
        roles::create_role(&pool, &c, &new("a", vec![tag("team", "data")])).await,
        "iam:CreateRole",
    );
    refused(
        roles::create_role(
            &pool,
            &c,
            &new("b", vec![tag("team", "platform"), tag("owner", "x")]),
        )
        .await,
        "iam:CreateRole",
    );
    roles::create_role(&pool, &c, &new("c", vec![tag("team", "platform")]))
        .await
        .unwrap();
    let role = Entity::Role("c".into());
    refused(
        tags::tag(&pool, &c, &role, &[tag("owner", "x")]).await,
        "iam:TagRole",
    );
    tags::tag(&pool, &c, &role, &[tag("protected", "yes")])
        .await
        .unwrap();
    // Once protected, its tags stay.
    refused(
        tags::untag(&pool, &c, &role, &["protected".into()]).await,
        "iam:UntagRole",
    );
    refused(
        tags::tag(&pool, &c, &role, &[tag("team", "x")]).await,
        "iam:TagRole",
    );
    assert_eq!(count(&pool, "iam_roles").await, 1);
    assert_eq!(count(&pool, "role_tags").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn tag_keys_are_case_insensitive(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let c = caller(&root, &m);
    let new = NewRole {
        role_name: "r".into(),
        path: "/".into(),
        trust_policy: TRUST.into(),
        ..Default::default()
    };
    roles::create_role(&pool, &c, &new).await.unwrap();
    let role = Entity::Role("r".into());
    let both = tags::tag(&pool, &c, &role, &[tag("team", "admin"), tag("Team", "dev")]).await;
    assert!(matches!(both, Err(ServiceError::Invalid(_))), "{both:?}");
    tags::tag(&pool, &c, &role, &[tag("Team", "dev")]).await.unwrap();
    tags::tag(&pool, &c, &role, &[tag("team", "ops")]).await.unwrap();
    assert_eq!(tags::list(&pool, &c, &role).await.unwrap(), [tag("team", "ops")]);
    tags::untag(&pool, &c, &role, &["TEAM".into()]).await.unwrap();
    assert_eq!(count(&pool, "role_tags").await, 0);
}
