//! Service-linked roles: made with AWS's name, path, trust and policies; nobody changes them;
//! deleted only through DeleteServiceLinkedRole, which leaves a task to ask about. Instance
//! profiles carry tags.

use crate::*;
use iam_core::model::Tag;
use iam_service::ops::attachments::{attach, detach, put_inline, Entity};
use iam_service::ops::roles::{self, NewRole, RoleUpdate};
use iam_service::ops::service_linked::{create, delete, deletion_status};
use iam_service::ops::tags::{self, Tagged};
use iam_service::ops::{boundaries, instance_profiles};
use iam_service::{Identity, ServiceError};

const AUTOSCALING_POLICY: &str = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy";
const S3_READ: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const ROLE: &str = "AWSServiceRoleForAutoScaling";

fn rejected(result: Result<impl std::fmt::Debug, ServiceError>) -> (&'static str, String) {
    match result {
        Err(ServiceError::Rejected { code, message }) => (code, message),
        other => panic!("expected an AWS refusal, got {other:?}"),
    }
}

fn unmodifiable(result: Result<impl std::fmt::Debug, ServiceError>) {
    let (code, message) = rejected(result);
    assert_eq!(code, "UnmodifiableEntity");
    assert_eq!(
        message,
        format!("Cannot perform the operation on the protected role '{ROLE}' - this role is only modifiable by AWS")
    );
}

async fn root(pool: &PgPool) -> Identity {
    let account = signed_up(pool, "ann@example.com").await;
    Identity::Root {
        account_id: account.account_id,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_service_linked_role_has_aws_name_path_trust_and_policies(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let c = caller(&root, &m);
    let role = create(&pool, &c, "autoscaling.amazonaws.com", Some("scales"), None)
        .await
        .unwrap();
    assert_eq!(role.role_name, ROLE);
    assert_eq!(role.path, "/aws-service-role/autoscaling.amazonaws.com/");
    assert!(role
        .arn
        .ends_with(":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"));
    assert!(role
        .assume_role_policy
        .contains(r#""Service":"autoscaling.amazonaws.com""#));
    assert_eq!(role.linked_service.as_deref(), Some("autoscaling.amazonaws.com"));
    let attached = iam_service::ops::attachments::list_attached(&pool, &c, &Entity::Role(ROLE.into()))
        .await
        .unwrap();
    let arns: Vec<&str> = attached.iter().map(|p| p.policy_arn.as_str()).collect();
    assert_eq!(arns, [AUTOSCALING_POLICY]);

    let (code, message) = rejected(create(&pool, &c, "autoscaling.amazonaws.com", None, None).await);
    assert_eq!(
        (code, message.as_str()),
        ("InvalidInput", "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.")
    );
    let suffixed = create(&pool, &c, "autoscaling.amazonaws.com", None, Some("fleet"))
        .await
        .unwrap();
    assert_eq!(suffixed.role_name, "AWSServiceRoleForAutoScaling_fleet");
    let (code, message) = rejected(create(&pool, &c, "ecs.amazonaws.com", None, Some("x")).await);
    assert_eq!(
        (code, message.as_str()),
        (
            "InvalidInput",
            "Custom suffix is not allowed for ecs.amazonaws.com"
        )
    );
    let (code, _) = rejected(create(&pool, &c, "nothing.amazonaws.com", None, None).await);
    assert_eq!(code, "InvalidInput");
    let bad = create(&pool, &c, "not a service", None, None).await;
    assert!(matches!(bad, Err(ServiceError::Invalid(_))), "{bad:?}");
    assert_eq!(count(&pool, "iam_roles").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn nobody_changes_a_service_linked_role_and_its_policies_go_on_no_customer_role(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let c = caller(&root, &m);
    create(&pool, &c, "autoscaling.amazonaws.com", None, None)
        .await
        .unwrap();
    let entity = Entity::Role(ROLE.into());
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    unmodifiable(roles::update_trust_policy(&pool, &c, ROLE, trust).await);
    unmodifiable(attach(&pool, &c, &entity, S3_READ).await);
    unmodifiable(detach(&pool, &c, &entity, AUTOSCALING_POLICY).await);
    let admin = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    unmodifiable(put_inline(&pool, &c, &entity, "more", admin).await);
    unmodifiable(boundaries::put(&pool, &c, &entity, S3_READ).await);
    unmodifiable(roles::delete_role(&pool, &c, ROLE, true).await);
    let longer = RoleUpdate {
        max_session_duration: Some(7200),
        ..Default::default()
    };
    unmodifiable(roles::update_role(&pool, &c, ROLE, "iam:UpdateRole", &longer).await);
    // Its description stays the account's to write.
    let described = RoleUpdate {
        description: Some("used by scaling groups"),
        ..Default::default()
    };
    let updated = roles::update_role(&pool, &c, ROLE, "iam:UpdateRoleDescription", &described)
        .await
        .unwrap();
    assert_eq!(updated.description, "used by scaling groups");
    let after = roles::get_role(&pool, &c, ROLE).await.unwrap();
    assert!(after.assume_role_policy.contains("autoscaling.amazonaws.com"));
    assert_eq!(count(&pool, "role_policies").await, 1);
    assert_eq!(count(&pool, "role_inline_policies").await, 0);

    // A customer role may not take a service role's policy, nor live under AWS's path.
    let customer = NewRole {
        role_name: "app".into(),
        path: "/".into(),
        trust_policy: trust.replace(r#"{"AWS":"*"}"#, r#"{"Service":"ec2.amazonaws.com"}"#),
        ..Default::default()
    };
    roles::create_role(&pool, &c, &customer).await.unwrap();
    let (code, message) = rejected(attach(&pool, &c, &Entity::Role("app".into()), AUTOSCALING_POLICY).await);
    assert_eq!(
        (code, message.as_str()),
        (
            "PolicyNotAttachable",
            "Cannot attach a Service Role Policy to a Customer Role."
        )
    );
    let reserved = NewRole {
        role_name: "sneaky".into(),
        path: "/aws-service-role/autoscaling.amazonaws.com/".into(),
        ..customer.clone()
    };
    let refused = roles::create_role(&pool, &c, &reserved).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    // Nor may a workload get a service's role.
    instance_profiles::create(&pool, &c, "web", "/", &[])
        .await
        .unwrap();
    unmodifiable(instance_profiles::add_role(&pool, &c, "web", ROLE).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn deleting_leaves_a_task_and_only_service_linked_roles_go_that_way(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let c = caller(&root, &m);
    create(&pool, &c, "autoscaling.amazonaws.com", None, None)
        .await
        .unwrap();
    let task = delete(&pool, &c, ROLE).await.unwrap();
    let prefix = format!("task/aws-service-role/autoscaling.amazonaws.com/{ROLE}/");
    assert!(task.starts_with(&prefix), "{task}");
    assert_eq!(task.len(), prefix.len() + 36, "{task}");
    assert_eq!(deletion_status(&pool, &c, &task).await.unwrap(), "SUCCEEDED");
    assert_eq!(count(&pool, "iam_roles").await, 0);
    assert_eq!(count(&pool, "role_policies").await, 0);
    let unknown = format!("{prefix}00000000-0000-4000-8000-000000000000");
    let missing = deletion_status(&pool, &c, &unknown).await;
    assert!(
        matches!(missing, Err(ServiceError::NoSuchEntity(_))),
        "{missing:?}"
    );
    let (code, _) = rejected(deletion_status(&pool, &c, "task/not-a-role").await);
    assert_eq!(code, "InvalidInput");
    let gone = delete(&pool, &c, ROLE).await;
    assert!(matches!(gone, Err(ServiceError::NoSuchEntity(_))), "{gone:?}");

    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let customer = NewRole {
        role_name: "app".into(),
        path: "/".into(),
        trust_policy: trust.into(),
        ..Default::default()
    };
    roles::create_role(&pool, &c, &customer).await.unwrap();
    let (code, _) = rejected(delete(&pool, &c, "app").await);
    assert_eq!(code, "InvalidInput");
    assert_eq!(count(&pool, "iam_roles").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn creating_one_is_decided_with_the_service_name(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let only_ecs = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole",
        "Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"ecs.amazonaws.com"}}}]}"#;
    let who = iam_service::ops::users::create_user(&pool, &hasher(), &caller(&root, &m), user("ops"))
        .await
        .unwrap();
    put_inline(
        &pool,
        &caller(&root, &m),
        &Entity::User("ops".into()),
        "ecs",
        only_ecs,
    )
    .await
    .unwrap();
    let c = caller(&who, &m);
    let ecs = create(&pool, &c, "ecs.amazonaws.com", None, None).await.unwrap();
    assert_eq!(ecs.role_name, "AWSServiceRoleForECS");
    let refused = create(&pool, &c, "autoscaling.amazonaws.com", None, None).await;
    match refused {
        Err(ServiceError::AccessDenied(message)) => {
            assert!(message.contains("iam:CreateServiceLinkedRole"), "{message}")
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    let refused = delete(&pool, &c, "AWSServiceRoleForECS").await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
    assert_eq!(count(&pool, "iam_roles").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn instance_profiles_carry_tags(pool: PgPool) {
    let root = root(&pool).await;
    let m = meta();
    let c = caller(&root, &m);
    let tag = |k: &str, v: &str| Tag {
        key: k.into(),
        value: v.into(),
    };
    let created = instance_profiles::create(&pool, &c, "web", "/", &[tag("env", "prod")])
        .await
        .unwrap();
    assert_eq!(created.tags, [tag("env", "prod")]);
    let target = Tagged::InstanceProfile("web");
    tags::tag(&pool, &c, target, &[tag("team", "web"), tag("env", "test")])
        .await
        .unwrap();
    tags::untag(&pool, &c, target, &["team".into()]).await.unwrap();
    assert_eq!(tags::list(&pool, &c, target).await.unwrap(), [tag("env", "test")]);
    let read = instance_profiles::get(&pool, &c, "web").await.unwrap();
    assert_eq!(read.tags, [tag("env", "test")]);
    let missing = tags::list(&pool, &c, Tagged::InstanceProfile("nope")).await;
    assert!(
        matches!(missing, Err(ServiceError::NoSuchEntity(_))),
        "{missing:?}"
    );
    let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    let refused = tags::tag(&pool, &c, target, &many).await;
    assert!(
        matches!(refused, Err(ServiceError::LimitExceeded(_))),
        "{refused:?}"
    );

    // Tagging is its own action.
    let who = iam_service::ops::users::create_user(&pool, &hasher(), &c, user("viewer"))
        .await
        .unwrap();
    let reader = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateInstanceProfile","Resource":"*"}]}"#;
    put_inline(&pool, &c, &Entity::User("viewer".into()), "p", reader)
        .await
        .unwrap();
    let v = caller(&who, &m);
    let refused = instance_profiles::create(&pool, &v, "db", "/", &[tag("env", "prod")]).await;
    match refused {
        Err(ServiceError::AccessDenied(message)) => {
            assert!(message.contains("iam:TagInstanceProfile"), "{message}")
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    assert_eq!(count(&pool, "instance_profiles").await, 1);
    assert_eq!(count(&pool, "instance_profile_tags").await, 1);
}
