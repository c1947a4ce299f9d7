//! MFA devices and the second sign-in step, with time passed in.

use crate::*;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_core::credentials::totp::{code_at_step, step_of};
use iam_service::crypto::SecretBox;
use iam_service::ops::mfa;
use iam_service::ops::signin::{complete_mfa, MfaProof, SignInStep};
use iam_service::{Identity, ServiceError};

fn secrets() -> SecretBox {
    SecretBox::new(&[7u8; 32])
}

fn at(step: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(step * 30).unwrap()
}

/// A root user with an enabled device; returns (identity, seed, recovery codes, step of enrolment).
async fn enrolled(pool: &PgPool) -> (Identity, Vec<u8>, Vec<String>, i64) {
    let account = signed_up(pool, "ann@example.com").await;
    let identity = Identity::Root {
        account_id: account.account_id,
    };
    let step = step_of(now().unix_timestamp());
    let device = mfa::create_virtual_device(pool, &secrets(), &identity, "phone", at(step), &meta())
        .await
        .unwrap();
    assert!(device.qr_svg.starts_with("<svg"));
    assert!(device.otpauth_uri.contains(&device.secret_base32));
    let seed = decoded(&device.secret_base32);
    let c = |s| code_at_step(&seed, s).unwrap();
    let wrong = mfa::enable_device(
        pool,
        &secrets(),
        &identity,
        "phone",
        &c(step),
        &c(step - 1),
        at(step),
        &meta(),
    )
    .await;
    assert!(
        matches!(wrong, Err(ServiceError::Invalid(_))),
        "codes in the wrong order: {wrong:?}"
    );
    let codes = mfa::enable_device(
        pool,
        &secrets(),
        &identity,
        "phone",
        &c(step - 1),
        &c(step),
        at(step),
        &meta(),
    )
    .await
    .unwrap();
    (identity, seed, codes, step)
}

#[sqlx::test(migrations = "../migrations")]
async fn enrolment_seals_the_seed_and_gives_recovery_codes(pool: PgPool) {
    let (identity, seed, codes, _) = enrolled(&pool).await;
    assert_eq!(codes.len(), 10);
    assert!(
        codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'),
        "{codes:?}"
    );
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT seed_sealed FROM mfa_devices")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        !sealed.windows(seed.len()).any(|w| w == seed.as_slice()),
        "the seed is not stored in the clear"
    );
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT code_sha256 FROM recovery_codes")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|h| h.len() == 32));
    assert_eq!(mfa::list_devices(&pool, &identity).await.unwrap().len(), 1);
    assert!(matches!(
        sign_in(&pool, "ann@example.com", PASSWORD).await,
        Ok(SignInStep::MfaRequired(_))
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_is_accepted_once(pool: PgPool) {
    let (identity, seed, _, step) = enrolled(&pool).await;
    let lockout = LockoutPolicy::default();
    let code = code_at_step(&seed, step + 1).unwrap();
    let later = at(step + 1);
    complete_mfa(
        &pool,
        &secrets(),
        &identity,
        MfaProof::Code(&code),
        later,
        &meta(),
        &lockout,
    )
    .await
    .unwrap();
    let again = complete_mfa(
        &pool,
        &secrets(),
        &identity,
        MfaProof::Code(&code),
        later,
        &meta(),
        &lockout,
    )
    .await;
    assert!(matches!(again, Err(ServiceError::InvalidMfaCode)), "{again:?}");
    // The enrolment's own codes are spent too.
    let old = code_at_step(&seed, step).unwrap();
    let replay = complete_mfa(
        &pool,
        &secrets(),
        &identity,
        MfaProof::Code(&old),
        at(step),
        &meta(),
        &lockout,
    )
    .await;
    assert!(matches!(replay, Err(ServiceError::InvalidMfaCode)));
    let outcomes: Vec<String> = sqlx::query_scalar(
        "SELECT outcome || ':' || coalesce(reason, '') FROM audit_events WHERE action = 'signin:ConsoleLogin' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        outcomes,
        [
            "success:signed in with MFA code",
            "failure:wrong or reused MFA code",
            "failure:wrong or reused MFA code"
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn recovery_codes_work_once_each(pool: PgPool) {
    let (identity, _, codes, step) = enrolled(&pool).await;
    let lockout = LockoutPolicy::default();
    let use_code = |c: String| {
        let pool = pool.clone();
        let identity = identity.clone();
        async move {
            complete_mfa(
                &pool,
                &secrets(),
                &identity,
                MfaProof::RecoveryCode(&c),
                at(step),
                &meta(),
                &lockout,
            )
            .await
        }
    };
    use_code(codes[0].to_lowercase()).await.unwrap();
    assert!(matches!(
        use_code(codes[0].clone()).await,
        Err(ServiceError::InvalidMfaCode)
    ));
    use_code(codes[1].replace('-', "")).await.unwrap();
    assert!(matches!(
        use_code("AAAAA-AAAAA".into()).await,
        Err(ServiceError::InvalidMfaCode)
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn removing_a_device_needs_its_code(pool: PgPool) {
    let (identity, seed, _, step) = enrolled(&pool).await;
    let wrong = mfa::deactivate_device(
        &pool,
        &secrets(),
        &identity,
        "phone",
        "000000",
        at(step + 1),
        &meta(),
    )
    .await;
    assert!(wrong.is_err());
    let code = code_at_step(&seed, step + 1).unwrap();
    mfa::deactivate_device(
        &pool,
        &secrets(),
        &identity,
        "phone",
        &code,
        at(step + 1),
        &meta(),
    )
    .await
    .unwrap();
    assert!(mfa::list_devices(&pool, &identity).await.unwrap().is_empty());
    assert_eq!(count(&pool, "recovery_codes").await, 0);
    assert!(matches!(
        sign_in(&pool, "ann@example.com", PASSWORD).await,
        Ok(SignInStep::SignedIn(_))
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_seed_moved_to_another_row_does_not_open(pool: PgPool) {
    let (identity, _, _, step) = enrolled(&pool).await;
    sqlx::query("UPDATE mfa_devices SET name = 'other'")
        .execute(&pool)
        .await
        .unwrap();
    let code = "123456";
    let result = complete_mfa(
        &pool,
        &secrets(),
        &identity,
        MfaProof::Code(code),
        at(step),
        &meta(),
        &LockoutPolicy::default(),
    )
    .await;
    assert!(matches!(result, Err(ServiceError::Internal(_))), "{result:?}");
}

/// An IAM user may manage their own MFA only when a policy says so; an administrator allowed
/// `iam:DeactivateMFADevice` can remove the user's device, and the user can enrol again.
#[sqlx::test(migrations = "../migrations")]
async fn users_need_permission_for_mfa_and_admins_can_remove_their_device(pool: PgPool) {
    use iam_service::ops::attachments::{put_inline, Entity};
    use iam_service::ops::users::{create_user_with_password, deactivate_user_mfa, get_user};
    use iam_service::Caller;
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let user = create_user_with_password(
        &pool,
        &hasher(),
        &root,
        "uli",
        "Initial-Harbor-7-Lantern",
        false,
        now(),
        &meta(),
    )
    .await
    .unwrap();
    let step = step_of(now().unix_timestamp());
    let refused = mfa::create_virtual_device(&pool, &secrets(), &user, "uli-phone", at(step), &meta()).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(m)) if m.contains("iam:CreateVirtualMFADevice")),
        "{refused:?}"
    );
    let m = meta();
    let as_root = Caller {
        identity: &root,
        meta: &m,
        now: now(),
    };
    put_inline(
        &pool,
        &as_root,
        &Entity::User("uli".into()),
        "OwnMFA",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:EnableMFADevice"],
            "Resource":["arn:aws:iam::*:mfa/*","arn:aws:iam::*:user/${aws:username}"]}]}"#,
    )
    .await
    .unwrap();
    let device = mfa::create_virtual_device(&pool, &secrets(), &user, "uli-phone", at(step), &meta())
        .await
        .unwrap();
    let seed = decoded(&device.secret_base32);
    let c = |s| code_at_step(&seed, s).unwrap();
    mfa::enable_device(
        &pool,
        &secrets(),
        &user,
        "uli-phone",
        &c(step - 1),
        &c(step),
        at(step),
        &meta(),
    )
    .await
    .unwrap();
    assert!(mfa::has_enabled_device(&pool, &user).await.unwrap());
    // Without iam:DeactivateMFADevice the user cannot remove it the administrators' way.
    let other = deactivate_user_mfa(
        &pool,
        &Caller {
            identity: &user,
            meta: &m,
            now: now(),
        },
        "uli",
        "uli-phone",
    )
    .await;
    assert!(
        matches!(&other, Err(ServiceError::AccessDenied(msg)) if msg.contains("iam:DeactivateMFADevice")),
        "{other:?}"
    );
    deactivate_user_mfa(&pool, &as_root, "uli", "uli-phone")
        .await
        .unwrap();
    assert!(!mfa::has_enabled_device(&pool, &user).await.unwrap());
    assert!(get_user(&pool, &as_root, "uli")
        .await
        .unwrap()
        .mfa_devices
        .unwrap()
        .is_empty());
    assert_eq!(
        count(&pool, "recovery_codes").await,
        0,
        "recovery codes go with the last device"
    );
    mfa::create_virtual_device(&pool, &secrets(), &user, "uli-phone-2", at(step + 1), &meta())
        .await
        .unwrap();
}

/// DeactivateMFADevice has one implementation: without a user name it unassigns the
/// caller's own device (the root user's here), which stays for DeleteVirtualMFADevice; the
/// console's "Remove" is both actions, refused whole when only one is allowed.
#[sqlx::test(migrations = "../migrations")]
async fn deactivating_unassigns_and_removing_is_deactivate_then_delete(pool: PgPool) {
    use iam_service::ops::attachments::{put_inline, Entity};
    use iam_service::ops::users::{create_user_with_password, deactivate_user_mfa};
    use iam_service::ops::virtual_mfa::{self, Assignment};
    use iam_service::Caller;
    let (root, _, _, step) = enrolled(&pool).await;
    let m = meta();
    let as_root = Caller {
        identity: &root,
        meta: &m,
        now: at(step),
    };
    let serial = virtual_mfa::serial_of(&pool, root.account_id().as_str(), "phone")
        .await
        .unwrap();
    virtual_mfa::deactivate(&pool, &as_root, None, &serial)
        .await
        .unwrap();
    assert!(!mfa::has_enabled_device(&pool, &root).await.unwrap());
    let unassigned = virtual_mfa::list(&pool, &as_root, Assignment::Unassigned)
        .await
        .unwrap();
    assert_eq!(
        unassigned.iter().map(|d| d.serial.as_str()).collect::<Vec<_>>(),
        [serial.as_str()]
    );
    assert_eq!(count(&pool, "recovery_codes").await, 0);

    // An administrator allowed to deactivate but not to delete devices changes nothing.
    let user = create_user_with_password(
        &pool,
        &hasher(),
        &root,
        "ada",
        "Initial-Harbor-7-Lantern",
        false,
        now(),
        &m,
    )
    .await
    .unwrap();
    let half = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:DeactivateMFADevice","Resource":"*"}}"#;
    put_inline(&pool, &as_root, &Entity::User("ada".into()), "half", half)
        .await
        .unwrap();
    let device = mfa::create_virtual_device(&pool, &secrets(), &root, "phone-2", at(step), &m)
        .await
        .unwrap();
    let seed = decoded(&device.secret_base32);
    let c = |s| code_at_step(&seed, s).unwrap();
    mfa::enable_device(
        &pool,
        &secrets(),
        &root,
        "phone-2",
        &c(step),
        &c(step + 1),
        at(step + 1),
        &m,
    )
    .await
    .unwrap();
    let as_ada = Caller {
        identity: &user,
        meta: &m,
        now: at(step + 1),
    };
    let refused = virtual_mfa::remove(&pool, &as_ada, None, &serial).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.contains("iam:DeleteVirtualMFADevice")),
        "{refused:?}"
    );
    let by_admin = deactivate_user_mfa(&pool, &as_ada, "ada", "phone-2").await;
    assert!(by_admin.is_err());
    assert!(
        mfa::has_enabled_device(&pool, &root).await.unwrap(),
        "nothing was changed"
    );
}

fn decoded(text: &str) -> Vec<u8> {
    iam_core::credentials::totp::base32_decode(text).unwrap()
}
