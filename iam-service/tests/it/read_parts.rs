//! The user, group and policy pages authorized part by part, each part under the action the
//! API reads it with; deleting a policy decided on the real ARNs of what it is attached to;
//! creating a user refused before any password work.

use crate::*;
use iam_core::model::{Denied, Part, Tag};
use iam_service::ops::attachments::{attach, get_inline, list_attached, put_inline, Entity};
use iam_service::ops::groups::{create_group, get_group};
use iam_service::ops::history::{lookup_events, HistoryFilter};
use iam_service::ops::policies::{create_policy, create_version, delete_policy, get_policy};
use iam_service::ops::users::{create_user, get_user, list_user_tags, tag_user, NewUser};
use iam_service::{Identity, ServiceError};

const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

async fn root_of(pool: &PgPool) -> Identity {
    let account = signed_up(pool, "ann@example.com").await;
    Identity::Root {
        account_id: account.account_id,
    }
}

async fn new_user(pool: &PgPool, by: &Identity, new: NewUser) -> Identity {
    let m = meta();
    create_user(pool, &hasher(), &caller(by, &m), new).await.unwrap()
}

/// A user whose only policy is the inline policy `document`.
async fn user_with_policy(pool: &PgPool, root: &Identity, name: &str, document: &str) -> Identity {
    let who = new_user(pool, root, user(name)).await;
    let m = meta();
    let entity = Entity::User(name.into());
    put_inline(pool, &caller(root, &m), &entity, "Grants", document)
        .await
        .unwrap();
    who
}

fn statements(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn refused(result: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match result {
        Err(ServiceError::AccessDenied(message)) => message,
        other => panic!("expected AccessDenied, got {other:?}"),
    }
}

/// The refusal a part carries; panics when the part was shown.
fn denied<T: std::fmt::Debug>(part: &Part<T>) -> &str {
    match part {
        Err(Denied { message }) => message,
        Ok(shown) => panic!("expected the part to be refused, got {shown:?}"),
    }
}

/// A user at `/ops/` with every part of its page filled: a group (with an attached and an
/// inline policy), an attached policy, an inline policy, a tag, a console password to be
/// reset, and an MFA device.
async fn target(pool: &PgPool, root: &Identity) -> String {
    let m = meta();
    let as_root = caller(root, &m);
    create_group(pool, &as_root, "Devs", "/teams/", &[READ_ONLY.into()])
        .await
        .unwrap();
    let group = Entity::Group("Devs".into());
    put_inline(pool, &as_root, &group, "DevNotes", DOC).await.unwrap();
    let mut new = user("target");
    new.path = "/ops/".into();
    new.groups = vec!["Devs".into()];
    new.policy_arns = vec![READ_ONLY.into()];
    new.password = Some("Initial-Harbor-7-Lantern".into());
    new.require_reset = true;
    let target = new_user(pool, root, new).await;
    let entity = Entity::User("target".into());
    put_inline(pool, &as_root, &entity, "Notes", DOC).await.unwrap();
    let tag = Tag {
        key: "team".into(),
        value: "blue".into(),
    };
    tag_user(pool, &as_root, "target", &[tag]).await.unwrap();
    // An enabled device, as enrolment leaves it.
    sqlx::query(
        "INSERT INTO mfa_devices (account_id, name, principal_arn, seed_sealed, created_at, enabled_at)
         VALUES ($1, 'phone', $2, '\\x00', now(), now())",
    )
    .bind(root.account_id().as_str())
    .bind(target.arn())
    .execute(pool)
    .await
    .unwrap();
    target.arn()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_page_shows_only_the_parts_the_caller_may_read(pool: PgPool) {
    let root = root_of(&pool).await;
    let account = root.account_id().to_string();
    let target_arn = target(&pool, &root).await;
    let group_arn = format!("arn:aws:iam::{account}:group/teams/Devs");
    // Allowed the user and most of its parts, but tags and inline documents are denied
    // outright, the group's inline policies are denied on the group, and the login
    // profile is simply not allowed.
    let document = statements(&format!(
        r#"{{"Effect":"Allow","Action":["iam:GetUser","iam:ListGroupsForUser","iam:ListAttachedUserPolicies",
              "iam:ListUserPolicies","iam:GetUserPolicy","iam:ListUserTags","iam:ListMFADevices",
              "iam:ListAttachedGroupPolicies","iam:ListGroupPolicies"],"Resource":"*"}},
           {{"Effect":"Deny","Action":["iam:GetUserPolicy","iam:ListUserTags"],"Resource":"*"}},
           {{"Effect":"Deny","Action":"iam:ListGroupPolicies","Resource":"{group_arn}"}}"#
    ));
    let viewer = user_with_policy(&pool, &root, "viewer", &document).await;
    let m = meta();
    let c = caller(&viewer, &m);
    let detail = get_user(&pool, &c, "target").await.unwrap();
    let viewer_arn = format!("arn:aws:iam::{account}:user/viewer");

    assert_eq!(detail.summary.arn, target_arn);
    // The words the API's own read of the part refuses with, on the user's real ARN.
    let tags = denied(&detail.tags);
    assert_eq!(tags, refused(list_user_tags(&pool, &c, "target").await));
    assert!(
        tags.starts_with(&format!(
            "User: {viewer_arn} is not authorized to perform: iam:ListUserTags on resource: {target_arn} with an explicit deny"
        )),
        "{tags}"
    );
    let reset = denied(&detail.password_reset_required);
    assert!(
        reset.ends_with(&format!(
            "iam:GetLoginProfile on resource: {target_arn} because no identity-based policy allows the iam:GetLoginProfile action"
        )),
        "{reset}"
    );
    let inline = detail.inline_policies.as_ref().unwrap();
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0].policy_name, "Notes");
    let document = denied(&inline[0].document);
    assert_eq!(
        document,
        refused(get_inline(&pool, &c, &Entity::User("target".into()), "Notes").await)
    );

    // The parts allowed are there in full.
    let groups = detail.groups.as_ref().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].arn, group_arn);
    let attached = detail.policies.as_ref().unwrap();
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].policy_arn, READ_ONLY);
    let devices = detail.mfa_devices.as_ref().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, "phone");
    // Through the group: attached shown, inline names refused on the group's ARN.
    let through = detail.group_policies.as_ref().unwrap();
    assert_eq!(through.len(), 1);
    assert_eq!(through[0].group_name, "Devs");
    let group_attached = through[0].attached.as_ref().unwrap();
    assert_eq!(group_attached.len(), 1);
    assert_eq!(group_attached[0].policy_arn, READ_ONLY);
    assert_eq!(group_attached[0].attached_via, "Group Devs");
    let group_inline = denied(&through[0].inline);
    assert!(
        group_inline.contains(&format!(
            "iam:ListGroupPolicies on resource: {group_arn} with an explicit deny"
        )),
        "{group_inline}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_page_without_group_listing_hides_the_groups_policies_too(pool: PgPool) {
    let root = root_of(&pool).await;
    target(&pool, &root).await;
    let only_user = statements(r#"{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}"#);
    let viewer = user_with_policy(&pool, &root, "viewer", &only_user).await;
    let m = meta();
    let detail = get_user(&pool, &caller(&viewer, &m), "target").await.unwrap();
    assert_eq!(detail.summary.user_name, "target");
    let groups = denied(&detail.groups);
    assert!(groups.contains("iam:ListGroupsForUser"), "{groups}");
    // The groups' policies need the groups listed first: the same refusal.
    assert_eq!(denied(&detail.group_policies), groups);
    for (action, part) in [
        ("iam:ListAttachedUserPolicies", denied(&detail.policies)),
        ("iam:ListUserPolicies", denied(&detail.inline_policies)),
        ("iam:ListUserTags", denied(&detail.tags)),
        ("iam:ListMFADevices", denied(&detail.mfa_devices)),
        ("iam:GetLoginProfile", denied(&detail.password_reset_required)),
    ] {
        assert!(
            part.contains(&format!("not authorized to perform: {action} on resource:")),
            "{action}: {part}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_allowed_every_read_sees_what_the_root_user_sees(pool: PgPool) {
    let root = root_of(&pool).await;
    target(&pool, &root).await;
    let mut new = user("reader");
    new.policy_arns = vec![READ_ONLY.into()];
    let reader = new_user(&pool, &root, new).await;
    let m = meta();
    let as_reader = caller(&reader, &m);
    let as_root = caller(&root, &m);

    let seen = get_user(&pool, &as_reader, "target").await.unwrap();
    assert_eq!(seen, get_user(&pool, &as_root, "target").await.unwrap());
    assert_eq!(seen.password_reset_required, Ok(true));
    assert_eq!(seen.groups.as_ref().unwrap().len(), 1);
    assert_eq!(seen.policies.as_ref().unwrap().len(), 1);
    let inline = seen.inline_policies.as_ref().unwrap();
    assert_eq!(inline[0].document.as_deref(), Ok(DOC));
    assert_eq!(seen.tags.as_ref().unwrap()[0].value, "blue");
    assert_eq!(seen.mfa_devices.as_ref().unwrap().len(), 1);
    let through = &seen.group_policies.as_ref().unwrap()[0];
    assert_eq!(through.attached.as_ref().unwrap().len(), 1);
    let group_inline = through.inline.as_ref().unwrap();
    assert_eq!(group_inline[0].policy_name, "DevNotes");
    assert_eq!(group_inline[0].policy_type, "Inline");

    let group = get_group(&pool, &as_reader, "Devs").await.unwrap();
    assert_eq!(group, get_group(&pool, &as_root, "Devs").await.unwrap());
    assert_eq!(group.users, ["target"]);
    assert_eq!(group.policies.as_ref().unwrap()[0].policy_arn, READ_ONLY);
    assert_eq!(
        group.inline_policies.as_ref().unwrap()[0].document.as_deref(),
        Ok(DOC)
    );

    let policy = create_policy(&pool, &as_root, "P", "/", "", DOC).await.unwrap();
    attach(&pool, &as_root, &Entity::User("target".into()), &policy.arn)
        .await
        .unwrap();
    let seen = get_policy(&pool, &as_reader, &policy.arn).await.unwrap();
    assert_eq!(seen, get_policy(&pool, &as_root, &policy.arn).await.unwrap());
    assert_eq!(seen.document.as_deref(), Ok(DOC));
    assert_eq!(seen.versions.as_ref().unwrap()[0].document.as_deref(), Ok(DOC));
    assert_eq!(seen.entities.as_ref().unwrap()[0].name, "target");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_group_page_shows_its_users_and_only_the_policies_the_caller_may_read(pool: PgPool) {
    let root = root_of(&pool).await;
    let account = root.account_id().to_string();
    target(&pool, &root).await;
    let document =
        statements(r#"{"Effect":"Allow","Action":["iam:GetGroup","iam:ListGroupPolicies"],"Resource":"*"}"#);
    let viewer = user_with_policy(&pool, &root, "viewer", &document).await;
    let m = meta();
    let c = caller(&viewer, &m);
    let detail = get_group(&pool, &c, "Devs").await.unwrap();
    assert_eq!(detail.users, ["target"], "GetGroup answers the group's users");
    let attached = denied(&detail.policies);
    assert_eq!(
        attached,
        refused(list_attached(&pool, &c, &Entity::Group("Devs".into())).await)
    );
    assert!(
        attached.contains(&format!(
            "iam:ListAttachedGroupPolicies on resource: arn:aws:iam::{account}:group/teams/Devs"
        )),
        "{attached}"
    );
    let inline = detail.inline_policies.as_ref().unwrap();
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0].policy_name, "DevNotes");
    assert!(denied(&inline[0].document).contains("iam:GetGroupPolicy"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_policy_page_shows_documents_versions_and_entities_only_when_allowed(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    let policy = create_policy(&pool, &as_root, "P", "/", "", DOC).await.unwrap();
    let second = DOC.replace("s3:GetObject", "s3:PutObject");
    create_version(&pool, &as_root, &policy.arn, &second, true)
        .await
        .unwrap();
    new_user(&pool, &root, user("holder")).await;
    attach(&pool, &as_root, &Entity::User("holder".into()), &policy.arn)
        .await
        .unwrap();

    // Versions listed, but no document and no entities.
    let lister = statements(
        r#"{"Effect":"Allow","Action":["iam:GetPolicy","iam:ListPolicyVersions"],"Resource":"*"}"#,
    );
    let lister = user_with_policy(&pool, &root, "lister", &lister).await;
    let detail = get_policy(&pool, &caller(&lister, &m), &policy.arn)
        .await
        .unwrap();
    assert_eq!(detail.summary.default_version, "v2");
    assert!(denied(&detail.document).contains(&format!(
        "iam:GetPolicyVersion on resource: {} because no identity-based policy allows",
        policy.arn
    )));
    let versions = detail.versions.as_ref().unwrap();
    let ids: Vec<_> = versions.iter().map(|v| v.version_id.as_str()).collect();
    assert_eq!(ids, ["v2", "v1"]);
    assert!(versions
        .iter()
        .all(|v| denied(&v.document).contains("iam:GetPolicyVersion")));
    assert!(denied(&detail.entities).contains("iam:ListEntitiesForPolicy"));

    // The document in force, explicitly denied the version list.
    let reader = statements(
        r#"{"Effect":"Allow","Action":["iam:GetPolicy","iam:GetPolicyVersion","iam:ListPolicyVersions"],"Resource":"*"},
           {"Effect":"Deny","Action":"iam:ListPolicyVersions","Resource":"*"}"#,
    );
    let reader = user_with_policy(&pool, &root, "reader", &reader).await;
    let detail = get_policy(&pool, &caller(&reader, &m), &policy.arn)
        .await
        .unwrap();
    assert_eq!(detail.document.as_deref(), Ok(second.as_str()));
    assert!(denied(&detail.versions).contains("iam:ListPolicyVersions on resource:"));
    assert!(denied(&detail.versions).contains("with an explicit deny"));
}

#[sqlx::test(migrations = "../migrations")]
async fn deleting_a_policy_decides_each_detachment_on_the_real_arn(pool: PgPool) {
    let root = root_of(&pool).await;
    let account = root.account_id().to_string();
    let m = meta();
    let as_root = caller(&root, &m);
    let mut alice = user("alice");
    alice.path = "/prod/".into();
    new_user(&pool, &root, alice).await;
    let policy = create_policy(&pool, &as_root, "P", "/", "", DOC).await.unwrap();
    attach(&pool, &as_root, &Entity::User("alice".into()), &policy.arn)
        .await
        .unwrap();
    let document = statements(&format!(
        r#"{{"Effect":"Allow","Action":["iam:DeletePolicy","iam:Detach*"],"Resource":"*"}},
           {{"Effect":"Deny","Action":"iam:DetachUserPolicy","Resource":"arn:aws:iam::{account}:user/prod/*"}}"#
    ));
    let deleter = user_with_policy(&pool, &root, "deleter", &document).await;
    let as_deleter = caller(&deleter, &m);

    let message = refused(delete_policy(&pool, &as_deleter, &policy.arn, true).await);
    assert!(
        message.contains(&format!(
            "iam:DetachUserPolicy on resource: arn:aws:iam::{account}:user/prod/alice with an explicit deny"
        )),
        "{message}"
    );
    let kept = get_policy(&pool, &as_root, &policy.arn).await.unwrap();
    let entities = kept.entities.unwrap();
    assert_eq!(entities.len(), 1, "still attached");
    assert_eq!(entities[0].name, "alice");

    // Elsewhere the deletion goes through, and the history names the real ARNs.
    let mut bob = user("bob");
    bob.path = "/dev/".into();
    new_user(&pool, &root, bob).await;
    create_group(&pool, &as_root, "Crew", "/teams/", &[])
        .await
        .unwrap();
    let other = create_policy(&pool, &as_root, "Q", "/", "", DOC).await.unwrap();
    attach(&pool, &as_root, &Entity::User("bob".into()), &other.arn)
        .await
        .unwrap();
    attach(&pool, &as_root, &Entity::Group("Crew".into()), &other.arn)
        .await
        .unwrap();
    delete_policy(&pool, &as_deleter, &other.arn, true).await.unwrap();
    let events = lookup_events(
        &pool,
        &as_root,
        &HistoryFilter {
            action: "Detach".into(),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let resources: Vec<_> = events.iter().filter_map(|e| e.resource.as_deref()).collect();
    assert!(
        resources.contains(&format!("arn:aws:iam::{account}:user/dev/bob {}", other.arn).as_str()),
        "{resources:?}"
    );
    assert!(
        resources.contains(&format!("arn:aws:iam::{account}:group/teams/Crew {}", other.arn).as_str()),
        "{resources:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn creating_a_user_is_refused_before_any_password_work(pool: PgPool) {
    let root = root_of(&pool).await;
    let nobody = new_user(&pool, &root, user("nobody")).await;
    let only_create = statements(r#"{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}"#);
    let creator = user_with_policy(&pool, &root, "creator", &only_create).await;
    // A hasher of this test's own, so its count is this test's alone.
    let hasher = iam_service::PasswordHasher::new(1).unwrap();
    let m = meta();
    let users = count(&pool, "iam_users").await;
    let with_password = |password: &str| {
        let mut new = user("carol");
        new.password = Some(password.into());
        new
    };

    let message = refused(create_user(&pool, &hasher, &caller(&nobody, &m), with_password(PASSWORD)).await);
    assert!(message.contains("iam:CreateUser"), "{message}");
    // Not judged either: a weak password is refused the same way, not as invalid.
    let weak = refused(create_user(&pool, &hasher, &caller(&nobody, &m), with_password("x")).await);
    assert_eq!(weak, message);
    let message = refused(create_user(&pool, &hasher, &caller(&creator, &m), with_password(PASSWORD)).await);
    assert!(message.contains("iam:CreateLoginProfile"), "{message}");

    assert_eq!(hasher.hashes_done(), 0, "no argon2 work for a refusal");
    assert_eq!(count(&pool, "iam_users").await, users, "nothing written");
    assert_eq!(count(&pool, "login_profiles").await, 0);
    // The same hasher does hash for a caller who may.
    create_user(&pool, &hasher, &caller(&root, &m), with_password(PASSWORD))
        .await
        .unwrap();
    assert_eq!(hasher.hashes_done(), 1);
}
