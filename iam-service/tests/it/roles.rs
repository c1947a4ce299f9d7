//! Roles: created with a trust policy the engine checks as one, read, listed, updated, given
//! policies through the same path as users and groups, and deleted only when bare.

use crate::*;
use iam_core::model::Tag;
use iam_service::ops::attachments::{attach, delete_inline, detach, put_inline, Entity};
use iam_service::ops::roles::{self, NewRole, RoleUpdate};
use iam_service::ops::tags;
use iam_service::{Identity, ServiceError};

const TRUST_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const S3_READ: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

fn new_role(name: &str, trust: &str) -> NewRole {
    NewRole {
        role_name: name.into(),
        path: "/service/".into(),
        trust_policy: trust.into(),
        description: "reads the bucket".into(),
        max_session_duration: None,
        tags: vec![Tag {
            key: "team".into(),
            value: "platform".into(),
        }],
        permissions_boundary: None,
        policy_arns: Vec::new(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_role_is_created_read_listed_updated_and_deleted(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let c = caller(&root, &m);
    let role = roles::create_role(&pool, &c, &new_role("app-server", TRUST_EC2))
        .await
        .unwrap();
    assert_eq!(
        role.arn,
        format!("arn:aws:iam::{}:role/service/app-server", account.account_id)
    );
    assert!(
        role.role_id.starts_with("AROA") && role.role_id.len() == 20,
        "{}",
        role.role_id
    );
    assert_eq!(role.max_session_duration, 3600);
    let again = roles::create_role(&pool, &c, &new_role("APP-SERVER", TRUST_EC2)).await;
    assert!(matches!(again, Err(ServiceError::AlreadyExists(_))), "{again:?}");
    let read = roles::get_role(&pool, &c, "app-server").await.unwrap();
    assert_eq!((read.arn.as_str(), read.tags.len()), (role.arn.as_str(), 1));
    let (listed, more) = roles::list_roles(&pool, &c, "/service/", None, 100)
        .await
        .unwrap();
    assert_eq!((listed.len(), more), (1, false));
    assert!(roles::list_roles(&pool, &c, "/other/", None, 100)
        .await
        .unwrap()
        .0
        .is_empty());

    let update = RoleUpdate {
        description: Some("reads and lists"),
        max_session_duration: Some(7200),
    };
    let updated = roles::update_role(&pool, &c, "app-server", "iam:UpdateRole", &update)
        .await
        .unwrap();
    assert_eq!(
        (updated.description.as_str(), updated.max_session_duration),
        ("reads and lists", 7200)
    );
    let too_long = RoleUpdate {
        max_session_duration: Some(50_000),
        ..Default::default()
    };
    let refused = roles::update_role(&pool, &c, "app-server", "iam:UpdateRole", &too_long).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");

    // Tags: given at creation, then through the one path users' tags take.
    let role_entity = Entity::Role("app-server".into());
    assert_eq!(
        roles::get_role(&pool, &c, "app-server").await.unwrap().tags.len(),
        1
    );
    let env = Tag {
        key: "env".into(),
        value: "prod".into(),
    };
    tags::tag(&pool, &c, &role_entity, &[env]).await.unwrap();
    tags::untag(&pool, &c, &role_entity, &["team".into()])
        .await
        .unwrap();
    let keys: Vec<String> = tags::list(&pool, &c, &role_entity)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(keys, ["env"]);
    // Policies go through the one path users and groups use.
    let entity = Entity::Role("app-server".into());
    attach(&pool, &c, &entity, S3_READ).await.unwrap();
    let inline =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}"#;
    put_inline(&pool, &c, &entity, "write", inline).await.unwrap();
    let conflict = roles::delete_role(&pool, &c, "app-server", false).await;
    assert!(
        matches!(&conflict, Err(ServiceError::DeleteConflict(m)) if m == "Cannot delete entity, must detach all policies first."),
        "{conflict:?}"
    );
    detach(&pool, &c, &entity, S3_READ).await.unwrap();
    delete_inline(&pool, &c, &entity, "write").await.unwrap();
    roles::delete_role(&pool, &c, "app-server", false).await.unwrap();
    let gone = roles::get_role(&pool, &c, "app-server").await;
    assert!(
        matches!(&gone, Err(ServiceError::NoSuchEntity(m)) if m == "The role with name app-server cannot be found."),
        "{gone:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_trust_policy_is_checked_as_a_trust_policy(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let c = caller(&root, &m);
    // An identity policy is no trust policy: it names no principal.
    let identity =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}"#;
    for bad in [identity, "{not json", ""] {
        let refused = roles::create_role(&pool, &c, &new_role("r", bad)).await;
        assert!(
            matches!(refused, Err(ServiceError::MalformedPolicy(_))),
            "{bad}: {refused:?}"
        );
    }
    let huge = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"sts:AssumeRole"}}}}"#,
        vec!["arn:aws:iam::123456789012:root"; 80].join("\",\"")
    );
    let refused = roles::create_role(&pool, &c, &new_role("r", &huge)).await;
    assert!(
        matches!(refused, Err(ServiceError::LimitExceeded(_))),
        "{refused:?}"
    );
    assert_eq!(count(&pool, "iam_roles").await, 0);
    roles::create_role(&pool, &c, &new_role("r", TRUST_EC2))
        .await
        .unwrap();
    let update = roles::update_trust_policy(&pool, &c, "r", identity).await;
    assert!(
        matches!(update, Err(ServiceError::MalformedPolicy(_))),
        "{update:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn roles_are_refused_without_a_policy_and_nothing_is_written(pool: PgPool) {
    use iam_service::ops::users::create_user;
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let nobody = create_user(&pool, &hasher(), &caller(&root, &m), user("nobody"))
        .await
        .unwrap();
    roles::create_role(&pool, &caller(&root, &m), &new_role("existing", TRUST_EC2))
        .await
        .unwrap();
    let c = caller(&nobody, &m);
    let denied = |result: Result<_, ServiceError>| match result {
        Err(ServiceError::AccessDenied(message)) => message,
        other => panic!("expected AccessDenied, got {other:?}"),
    };
    assert!(denied(
        roles::create_role(&pool, &c, &new_role("mine", TRUST_EC2))
            .await
            .map(|_| ())
    )
    .contains("iam:CreateRole"));
    assert!(denied(roles::get_role(&pool, &c, "existing").await.map(|_| ())).contains("iam:GetRole"));
    // Refused the same whether the role exists or not.
    assert!(denied(roles::get_role(&pool, &c, "missing").await.map(|_| ())).contains("iam:GetRole"));
    assert!(denied(roles::list_roles(&pool, &c, "/", None, 10).await.map(|_| ())).contains("iam:ListRoles"));
    assert!(denied(roles::delete_role(&pool, &c, "existing", false).await).contains("iam:DeleteRole"));
    let entity = Entity::Role("existing".into());
    assert!(denied(attach(&pool, &c, &entity, S3_READ).await).contains("iam:AttachRolePolicy"));
    let tag = Tag {
        key: "k".into(),
        value: "v".into(),
    };
    assert!(denied(tags::tag(&pool, &c, &entity, &[tag]).await).contains("iam:TagRole"));
    assert!(denied(tags::list(&pool, &c, &entity).await.map(|_| ())).contains("iam:ListRoleTags"));
    assert_eq!(count(&pool, "iam_roles").await, 1);
    assert_eq!(count(&pool, "role_policies").await, 0);
    assert_eq!(
        count(&pool, "role_tags").await,
        1,
        "only the existing role's own tag"
    );
}
