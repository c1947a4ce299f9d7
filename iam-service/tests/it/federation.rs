//! GetFederationToken: a broker's federated users act with the broker's permissions narrowed
//! by the session policy (and with none without one); only long-term credentials may ask.

use crate::*;
use iam_service::authz::Authorizer;
use iam_service::crypto::SecretBox;
use iam_service::ops::attachments::{put_inline, Entity};
use iam_service::ops::sts::{self, token, FederationAsk};
use iam_service::{Identity, RequestMeta, ServiceError};

const BROKER: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::*:federated-user/app-*"},
  {"Effect":"Allow","Action":["iam:ListUsers","budgets:ViewBudget"],"Resource":"*"}]}"#;
const BUDGETS_ONLY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"budgets:*","Resource":"*"}]}"#;

fn secrets() -> SecretBox {
    SecretBox::new(&[7u8; 32])
}

/// The federated user's identity and request facts, as the API sees its credentials.
fn opened(issued: &sts::Issued) -> (Identity, RequestMeta) {
    let session = token::open(
        &secrets(),
        &issued.access_key_id,
        &issued.session_token,
        now().unix_timestamp(),
    )
    .unwrap();
    let meta = RequestMeta {
        session_credentials: true,
        session_started: Some(session.issued),
        ..meta()
    };
    (session.identity, meta)
}

async fn may(pool: &PgPool, who: &Identity, meta: &RequestMeta, action: &str) -> bool {
    let mut conn = pool.acquire().await.unwrap();
    let authz = Authorizer::load(&mut conn, who, meta, now()).await.unwrap();
    authz.check(action, "*").is_ok()
}

#[sqlx::test(migrations = "../migrations")]
async fn federated_users_are_narrowed_by_the_session_policy(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let rc = caller(&root, &m);
    let broker = iam_service::ops::users::create_user(&pool, &hasher(), &rc, user("broker"))
        .await
        .unwrap();
    put_inline(&pool, &rc, &Entity::User("broker".into()), "broker", BROKER)
        .await
        .unwrap();
    let c = caller(&broker, &m);

    let asked = FederationAsk {
        name: "app-bob",
        policy: Some(BUDGETS_ONLY),
        ..Default::default()
    };
    let issued = sts::get_federation_token(&pool, &secrets(), &c, &asked)
        .await
        .unwrap();
    assert!(issued.access_key_id.starts_with("ASIA"));
    assert_eq!(issued.expiration, now() + time::Duration::hours(12));
    let (bob, bm) = opened(&issued);
    assert_eq!(
        bob.arn(),
        format!("arn:aws:sts::{}:federated-user/app-bob", account.account_id)
    );
    assert_eq!(bob.unique_id(), format!("{}:app-bob", account.account_id));
    assert!(may(&pool, &bob, &bm, "budgets:ViewBudget").await);
    // The broker may list users, but the session policy does not let bob.
    assert!(!may(&pool, &bob, &bm, "iam:ListUsers").await);
    // Nor budgets actions the broker lacks, whatever the session policy says.
    assert!(!may(&pool, &bob, &bm, "budgets:ModifyBudget").await);

    // Without a session policy a federated user may do nothing.
    let bare = FederationAsk {
        name: "app-eve",
        ..Default::default()
    };
    let issued = sts::get_federation_token(&pool, &secrets(), &c, &bare)
        .await
        .unwrap();
    let (eve, em) = opened(&issued);
    assert!(!may(&pool, &eve, &em, "budgets:ViewBudget").await);

    // Only names the broker's policy allows, and only from long-term credentials.
    let other = FederationAsk {
        name: "ops-mallory",
        policy: Some(BUDGETS_ONLY),
        ..Default::default()
    };
    let refused = sts::get_federation_token(&pool, &secrets(), &c, &other).await;
    assert!(
        matches!(refused, Err(ServiceError::AccessDenied(_))),
        "{refused:?}"
    );
    let again = sts::get_federation_token(&pool, &secrets(), &caller(&bob, &bm), &asked).await;
    match again {
        Err(ServiceError::AccessDenied(m)) => {
            assert_eq!(m, "Cannot call GetFederationToken with session credentials")
        }
        other => panic!("{other:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn names_durations_and_the_root_users_hour(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let m = meta();
    let rc = caller(&root, &m);
    for (name, duration) in [
        ("a", None),
        (&"n".repeat(33)[..], None),
        ("ok-name", Some(899)),
        ("ok-name", Some(129_601)),
    ] {
        let asked = FederationAsk {
            name,
            duration,
            policy: Some(BUDGETS_ONLY),
            ..Default::default()
        };
        let refused = sts::get_federation_token(&pool, &secrets(), &rc, &asked).await;
        assert!(
            matches!(refused, Err(ServiceError::Invalid(_))),
            "{name} {duration:?}: {refused:?}"
        );
    }
    let asked = FederationAsk {
        name: "root-made",
        duration: Some(7200),
        policy: Some(BUDGETS_ONLY),
        ..Default::default()
    };
    let issued = sts::get_federation_token(&pool, &secrets(), &rc, &asked)
        .await
        .unwrap();
    assert_eq!(issued.expiration, now() + time::Duration::hours(1));
    let (made, mm) = opened(&issued);
    // The root user's federated users have exactly the session policy.
    assert!(may(&pool, &made, &mm, "budgets:ModifyBudget").await);
    assert!(!may(&pool, &made, &mm, "iam:ListUsers").await);

    // Even allowed by its session policy, a federated user has no MFA devices of its own.
    let asked = FederationAsk {
        name: "root-mfa",
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
        ),
        ..Default::default()
    };
    let issued = sts::get_federation_token(&pool, &secrets(), &rc, &asked)
        .await
        .unwrap();
    let (mfa_user, fm) = opened(&issued);
    assert!(may(&pool, &mfa_user, &fm, "iam:CreateVirtualMFADevice").await);
    let device =
        iam_service::ops::mfa::create_virtual_device(&pool, &secrets(), &mfa_user, "phone", now(), &fm).await;
    assert!(device.is_err());
    assert_eq!(count(&pool, "mfa_devices").await, 0);
}
