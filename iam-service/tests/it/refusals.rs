//! Every operation refused without a policy (nothing written), and quotas under concurrency.

use crate::console::{denied, new_user, root_of, READ_ONLY};
use crate::*;
use iam_core::model::{PageRequest, Tag};
use iam_service::ops::attachments::{attach, detach, put_inline, Entity};
use iam_service::ops::groups::{add_user_to_group, create_group, delete_group, get_group, list_groups};
use iam_service::ops::history::{lookup_events, HistoryFilter};
use iam_service::ops::policies::{
    create_policy, create_version, delete_policy, delete_version, get_policy, list_policies,
    set_default_version, PolicyFilter,
};
use iam_service::ops::simulate::{simulate, Paging, Scenario, Subject};
use iam_service::ops::users::{create_user, delete_user, get_user, list_users};
use iam_service::ServiceError;

/// Every operation, called by a user without policies: refused with AWS's action name, and
/// nothing written. (The same calls by the root user succeed in the tests above.)
#[sqlx::test(migrations = "../migrations")]
async fn every_operation_is_refused_without_a_policy(pool: PgPool) {
    use iam_service::ops::attachments::{delete_inline, get_inline, list_attached, list_inline};
    use iam_service::ops::groups::remove_user_from_group;
    use iam_service::ops::passwords::read_policy;
    use iam_service::ops::policies::{read_policy as read_policy_as, PolicyRead};
    use iam_service::ops::summary::account_summary;
    use iam_service::ops::users::{
        deactivate_user_mfa, delete_console_password, list_groups_for_user, list_user_tags,
        set_console_password, tag_user, untag_user,
    };
    use iam_service::ops::virtual_mfa;
    let secrets = iam_service::crypto::SecretBox::new(&[7u8; 32]);
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}"#;
    let policy = create_policy(&pool, &as_root, "P", "/", "", doc).await.unwrap();
    create_version(&pool, &as_root, &policy.arn, doc, false)
        .await
        .unwrap();
    create_group(&pool, &as_root, "G", "/", &[]).await.unwrap();
    let mut new = user("target");
    new.groups = vec!["G".into()];
    new.password = Some("Initial-Harbor-7-Lantern".into());
    new_user(&pool, &root, new).await;
    let nobody = new_user(&pool, &root, user("nobody")).await;
    // An unassigned device, made by the root user, for the device operations to be refused on.
    let serial = virtual_mfa::create(&pool, &secrets, &as_root, "spare", "/")
        .await
        .unwrap()
        .serial;
    let before = count(&pool, "audit_events").await;
    let c = caller(&nobody, &m);
    let user_entity = Entity::User("target".into());
    let tag = [Tag {
        key: "k".into(),
        value: "v".into(),
    }];
    let page = PageRequest::default();
    let scenario = Scenario {
        actions: vec!["iam:GetUser".into()],
        ..Default::default()
    };
    let refusals = [
        (
            "iam:CreateUser",
            denied(create_user(&pool, &hasher(), &c, user("new")).await),
        ),
        ("iam:ListUsers", denied(list_users(&pool, &c, &page).await)),
        ("iam:GetUser", denied(get_user(&pool, &c, "target").await)),
        (
            "iam:DeleteUser",
            denied(delete_user(&pool, &c, "target", true).await),
        ),
        (
            "iam:UpdateLoginProfile",
            denied(
                set_console_password(&pool, &hasher(), &c, "target", "Quiet-Meadow-42-Lantern", false).await,
            ),
        ),
        (
            "iam:DeleteLoginProfile",
            denied(delete_console_password(&pool, &c, "target").await),
        ),
        ("iam:TagUser", denied(tag_user(&pool, &c, "target", &tag).await)),
        (
            "iam:UntagUser",
            denied(untag_user(&pool, &c, "target", &["k".into()]).await),
        ),
        (
            "iam:DeactivateMFADevice",
            denied(deactivate_user_mfa(&pool, &c, "target", "phone").await),
        ),
        (
            "iam:CreateGroup",
            denied(create_group(&pool, &c, "H", "/", &[]).await),
        ),
        ("iam:ListGroups", denied(list_groups(&pool, &c, &page).await)),
        ("iam:GetGroup", denied(get_group(&pool, &c, "G").await)),
        (
            "iam:DeleteGroup",
            denied(delete_group(&pool, &c, "G", true).await),
        ),
        (
            "iam:AddUserToGroup",
            denied(add_user_to_group(&pool, &c, "G", "nobody").await),
        ),
        (
            "iam:RemoveUserFromGroup",
            denied(remove_user_from_group(&pool, &c, "G", "target").await),
        ),
        (
            "iam:AttachUserPolicy",
            denied(attach(&pool, &c, &user_entity, READ_ONLY).await),
        ),
        (
            "iam:DetachUserPolicy",
            denied(detach(&pool, &c, &user_entity, READ_ONLY).await),
        ),
        (
            "iam:AttachGroupPolicy",
            denied(attach(&pool, &c, &Entity::Group("G".into()), READ_ONLY).await),
        ),
        (
            "iam:PutUserPolicy",
            denied(put_inline(&pool, &c, &user_entity, "I", doc).await),
        ),
        (
            "iam:DeleteUserPolicy",
            denied(delete_inline(&pool, &c, &user_entity, "I").await),
        ),
        (
            "iam:CreatePolicy",
            denied(create_policy(&pool, &c, "Q", "/", "", doc).await),
        ),
        (
            "iam:ListPolicies",
            denied(list_policies(&pool, &c, &PolicyFilter::default(), 0, 10).await),
        ),
        ("iam:GetPolicy", denied(get_policy(&pool, &c, &policy.arn).await)),
        (
            "iam:CreatePolicyVersion",
            denied(create_version(&pool, &c, &policy.arn, doc, true).await),
        ),
        (
            "iam:SetDefaultPolicyVersion",
            denied(set_default_version(&pool, &c, &policy.arn, "v2").await),
        ),
        (
            "iam:DeletePolicyVersion",
            denied(delete_version(&pool, &c, &policy.arn, "v2").await),
        ),
        (
            "iam:DeletePolicy",
            denied(delete_policy(&pool, &c, &policy.arn, true).await),
        ),
        (
            "iam:SimulatePrincipalPolicy",
            denied(
                simulate(
                    &pool,
                    &c,
                    &Subject::User("target".into()),
                    &scenario,
                    &Paging::default(),
                )
                .await,
            ),
        ),
        ("iam:GetAccountSummary", denied(account_summary(&pool, &c).await)),
        (
            "iam:GetAccountPasswordPolicy",
            denied(read_policy(&pool, &c).await),
        ),
        (
            "cloudtrail:LookupEvents",
            denied(lookup_events(&pool, &c, &HistoryFilter::default()).await),
        ),
        // The API's reads, each under its own name.
        (
            "iam:ListAttachedUserPolicies",
            denied(list_attached(&pool, &c, &user_entity).await),
        ),
        (
            "iam:ListGroupPolicies",
            denied(list_inline(&pool, &c, &Entity::Group("G".into())).await),
        ),
        (
            "iam:GetUserPolicy",
            denied(get_inline(&pool, &c, &user_entity, "I").await),
        ),
        (
            "iam:ListUserTags",
            denied(list_user_tags(&pool, &c, "target").await),
        ),
        (
            "iam:ListGroupsForUser",
            denied(list_groups_for_user(&pool, &c, "target").await),
        ),
        (
            "iam:ListPolicyVersions",
            denied(read_policy_as(&pool, &c, &policy.arn, PolicyRead::ListPolicyVersions).await),
        ),
        (
            "iam:ListEntitiesForPolicy",
            denied(read_policy_as(&pool, &c, &policy.arn, PolicyRead::ListEntitiesForPolicy).await),
        ),
        // Virtual MFA devices through the API.
        (
            "iam:CreateVirtualMFADevice",
            denied(virtual_mfa::create(&pool, &secrets, &c, "d", "/").await),
        ),
        (
            "iam:EnableMFADevice",
            denied(virtual_mfa::enable(&pool, &secrets, &c, "target", &serial, "123456", "654321").await),
        ),
        (
            "iam:ResyncMFADevice",
            denied(virtual_mfa::resync(&pool, &secrets, &c, "target", &serial, "123456", "654321").await),
        ),
        (
            "iam:DeactivateMFADevice",
            denied(virtual_mfa::deactivate(&pool, &c, Some("target"), &serial).await),
        ),
        (
            "iam:DeleteVirtualMFADevice",
            denied(virtual_mfa::delete(&pool, &c, &serial).await),
        ),
        (
            "iam:ListVirtualMFADevices",
            denied(virtual_mfa::list(&pool, &c, virtual_mfa::Assignment::Any).await),
        ),
    ];
    let arn = nobody.arn();
    for (action, message) in refusals {
        assert!(
            message.starts_with(&format!(
                "User: {arn} is not authorized to perform: {action} on resource: "
            )),
            "{action}: {message}"
        );
        assert!(
            message.ends_with(&format!(
                "because no identity-based policy allows the {action} action"
            )),
            "{message}"
        );
    }
    assert_eq!(
        count(&pool, "audit_events").await,
        before,
        "refusals change nothing"
    );
    assert_eq!(count(&pool, "iam_users").await, 2);
    assert_eq!(count(&pool, "policy_versions").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_attachments_cannot_pass_the_quota(pool: PgPool) {
    let root = root_of(&pool).await;
    new_user(&pool, &root, user("busy")).await;
    let mut tasks = tokio::task::JoinSet::new();
    for policy in iam_core::policy::managed::MANAGED_POLICIES.iter() {
        let (pool, root, arn) = (pool.clone(), root.clone(), policy.arn());
        tasks.spawn(async move {
            let m = meta();
            attach(&pool, &caller(&root, &m), &Entity::User("busy".into()), &arn).await
        });
    }
    let (mut ok, mut limited) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(()) => ok += 1,
            Err(ServiceError::LimitExceeded(_)) => limited += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    // As many attach as the quota allows, whatever number of managed policies ships.
    let shipped = iam_core::policy::managed::MANAGED_POLICIES.len() as i64;
    let quota = iam_core::quotas::ATTACHED_POLICIES_PER_ENTITY;
    assert!(shipped > quota, "the race needs more policies than the quota");
    assert_eq!((ok, limited), (quota, shipped - quota));
    assert_eq!(count(&pool, "user_policies").await, quota);
}
