//! STS: role sessions decided by the trust policy (and across accounts by the caller's own
//! policies), acting with the role's policies narrowed by session policies and capped by a
//! permissions boundary; MFA and external IDs; chaining; revocation; session tokens.

use crate::*;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_core::credentials::totp::{code_at_step, step_of};
use iam_service::crypto::SecretBox;
use iam_service::ops::attachments::{put_inline, Entity};
use iam_service::ops::roles::{self, NewRole};
use iam_service::ops::sts::{self, token, AssumeRole, MfaOffer, TokenProblem};
use iam_service::ops::{boundaries, mfa, policies, users};
use iam_service::{Caller, Identity, RequestMeta, ServiceError};

fn secrets() -> SecretBox {
    SecretBox::new(&[9u8; 32])
}

const LIST_USERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:ListGroups"],"Resource":"*"}]}"#;
const ASSUME_ANY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}"#;

pub(crate) fn trust(principal: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":["sts:AssumeRole","sts:TagSession"]{condition}}}]}}"#
    )
}

pub(crate) struct World {
    pub account: String,
    pub root: Identity,
    pub alice: Identity,
}

/// An account with a user `alice` allowed to assume any role.
pub(crate) async fn world(pool: &PgPool, email: &str) -> World {
    let account = signed_up(pool, email).await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let alice = users::create_user(pool, &hasher(), &caller(&root, &m), user("alice"))
        .await
        .unwrap();
    put_inline(
        pool,
        &caller(&root, &m),
        &Entity::User("alice".into()),
        "assume",
        ASSUME_ANY,
    )
    .await
    .unwrap();
    World {
        account: account.account_id.to_string(),
        root,
        alice,
    }
}

pub(crate) async fn role(pool: &PgPool, w: &World, name: &str, trust_policy: &str) -> String {
    let m = meta();
    let c = caller(&w.root, &m);
    let new = NewRole {
        role_name: name.into(),
        path: "/".into(),
        trust_policy: trust_policy.into(),
        max_session_duration: Some(7200),
        ..Default::default()
    };
    let created = roles::create_role(pool, &c, &new).await.unwrap();
    put_inline(pool, &c, &Entity::Role(name.into()), "list", LIST_USERS)
        .await
        .unwrap();
    created.arn
}

pub(crate) async fn assume(
    pool: &PgPool,
    who: &Identity,
    meta: &RequestMeta,
    asked: &AssumeRole<'_>,
) -> Result<sts::Issued, ServiceError> {
    let c = Caller {
        identity: who,
        meta,
        now: now(),
    };
    sts::assume_role(pool, &secrets(), &LockoutPolicy::default(), &c, asked).await
}

pub(crate) fn asked(role_arn: &str) -> AssumeRole<'_> {
    AssumeRole {
        role_arn,
        session_name: "build-42",
        ..Default::default()
    }
}

/// The session as the API sees it once its token is opened.
fn session_of(issued: &sts::Issued) -> (Identity, RequestMeta) {
    let opened = token::open(
        &secrets(),
        &issued.access_key_id,
        &issued.session_token,
        now().unix_timestamp(),
    )
    .unwrap();
    let meta = RequestMeta {
        session_credentials: true,
        session_started: Some(opened.issued),
        mfa_at: opened.mfa_at,
        ..meta()
    };
    (opened.identity, meta)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_role_session_acts_with_the_roles_policies_only(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let root_arn = format!("arn:aws:iam::{}:root", w.account);
    let arn = role(&pool, &w, "reader", &trust(&root_arn, "")).await;
    let m = meta();
    let issued = assume(&pool, &w.alice, &m, &asked(&arn)).await.unwrap();
    assert!(issued.access_key_id.starts_with("ASIA"));
    assert_eq!(issued.expiration, now() + time::Duration::hours(1));
    let (session, sm) = session_of(&issued);
    assert_eq!(
        session.arn(),
        format!("arn:aws:sts::{}:assumed-role/reader/build-42", w.account)
    );
    assert!(session.unique_id().starts_with("AROA") && session.unique_id().ends_with(":build-42"));
    let c = Caller {
        identity: &session,
        meta: &sm,
        now: now(),
    };
    users::list_users_after(&pool, &c, "/", None, 100).await.unwrap();
    let refused = users::create_user(&pool, &hasher(), &c, user("mallory")).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg))
            if msg.contains("assumed-role/reader/build-42") && msg.contains("iam:CreateUser")),
        "{refused:?}"
    );
    // Recorded for the account, with the session's ARN.
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'sts:AssumeRole' AND outcome = 'success' AND resource LIKE '%assumed-role/reader/build-42'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(events, 1);

    // Without an identity policy allowing it, a trust policy naming only the account is not
    // enough; one naming the user is.
    let m = meta();
    put_inline(
        &pool,
        &caller(&w.root, &m),
        &Entity::User("alice".into()),
        "assume",
        LIST_USERS,
    )
    .await
    .unwrap();
    let refused = assume(&pool, &w.alice, &m, &asked(&arn)).await;
    let expected = format!(
        "User: arn:aws:iam::{}:user/alice is not authorized to perform: sts:AssumeRole on resource: {arn}",
        w.account
    );
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if *msg == expected),
        "{refused:?}"
    );
    // A role that does not exist is refused in the very same words.
    let missing = format!("arn:aws:iam::{}:role/nothing-here", w.account);
    let refused = assume(&pool, &w.alice, &m, &asked(&missing)).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.ends_with(&missing) && msg.starts_with("User: arn:aws:iam::")),
        "{refused:?}"
    );
    let alice_arn = format!("arn:aws:iam::{}:user/alice", w.account);
    let direct = role(&pool, &w, "direct", &trust(&alice_arn, "")).await;
    assume(&pool, &w.alice, &m, &asked(&direct)).await.unwrap();
    // The root user may not assume roles at all.
    let refused = assume(&pool, &w.root, &m, &asked(&direct)).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg == "Roles may not be assumed by root accounts."),
        "{refused:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn external_ids_session_policies_and_input_rules(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let alice_arn = format!("arn:aws:iam::{}:user/alice", w.account);
    let condition = r#","Condition":{"StringEquals":{"sts:ExternalId":"tenant-7"}}"#;
    let arn = role(&pool, &w, "vendor", &trust(&alice_arn, condition)).await;
    let m = meta();
    assert!(matches!(
        assume(&pool, &w.alice, &m, &asked(&arn)).await,
        Err(ServiceError::AccessDenied(_))
    ));
    let wrong = AssumeRole {
        external_id: Some("tenant-8"),
        ..asked(&arn)
    };
    assert!(matches!(
        assume(&pool, &w.alice, &m, &wrong).await,
        Err(ServiceError::AccessDenied(_))
    ));
    let narrowed = AssumeRole {
        external_id: Some("tenant-7"),
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#,
        ),
        ..asked(&arn)
    };
    let issued = assume(&pool, &w.alice, &m, &narrowed).await.unwrap();
    assert!(issued.packed_percent.is_some_and(|p| p > 0 && p <= 100));
    let (session, sm) = session_of(&issued);
    let c = Caller {
        identity: &session,
        meta: &sm,
        now: now(),
    };
    users::list_users_after(&pool, &c, "/", None, 100).await.unwrap();
    // The role allows ListGroups; the session policy does not.
    let refused = iam_service::ops::groups::list_groups(
        &pool,
        &c,
        &iam_core::model::PageRequest {
            limit: 10,
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.contains("session policy")),
        "{refused:?}"
    );

    for bad in [
        AssumeRole {
            session_name: "a",
            ..asked(&arn)
        },
        AssumeRole {
            session_name: "has space",
            ..asked(&arn)
        },
        AssumeRole {
            duration: Some(899),
            external_id: Some("tenant-7"),
            ..asked(&arn)
        },
        AssumeRole {
            duration: Some(7201),
            external_id: Some("tenant-7"),
            ..asked(&arn)
        },
    ] {
        let refused = assume(&pool, &w.alice, &m, &bad).await;
        assert!(
            matches!(refused, Err(ServiceError::Invalid(_))),
            "{bad:?}: {refused:?}"
        );
    }
    let malformed = AssumeRole {
        external_id: Some("tenant-7"),
        policy: Some("{not json"),
        ..asked(&arn)
    };
    assert!(matches!(
        assume(&pool, &w.alice, &m, &malformed).await,
        Err(ServiceError::MalformedPolicy(_))
    ));
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}],"Id":"{}"}}"#,
        "x".repeat(1900)
    );
    let packed = AssumeRole {
        external_id: Some("tenant-7"),
        policy: Some(&big),
        tags: (0..20).map(|i| (format!("key{i}"), "v".repeat(40))).collect(),
        ..asked(&arn)
    };
    let refused = assume(&pool, &w.alice, &m, &packed).await;
    assert!(
        matches!(refused, Err(ServiceError::PackedPolicyTooLarge(_))),
        "{refused:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn mfa_chaining_tags_and_revocation(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let root_arn = format!("arn:aws:iam::{}:root", w.account);
    let condition = r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#;
    let arn = role(&pool, &w, "admin", &trust(&root_arn, condition)).await;
    let m = meta();
    assert!(matches!(
        assume(&pool, &w.alice, &m, &asked(&arn)).await,
        Err(ServiceError::AccessDenied(_))
    ));

    // Alice enrols a device (allowed by her own policy), then proves it to STS.
    put_inline(
        &pool,
        &caller(&w.root, &m),
        &Entity::User("alice".into()),
        "own-mfa",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:EnableMFADevice"],"Resource":"*"}]}"#,
    )
    .await
    .unwrap();
    let step = step_of(now().unix_timestamp());
    let device = mfa::create_virtual_device(&pool, &secrets(), &w.alice, "alice-phone", now(), &m)
        .await
        .unwrap();
    let seed = iam_core::credentials::totp::base32_decode(&device.secret_base32).unwrap();
    let code = |s| code_at_step(&seed, s).unwrap();
    mfa::enable_device(
        &pool,
        &secrets(),
        &w.alice,
        "alice-phone",
        &code(step - 2),
        &code(step - 1),
        now(),
        &m,
    )
    .await
    .unwrap();
    let wrong = AssumeRole {
        mfa: Some(MfaOffer {
            serial_number: &device.serial,
            token_code: "000000",
        }),
        ..asked(&arn)
    };
    let refused = assume(&pool, &w.alice, &m, &wrong).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.starts_with("MultiFactorAuthentication failed")),
        "{refused:?}"
    );
    let good_code = code(step);
    let with_mfa = AssumeRole {
        mfa: Some(MfaOffer {
            serial_number: &device.serial,
            token_code: &good_code,
        }),
        tags: vec![("team".into(), "blue".into()), ("cost".into(), "42".into())],
        transitive_tag_keys: vec!["team".into()],
        ..asked(&arn)
    };
    let issued = assume(&pool, &w.alice, &m, &with_mfa).await.unwrap();
    // The same code is not accepted twice.
    assert!(matches!(
        assume(&pool, &w.alice, &m, &with_mfa).await,
        Err(ServiceError::AccessDenied(_))
    ));
    let (session, sm) = session_of(&issued);
    assert!(sm.mfa_at.is_some());

    // Chaining: the session may assume a role that trusts this one, for at most an hour, and
    // its transitive tag goes with it.
    let next = role(&pool, &w, "next", &trust(&root_arn, "")).await;
    put_inline(
        &pool,
        &caller(&w.root, &m),
        &Entity::Role("admin".into()),
        "assume",
        ASSUME_ANY,
    )
    .await
    .unwrap();
    let too_long = AssumeRole {
        duration: Some(3601),
        ..asked(&next)
    };
    let refused = assume(&pool, &session, &sm, &too_long).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e[0].message.contains("role chaining")),
        "{refused:?}"
    );
    let chained = assume(&pool, &session, &sm, &asked(&next)).await.unwrap();
    let (chained_identity, _) = session_of(&chained);
    let carried = chained_identity.role_session().unwrap();
    assert_eq!(carried.tags, vec![("team".to_owned(), "blue".to_owned())]);
    let override_tag = AssumeRole {
        tags: vec![("TEAM".into(), "red".into())],
        ..asked(&next)
    };
    assert!(matches!(
        assume(&pool, &session, &sm, &override_tag).await,
        Err(ServiceError::Invalid(_))
    ));

    // Revoking the role's sessions (AWS's policy on aws:TokenIssueTime) ends this one.
    let c = Caller {
        identity: &session,
        meta: &sm,
        now: now(),
    };
    users::list_users_after(&pool, &c, "/", None, 100).await.unwrap();
    let cutoff = iam_core::policy::values::format_iso8601(now().unix_timestamp() + 1);
    let revoke = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"DateLessThan":{{"aws:TokenIssueTime":"{cutoff}"}}}}}}]}}"#
    );
    put_inline(
        &pool,
        &caller(&w.root, &m),
        &Entity::Role("admin".into()),
        "AWSRevokeOlderSessions",
        &revoke,
    )
    .await
    .unwrap();
    let refused = users::list_users_after(&pool, &c, "/", None, 100).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );

    // Deleting the role ends its sessions for good, even if a role of that name comes back.
    let (other, om) = session_of(&chained);
    let oc = Caller {
        identity: &other,
        meta: &om,
        now: now(),
    };
    users::list_users_after(&pool, &oc, "/", None, 100).await.unwrap();
    let rc = caller(&w.root, &m);
    iam_service::ops::attachments::delete_inline(&pool, &rc, &Entity::Role("next".into()), "list")
        .await
        .unwrap();
    roles::delete_role(&pool, &rc, "next", false).await.unwrap();
    role(&pool, &w, "next", &trust(&root_arn, "")).await;
    let gone = users::list_users_after(&pool, &oc, "/", None, 100).await;
    assert!(matches!(gone, Err(ServiceError::IdentityGone)), "{gone:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn across_accounts_both_sides_must_allow(pool: PgPool) {
    let a = world(&pool, "ann@example.com").await;
    let b = world(&pool, "bob@example.com").await;
    let b_root = format!("arn:aws:iam::{}:root", b.account);
    let arn = role(&pool, &a, "partner", &trust(&b_root, "")).await;
    let m = meta();
    let issued = assume(&pool, &b.alice, &m, &asked(&arn)).await.unwrap();
    let (session, _) = session_of(&issued);
    assert_eq!(session.account_id().as_str(), a.account);
    // Events in both accounts.
    let accounts: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT account_id) FROM audit_events WHERE action = 'sts:AssumeRole' AND outcome = 'success'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(accounts, 2);
    // Without an identity policy in B, the trust policy alone does not do.
    put_inline(
        &pool,
        &caller(&b.root, &m),
        &Entity::User("alice".into()),
        "assume",
        LIST_USERS,
    )
    .await
    .unwrap();
    assert!(matches!(
        assume(&pool, &b.alice, &m, &asked(&arn)).await,
        Err(ServiceError::AccessDenied(_))
    ));
    // A role of A trusting only A is not for B's users.
    let a_root = format!("arn:aws:iam::{}:root", a.account);
    let own = role(&pool, &a, "own", &trust(&a_root, "")).await;
    put_inline(
        &pool,
        &caller(&b.root, &m),
        &Entity::User("alice".into()),
        "assume",
        ASSUME_ANY,
    )
    .await
    .unwrap();
    assert!(matches!(
        assume(&pool, &b.alice, &m, &asked(&own)).await,
        Err(ServiceError::AccessDenied(_))
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_permissions_boundary_caps_a_user(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let rc = caller(&w.root, &m);
    let alice = Entity::User("alice".into());
    put_inline(
        &pool,
        &rc,
        &alice,
        "admin",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
    )
    .await
    .unwrap();
    let ac = caller(&w.alice, &m);
    users::list_users_after(&pool, &ac, "/", None, 100).await.unwrap();
    let cap = policies::create_policy(
        &pool,
        &rc,
        "read-only-cap",
        "/",
        "",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:Get*"],"Resource":"*"}]}"#,
    )
    .await
    .unwrap();
    let missing = format!("arn:aws:iam::{}:policy/none", w.account);
    let refused = boundaries::put(&pool, &rc, &alice, &missing).await;
    assert!(
        matches!(refused, Err(ServiceError::NoSuchEntity(_))),
        "{refused:?}"
    );
    boundaries::put(&pool, &rc, &alice, &cap.arn).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(
        boundaries::of(&mut conn, &w.account, &alice)
            .await
            .unwrap()
            .as_deref(),
        Some(cap.arn.as_str())
    );
    users::list_users_after(&pool, &ac, "/", None, 100).await.unwrap();
    let refused = users::create_user(&pool, &hasher(), &ac, user("mallory")).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.contains("permissions boundary")),
        "{refused:?}"
    );
    // In use as a boundary: the policy cannot be deleted, even by the console's force.
    let refused = policies::delete_policy(&pool, &rc, &cap.arn, true).await;
    assert!(
        matches!(refused, Err(ServiceError::DeleteConflict(_))),
        "{refused:?}"
    );
    boundaries::delete(&pool, &rc, &alice).await.unwrap();
    users::create_user(&pool, &hasher(), &ac, user("mallory"))
        .await
        .unwrap();
    policies::delete_policy(&pool, &rc, &cap.arn, false)
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn session_tokens_carry_mfa_and_are_not_for_sessions(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let c = caller(&w.alice, &m);
    let lockout = LockoutPolicy::default();
    let issued = sts::get_session_token(&pool, &secrets(), &lockout, &c, None, None)
        .await
        .unwrap();
    assert_eq!(issued.expiration, now() + time::Duration::hours(12));
    let (identity, sm) = session_of(&issued);
    assert_eq!(identity, w.alice);
    assert!(sm.mfa_at.is_none());
    let from_session = Caller {
        identity: &identity,
        meta: &sm,
        now: now(),
    };
    let refused = sts::get_session_token(&pool, &secrets(), &lockout, &from_session, None, None).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.contains("session credentials")),
        "{refused:?}"
    );
    let root = caller(&w.root, &m);
    let rooted = sts::get_session_token(&pool, &secrets(), &lockout, &root, Some(7200), None)
        .await
        .unwrap();
    assert_eq!(
        rooted.expiration,
        now() + time::Duration::hours(1),
        "the root user's sessions last an hour"
    );
    let refused = sts::get_session_token(&pool, &secrets(), &lockout, &c, Some(129_601), None).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))));
    // An expired token is refused as expired, a foreign one as invalid.
    let later = now().unix_timestamp() + 12 * 3600;
    assert_eq!(
        token::open(&secrets(), &issued.access_key_id, &issued.session_token, later).unwrap_err(),
        TokenProblem::Expired
    );
    // Access key IDs name their account.
    let info = sts::access_key_info(&pool, &c, &issued.access_key_id).await;
    assert!(
        matches!(&info, Err(ServiceError::AccessDenied(_))),
        "needs sts:GetAccessKeyInfo: {info:?}"
    );
    assert_eq!(
        sts::access_key_info(&pool, &root, &issued.access_key_id)
            .await
            .unwrap(),
        w.account
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_cannot_shed_its_session_policy_by_assuming_its_own_role(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    // The role trusts the account and itself (by its ARN), and may assume roles.
    let role_arn = format!("arn:aws:iam::{}:role/dev", w.account);
    let both = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{}:root","{role_arn}"]}},"Action":"sts:AssumeRole"}}]}}"#,
        w.account
    );
    role(&pool, &w, "dev", &both).await;
    put_inline(
        &pool,
        &caller(&w.root, &m),
        &Entity::Role("dev".into()),
        "assume",
        ASSUME_ANY,
    )
    .await
    .unwrap();
    let narrow = AssumeRole {
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#,
        ),
        ..asked(&role_arn)
    };
    let issued = assume(&pool, &w.alice, &m, &narrow).await.unwrap();
    let (session, sm) = session_of(&issued);
    let refused = assume(&pool, &session, &sm, &asked(&role_arn)).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
    // Without a session policy the same chain is allowed: the trust names the role.
    let (free, fm) = session_of(&assume(&pool, &w.alice, &m, &asked(&role_arn)).await.unwrap());
    assume(&pool, &free, &fm, &asked(&role_arn)).await.unwrap();

    // Managed session policies come from the role's account or AWS, never another account.
    let other = world(&pool, "bob@example.com").await;
    let theirs = policies::create_policy(&pool, &caller(&other.root, &m), "theirs", "/", "", LIST_USERS)
        .await
        .unwrap();
    let borrowed = AssumeRole {
        policy_arns: vec![theirs.arn.clone()],
        ..asked(&role_arn)
    };
    let refused = assume(&pool, &w.alice, &m, &borrowed).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_delegated_administrator_must_set_the_boundary(pool: PgPool) {
    let w = world(&pool, "ann@example.com").await;
    let m = meta();
    let rc = caller(&w.root, &m);
    let cap = policies::create_policy(&pool, &rc, "cap", "/", "", LIST_USERS)
        .await
        .unwrap();
    let delegate = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:CreateUser","iam:AttachUserPolicy"],"Resource":"*",
            "Condition":{{"StringEquals":{{"iam:PermissionsBoundary":"{}"}}}}}}]}}"#,
        cap.arn
    );
    put_inline(&pool, &rc, &Entity::User("alice".into()), "delegate", &delegate)
        .await
        .unwrap();
    let ac = caller(&w.alice, &m);
    let refused = users::create_user(&pool, &hasher(), &ac, user("free")).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
    let bounded = users::NewUser {
        permissions_boundary: Some(cap.arn.clone()),
        ..user("bounded")
    };
    users::create_user(&pool, &hasher(), &ac, bounded).await.unwrap();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    iam_service::ops::attachments::attach(&pool, &ac, &Entity::User("bounded".into()), admin)
        .await
        .unwrap();
    let refused =
        iam_service::ops::attachments::attach(&pool, &ac, &Entity::User("alice".into()), admin).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_chained_from_a_federated_one_keeps_the_person_for_the_audit_log_only(pool: PgPool) {
    let w = world(&pool, "chain-fed@example.com").await;
    let any = trust(&format!("arn:aws:iam::{}:root", w.account), "");
    let first = role(&pool, &w, "first", &any).await;
    let second = role(&pool, &w, "second", &any).await;
    let m = meta();
    put_inline(
        &pool,
        &caller(&w.root, &m),
        &Entity::Role("first".into()),
        "assume",
        ASSUME_ANY,
    )
    .await
    .unwrap();
    // The first session as an identity provider's person holds it.
    let issued = assume(&pool, &w.alice, &m, &asked(&first)).await.unwrap();
    let Identity::AssumedRole(mut session) = issued.identity else {
        panic!("a role session was expected");
    };
    let provider = format!("arn:aws:iam::{}:saml-provider/Corp", w.account);
    session.federation = Some(iam_service::identity::FederatedBy {
        provider_arn: provider.clone(),
        subject: "alice".into(),
        keys: vec![("SAML:sub".into(), vec!["alice".into()])],
    });
    let federated = Identity::AssumedRole(session);

    let chained = assume(&pool, &federated, &m, &asked(&second)).await.unwrap();
    let next = chained.identity.role_session().unwrap();
    assert_eq!(
        next.federation, None,
        "the provider's condition keys do not pass on"
    );
    let person = format!("alice ({provider})");
    assert_eq!(next.federated_user(), Some(person.clone()));
    let mut conn = pool.acquire().await.unwrap();
    iam_service::audit::success_by(
        &mut conn,
        &chained.identity,
        "iam:CreateUser",
        "arn:aws:iam::x",
        now(),
        &m,
    )
    .await
    .unwrap();
    let recorded: Option<String> =
        sqlx::query_scalar("SELECT federated_user FROM audit_events WHERE action = 'iam:CreateUser' AND resource = 'arn:aws:iam::x'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(recorded, Some(person));
}
