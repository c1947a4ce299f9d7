//! The MFA step of a console sign-in does not skip a password change that is owed.

use crate::*;
use iam_core::credentials::totp::{code_at_step, step_of};
use iam_service::ops::attachments::{put_inline, Entity};
use iam_service::ops::mfa;
use iam_service::ops::users::create_user_with_password;

#[tokio::test]
async fn a_user_who_must_reset_the_password_is_sent_to_change_it_after_mfa() {
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let (_, account) = sign_up(&router, "ann@example.com").await;
    let root = iam_service::Identity::Root {
        account_id: iam_core::account::AccountId::parse(&account).unwrap(),
    };
    let meta = iam_service::RequestMeta::default();
    let now = time::OffsetDateTime::now_utc();
    let password = "Initial-Harbor-7-Lantern";
    let hasher = &state.ctx.hasher;
    let alice = create_user_with_password(&pool, hasher, &root, "alice", password, true, now, &meta)
        .await
        .unwrap();
    let caller = iam_service::Caller {
        identity: &root,
        meta: &meta,
        now,
    };
    let own_mfa = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
        "Action":["iam:CreateVirtualMFADevice","iam:EnableMFADevice"],"Resource":"*"}}"#;
    put_inline(&pool, &caller, &Entity::User("alice".into()), "own-mfa", own_mfa)
        .await
        .unwrap();
    let secrets = &state.ctx.secrets;
    let step = step_of(now.unix_timestamp());
    let device = mfa::create_virtual_device(&pool, secrets, &alice, "phone", now, &meta)
        .await
        .unwrap();
    let seed = decoded(&device.secret_base32);
    let code = |s| code_at_step(&seed, s).unwrap();
    mfa::enable_device(
        &pool,
        secrets,
        &alice,
        "phone",
        &code(step - 1),
        &code(step),
        now,
        &meta,
    )
    .await
    .unwrap();

    let form = [
        ("account", account.as_str()),
        ("user_name", "alice"),
        ("password", password),
    ];
    let signed = send(&router, post_form("/api/sign_in", &form, None)).await;
    assert_eq!(signed.location(), Some("/signin/mfa"), "{}", signed.body);
    let pending = signed.session_cookie().unwrap();
    let next = code(step + 1);
    let proven = send(
        &router,
        post_form("/api/verify_mfa", &[("code", &next)], Some(&pending)),
    )
    .await;
    assert_eq!(proven.location(), Some("/change-password"), "{}", proven.body);
    let cookie = proven.session_cookie().unwrap_or(pending);
    // The console stays closed until the new password is set.
    let console = send(&router, get("/users", Some(&cookie))).await;
    assert_eq!(console.location(), Some("/change-password"));
}

fn decoded(text: &str) -> Vec<u8> {
    iam_core::credentials::totp::base32_decode(text).unwrap()
}
