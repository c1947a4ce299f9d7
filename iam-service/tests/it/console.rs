//! Users, groups, policies and their authorization by the engine: every operation allowed
//! and refused, with AWS's words, and nothing written when refused.

use crate::*;
use iam_core::model::{PageRequest, PolicyType, SortBy, Tag};
use iam_service::ops::attachments::{attach, detach, put_inline, Entity};
use iam_service::ops::groups::{add_user_to_group, create_group, delete_group, get_group, list_groups};
use iam_service::ops::history::{lookup_events, HistoryFilter};
use iam_service::ops::policies::{
    create_policy, create_version, delete_policy, delete_version, get_policy, list_policies,
    set_default_version, PolicyFilter,
};
use iam_service::ops::simulate::{simulate, Paging, Scenario, Subject};
use iam_service::ops::users::{create_user, delete_user, get_user, list_users, NewUser};
use iam_service::{Identity, RequestMeta, ServiceError};

pub(crate) const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
pub(crate) const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";

pub(crate) async fn root_of(pool: &PgPool) -> Identity {
    let account = signed_up(pool, "ann@example.com").await;
    Identity::Root {
        account_id: account.account_id,
    }
}

pub(crate) async fn new_user(pool: &PgPool, by: &Identity, new: NewUser) -> Identity {
    let m = meta();
    create_user(pool, &hasher(), &caller(by, &m), new).await.unwrap()
}

pub(crate) fn denied(result: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match result {
        Err(ServiceError::AccessDenied(message)) => message,
        other => panic!("expected AccessDenied, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_seed_flow_an_admin_group_member_creates_users(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let group = create_group(&pool, &caller(&root, &m), "Admins", "/", &[ADMIN.into()])
        .await
        .unwrap();
    assert_eq!(group.policies, 1);
    let mut new = user("alice");
    new.password = Some("Initial-Harbor-7-Lantern".into());
    new.groups = vec!["Admins".into()];
    let alice = new_user(&pool, &root, new).await;
    new_user(&pool, &alice, user("bob")).await;
    let page = list_users(
        &pool,
        &caller(&alice, &m),
        &PageRequest {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let names: Vec<_> = page.items.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(page.items[0].groups, 1);
    assert!(page.items[0].password_enabled && !page.items[1].password_enabled);
    let detail = get_group(&pool, &caller(&root, &m), "Admins").await.unwrap();
    assert_eq!(detail.users, ["alice"]);
    // The history names who did it.
    let events = lookup_events(
        &pool,
        &caller(&root, &m),
        &HistoryFilter {
            actor: "user/alice".into(),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        events.iter().any(|e| e.action == "iam:CreateUser"
            && e.resource.as_deref().is_some_and(|r| r.ends_with(":user/bob"))),
        "{events:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn read_only_users_see_lists_and_are_refused_changes_in_aws_words(pool: PgPool) {
    let root = root_of(&pool).await;
    let account = root.account_id().to_string();
    let mut new = user("reader");
    new.policy_arns = vec![READ_ONLY.into()];
    let reader = new_user(&pool, &root, new).await;
    let m = meta();
    let as_reader = caller(&reader, &m);
    assert_eq!(
        list_users(
            &pool,
            &as_reader,
            &PageRequest {
                limit: 5,
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .total,
        1
    );
    assert!(list_groups(&pool, &as_reader, &PageRequest::default())
        .await
        .is_ok());
    assert!(get_user(&pool, &as_reader, "reader").await.is_ok());
    let message = denied(create_user(&pool, &hasher(), &as_reader, user("carol")).await);
    assert_eq!(
        message,
        format!("User: arn:aws:iam::{account}:user/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{account}:user/carol because no identity-based policy allows the iam:CreateUser action")
    );
    assert_eq!(count(&pool, "iam_users").await, 1, "a refusal writes nothing");
    denied(create_group(&pool, &as_reader, "Ops", "/", &[]).await);
    denied(attach(&pool, &as_reader, &Entity::User("reader".into()), ADMIN).await);
    // A refusal reads the same whether or not the user exists.
    let missing = denied(delete_user(&pool, &as_reader, "ghost", true).await);
    assert!(
        missing.contains(":user/ghost because no identity-based policy allows the iam:DeleteUser action"),
        "{missing}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_explicit_deny_names_the_policy_that_denied(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    create_group(&pool, &as_root, "Ops", "/", &[ADMIN.into()])
        .await
        .unwrap();
    put_inline(
        &pool,
        &as_root,
        &Entity::Group("Ops".into()),
        "NoDeletes",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}"#,
    )
    .await
    .unwrap();
    let mut new = user("olga");
    new.groups = vec!["Ops".into()];
    let olga = new_user(&pool, &root, new).await;
    new_user(&pool, &olga, user("temp")).await;
    let message = denied(delete_user(&pool, &caller(&olga, &m), "temp", true).await);
    assert!(
        message.ends_with(&format!("with an explicit deny in an identity-based policy: inline policy NoDeletes of arn:aws:iam::{}:group/Ops", root.account_id())),
        "{message}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_mfa_policy_allows_only_mfa_setup_until_the_session_used_mfa(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    create_policy(
        &pool,
        &caller(&root, &m),
        "ForceMFA",
        "/",
        "",
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Own","Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices"],"Resource":["arn:aws:iam::*:mfa/*","arn:aws:iam::*:user/${aws:username}"]},
            {"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny",
             "NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices","sts:GetSessionToken"],
             "Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
    )
    .await
    .unwrap();
    let arn = format!("arn:aws:iam::{}:policy/ForceMFA", root.account_id());
    let mut new = user("mia");
    new.policy_arns = vec![arn.clone(), READ_ONLY.into()];
    let mia = new_user(&pool, &root, new).await;
    let session = RequestMeta {
        session_started: Some(now().unix_timestamp() - 60),
        ..meta()
    };
    let message = denied(list_users(&pool, &caller(&mia, &session), &PageRequest::default()).await);
    assert!(
        message.contains(&format!(
            "with an explicit deny in an identity-based policy: {arn}"
        )),
        "{message}"
    );
    let with_mfa = RequestMeta {
        mfa_at: Some(now().unix_timestamp() - 30),
        ..session
    };
    assert!(
        list_users(&pool, &caller(&mia, &with_mfa), &PageRequest::default())
            .await
            .is_ok()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn names_and_quotas_are_refused_with_aws_errors(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    new_user(&pool, &root, user("alice")).await;
    match create_user(&pool, &hasher(), &as_root, user("ALICE")).await {
        Err(ServiceError::AlreadyExists(message)) => {
            assert_eq!(message, "User with name ALICE already exists.")
        }
        other => panic!("{other:?}"),
    }
    match create_user(&pool, &hasher(), &as_root, user("a b")).await {
        Err(ServiceError::Invalid(errors)) => assert!(
            errors[0]
                .message
                .starts_with("1 validation error detected: Value 'a b' at 'userName'"),
            "{errors:?}"
        ),
        other => panic!("{other:?}"),
    }
    let entity = Entity::User("alice".into());
    let aws: Vec<_> = iam_core::policy::managed::MANAGED_POLICIES
        .iter()
        .map(|p| p.arn())
        .collect();
    for arn in &aws[..10] {
        attach(&pool, &as_root, &entity, arn).await.unwrap();
    }
    match attach(&pool, &as_root, &entity, &aws[10]).await {
        Err(ServiceError::LimitExceeded(message)) => {
            assert_eq!(message, "Cannot exceed quota for PoliciesPerUser: 10")
        }
        other => panic!("{other:?}"),
    }
    match attach(&pool, &as_root, &entity, "arn:aws:iam::aws:policy/NoSuchPolicy").await {
        Err(ServiceError::NoSuchEntity(message)) => assert!(
            message.contains("does not exist or is not attachable"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    detach(&pool, &as_root, &entity, &aws[0]).await.unwrap();
    assert_eq!(
        get_user(&pool, &as_root, "alice")
            .await
            .unwrap()
            .policies
            .unwrap()
            .len(),
        9
    );
    match delete_user(&pool, &as_root, "alice", false).await {
        Err(ServiceError::DeleteConflict(message)) => {
            assert_eq!(message, "Cannot delete entity, must detach all policies first.")
        }
        other => panic!("{other:?}"),
    }
    delete_user(&pool, &as_root, "alice", true).await.unwrap();
    assert_eq!(count(&pool, "user_policies").await, 0);
    assert_eq!(count(&pool, "iam_users").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn policy_versions_up_to_five_with_one_default(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    let doc = |action: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
        )
    };
    let created = create_policy(&pool, &as_root, "Readers", "/", "lists", &doc("iam:List*"))
        .await
        .unwrap();
    match create_policy(
        &pool,
        &as_root,
        "Broken",
        "/",
        "",
        "{\"Version\": \"2012-10-17\",\n \"Statement\": [}",
    )
    .await
    {
        Err(ServiceError::MalformedPolicy(diagnostics)) => {
            assert_eq!(diagnostics[0].loc.line, 2, "{diagnostics:?}")
        }
        other => panic!("{other:?}"),
    }
    match create_policy(&pool, &as_root, "readers", "/", "", &doc("iam:Get*")).await {
        Err(ServiceError::AlreadyExists(message)) => assert!(message.contains("already exists"), "{message}"),
        other => panic!("{other:?}"),
    }
    for n in 2..=5 {
        assert_eq!(
            create_version(&pool, &as_root, &created.arn, &doc("iam:Get*"), n == 3)
                .await
                .unwrap(),
            format!("v{n}")
        );
    }
    match create_version(&pool, &as_root, &created.arn, &doc("iam:Get*"), false).await {
        Err(ServiceError::LimitExceeded(message)) => assert!(
            message.starts_with("A managed policy can have up to 5 versions"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    let detail = get_policy(&pool, &as_root, &created.arn).await.unwrap();
    assert_eq!(detail.summary.default_version, "v3");
    assert_eq!(detail.versions.unwrap().len(), 5);
    assert!(matches!(
        delete_version(&pool, &as_root, &created.arn, "v3").await,
        Err(ServiceError::DeleteConflict(_))
    ));
    delete_version(&pool, &as_root, &created.arn, "v1").await.unwrap();
    set_default_version(&pool, &as_root, &created.arn, "v5")
        .await
        .unwrap();
    assert!(matches!(
        set_default_version(&pool, &as_root, &created.arn, "v1").await,
        Err(ServiceError::NoSuchEntity(_))
    ));
    assert!(
        create_version(&pool, &as_root, READ_ONLY, &doc("*"), true)
            .await
            .is_err(),
        "AWS's policies are read-only"
    );
    // Attached: the API refuses to delete; the console detaches first.
    create_group(&pool, &as_root, "G", "/", std::slice::from_ref(&created.arn))
        .await
        .unwrap();
    assert!(matches!(
        delete_policy(&pool, &as_root, &created.arn, false).await,
        Err(ServiceError::DeleteConflict(_))
    ));
    delete_policy(&pool, &as_root, &created.arn, true).await.unwrap();
    assert_eq!(count(&pool, "policy_versions").await, 0);
    assert_eq!(count(&pool, "group_policies").await, 0);
    delete_group(&pool, &as_root, "G", false).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn lists_filter_sort_and_page_on_the_server(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    for i in 0..25 {
        let mut new = user(&format!("user{i:02}"));
        new.tags = vec![Tag {
            key: "team".into(),
            value: "blue".into(),
        }];
        new_user(&pool, &root, new).await;
    }
    let page = |search: &str, offset, descending| PageRequest {
        search: search.into(),
        sort: SortBy::Name,
        descending,
        offset,
        limit: 10,
        path_prefix: String::new(),
    };
    let second = list_users(&pool, &as_root, &page("", 10, false)).await.unwrap();
    assert_eq!((second.total, second.items[0].user_name.as_str()), (25, "user10"));
    let last = list_users(&pool, &as_root, &page("", 20, false)).await.unwrap();
    assert_eq!(last.items.len(), 5);
    let newest = list_users(&pool, &as_root, &page("", 0, true)).await.unwrap();
    assert_eq!(newest.items[0].user_name, "user24");
    let found = list_users(&pool, &as_root, &page("R1", 0, false)).await.unwrap();
    assert_eq!(found.total, 10, "user10..user19, case-insensitively");
    let none = list_users(&pool, &as_root, &page("%", 0, false)).await.unwrap();
    assert_eq!(none.total, 0, "% is a literal, not a pattern");
    let policies = list_policies(
        &pool,
        &as_root,
        &PolicyFilter {
            types: vec![PolicyType::AwsManagedJobFunction],
            ..PolicyFilter::default()
        },
        0,
        50,
    )
    .await
    .unwrap();
    assert!(policies
        .items
        .iter()
        .any(|p| p.policy_name == "AdministratorAccess"));
    assert!(policies
        .items
        .iter()
        .all(|p| p.policy_type == PolicyType::AwsManagedJobFunction));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_simulator_explains_each_decision(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let mut new = user("reader");
    new.policy_arns = vec![READ_ONLY.into()];
    new_user(&pool, &root, new).await;
    add_user_to_group(&pool, &caller(&root, &m), "Nope", "reader")
        .await
        .unwrap_err();
    let scenario = Scenario {
        actions: vec!["iam:ListUsers".into(), "iam:CreateUser".into()],
        ..Default::default()
    };
    let results = simulate(
        &pool,
        &caller(&root, &m),
        &Subject::User("reader".into()),
        &scenario,
        &Paging::default(),
    )
    .await
    .unwrap()
    .results;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].matched_statements[0].policy, READ_ONLY);
    assert_eq!(
        results[1].reason,
        "because no identity-based policy allows the iam:CreateUser action"
    );
    let custom = Subject::Custom(vec![
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Create*","Resource":"*"}]}"#
            .into(),
    ]);
    let results = simulate(&pool, &caller(&root, &m), &custom, &scenario, &Paging::default())
        .await
        .unwrap()
        .results;
    assert!(results[0].matched_statements.is_empty() && !results[1].matched_statements.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn groups_memberships_are_authorized_and_capped_at_ten_per_user(pool: PgPool) {
    use iam_service::ops::groups::remove_user_from_group;
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    for i in 0..11 {
        create_group(&pool, &as_root, &format!("g{i}"), "/", &[])
            .await
            .unwrap();
    }
    let mut new = user("gina");
    new.groups = (0..10).map(|i| format!("g{i}")).collect();
    new_user(&pool, &root, new).await;
    match add_user_to_group(&pool, &as_root, "g10", "gina").await {
        Err(ServiceError::LimitExceeded(message)) => {
            assert_eq!(message, "Cannot exceed quota for GroupsPerUser: 10")
        }
        other => panic!("{other:?}"),
    }
    let mut new = user("reader");
    new.policy_arns = vec![READ_ONLY.into()];
    let reader = new_user(&pool, &root, new).await;
    let message = denied(remove_user_from_group(&pool, &caller(&reader, &m), "g1", "gina").await);
    assert!(
        message.contains("iam:RemoveUserFromGroup on resource: arn:aws:iam::"),
        "{message}"
    );
    remove_user_from_group(&pool, &as_root, "g1", "gina")
        .await
        .unwrap();
    assert_eq!(
        get_user(&pool, &as_root, "gina")
            .await
            .unwrap()
            .groups
            .unwrap()
            .len(),
        9
    );
    match delete_group(&pool, &as_root, "g2", false).await {
        Err(ServiceError::DeleteConflict(message)) => assert_eq!(
            message,
            "Cannot delete entity, must remove users from group first."
        ),
        other => panic!("{other:?}"),
    }
    delete_group(&pool, &as_root, "g2", true).await.unwrap();
    assert_eq!(
        get_user(&pool, &as_root, "gina")
            .await
            .unwrap()
            .groups
            .unwrap()
            .len(),
        8
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn copying_permissions_takes_groups_and_policies_of_the_source(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    create_group(&pool, &caller(&root, &m), "Ops", "/", &[])
        .await
        .unwrap();
    let mut source = user("src");
    source.groups = vec!["Ops".into()];
    source.policy_arns = vec![READ_ONLY.into()];
    new_user(&pool, &root, source).await;
    let mut copy = user("dst");
    copy.copy_from = Some("src".into());
    new_user(&pool, &root, copy).await;
    let detail = get_user(&pool, &caller(&root, &m), "dst").await.unwrap();
    assert_eq!(detail.groups.unwrap()[0].group_name, "Ops");
    assert_eq!(detail.policies.unwrap()[0].policy_arn, READ_ONLY);
}

#[sqlx::test(migrations = "../migrations")]
async fn principal_tags_feed_policy_conditions(pool: PgPool) {
    use iam_service::ops::users::{tag_user, untag_user};
    let root = root_of(&pool).await;
    let m = meta();
    let as_root = caller(&root, &m);
    let mut new = user("tess");
    new.tags = vec![Tag {
        key: "team".into(),
        value: "blue".into(),
    }];
    let tess = new_user(&pool, &root, new).await;
    put_inline(
        &pool,
        &as_root,
        &Entity::User("tess".into()),
        "BlueTeamLists",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}"#,
    )
    .await
    .unwrap();
    assert!(list_users(&pool, &caller(&tess, &m), &PageRequest::default())
        .await
        .is_ok());
    untag_user(&pool, &as_root, "tess", &["team".into()])
        .await
        .unwrap();
    denied(list_users(&pool, &caller(&tess, &m), &PageRequest::default()).await);
    tag_user(
        &pool,
        &as_root,
        "tess",
        &[Tag {
            key: "team".into(),
            value: "blue".into(),
        }],
    )
    .await
    .unwrap();
    assert!(list_users(&pool, &caller(&tess, &m), &PageRequest::default())
        .await
        .is_ok());
    assert!(tag_user(
        &pool,
        &as_root,
        "tess",
        &[Tag {
            key: "aws:x".into(),
            value: "y".into()
        }]
    )
    .await
    .is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn console_passwords_are_set_and_removed_by_whoever_the_engine_allows(pool: PgPool) {
    use iam_service::ops::users::{delete_console_password, set_console_password};
    let root = root_of(&pool).await;
    let m = meta();
    let mut new = user("admin");
    new.policy_arns = vec!["arn:aws:iam::aws:policy/IAMFullAccess".into()];
    let admin = new_user(&pool, &root, new).await;
    let mut new = user("reader");
    new.policy_arns = vec![READ_ONLY.into()];
    let reader = new_user(&pool, &root, new).await;
    new_user(&pool, &root, user("dana")).await;
    let message = denied(
        set_console_password(
            &pool,
            &hasher(),
            &caller(&reader, &m),
            "dana",
            "Quiet-Meadow-42-Lantern",
            true,
        )
        .await,
    );
    assert!(message.contains("iam:UpdateLoginProfile"), "{message}");
    let as_admin = caller(&admin, &m);
    match set_console_password(&pool, &hasher(), &as_admin, "dana", "short", true).await {
        Err(ServiceError::Invalid(errors)) => assert_eq!(errors[0].field, "password"),
        other => panic!("{other:?}"),
    }
    set_console_password(
        &pool,
        &hasher(),
        &as_admin,
        "dana",
        "Quiet-Meadow-42-Lantern",
        true,
    )
    .await
    .unwrap();
    let detail = get_user(&pool, &as_admin, "dana").await.unwrap();
    assert!(detail.summary.password_enabled && detail.password_reset_required == Ok(true));
    delete_console_password(&pool, &as_admin, "dana").await.unwrap();
    assert!(matches!(
        delete_console_password(&pool, &as_admin, "dana").await,
        Err(ServiceError::NoSuchEntity(_))
    ));
    let events = lookup_events(
        &pool,
        &caller(&root, &m),
        &HistoryFilter {
            action: "LoginProfile".into(),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["iam:DeleteLoginProfile", "iam:CreateLoginProfile"]);
    assert!(
        lookup_events(&pool, &caller(&reader, &m), &HistoryFilter::default())
            .await
            .is_err(),
        "IAMReadOnlyAccess has no cloudtrail:LookupEvents"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn iam_user_change_password_is_granted_by_policy(pool: PgPool) {
    use iam_service::ops::passwords::change_own_password;
    let root = root_of(&pool).await;
    let mut new = user("uma");
    new.password = Some("Initial-Harbor-7-Lantern".into());
    let uma = new_user(&pool, &root, new).await;
    let change = |to: &'static str| {
        let (pool, uma) = (pool.clone(), uma.clone());
        async move {
            change_own_password(
                &pool,
                &hasher(),
                &uma,
                "Initial-Harbor-7-Lantern",
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
    let message = denied(change("Quiet-Meadow-42-Lantern").await);
    assert!(message.contains("iam:ChangePassword"), "{message}");
    attach(
        &pool,
        &caller(&root, &meta()),
        &Entity::User("uma".into()),
        "arn:aws:iam::aws:policy/IAMUserChangePassword",
    )
    .await
    .unwrap();
    change("Quiet-Meadow-42-Lantern").await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn the_password_policy_is_read_and_changed_only_with_permission(pool: PgPool) {
    use iam_service::ops::passwords::{delete_policy, read_policy, set_policy};
    let root = root_of(&pool).await;
    let m = meta();
    let mut new = user("reader");
    new.policy_arns = vec![READ_ONLY.into()];
    let reader = new_user(&pool, &root, new).await;
    let nobody = new_user(&pool, &root, user("nobody")).await;
    let policy = iam_core::credentials::password::PasswordPolicy {
        minimum_length: 12,
        ..Default::default()
    };
    let message = denied(set_policy(&pool, &reader, &policy, now(), &m).await);
    assert!(
        message.contains("iam:UpdateAccountPasswordPolicy on resource: *"),
        "{message}"
    );
    denied(delete_policy(&pool, &reader, now(), &m).await);
    assert!(read_policy(&pool, &caller(&reader, &m)).await.is_ok());
    denied(read_policy(&pool, &caller(&nobody, &m)).await);
    set_policy(&pool, &root, &policy, now(), &m).await.unwrap();
    assert_eq!(count(&pool, "password_policies").await, 1);
}
