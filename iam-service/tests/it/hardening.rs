//! Sign-in throttling under concurrency, ChangePassword and sign-up limits, the MFA step
//! and a required password change, audit retention, moved users, unreadable policies.

use crate::*;
use iam_core::credentials::lockout::LockoutPolicy;
use iam_service::ops::signin::{sign_in_root, SignInStep};
use iam_service::ops::throttle;
use iam_service::{Identity, PasswordHasher, ServiceError};

const POLICY: LockoutPolicy = LockoutPolicy {
    max_failures: 5,
    wait_increment: 60,
    max_wait: 600,
    reset_after: 3600,
};

fn from(ip: &str) -> RequestMeta {
    RequestMeta {
        source_ip: Some(ip.into()),
        ..meta()
    }
}

fn at(s: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + s).unwrap()
}

async fn root_sign_in(
    pool: &PgPool,
    hasher: &PasswordHasher,
    password: &str,
    s: i64,
    ip: &str,
) -> Result<SignInStep, ServiceError> {
    sign_in_root(
        pool,
        hasher,
        "ann@example.com",
        password,
        at(s),
        &from(ip),
        &POLICY,
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_concurrent_burst_gets_one_batch_of_password_checks(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = PasswordHasher::with_queue(2, 10_000).unwrap();
    let burst = (0..200).map(|i| {
        let (pool, hasher) = (pool.clone(), hasher.clone());
        // The right password is among them, late in the burst.
        let password = if i == 150 { PASSWORD } else { "Wrong-guess-1" };
        tokio::spawn(async move { root_sign_in(&pool, &hasher, password, 0, "203.0.113.5").await })
    });
    let mut wrong = 0;
    let mut throttled = 0;
    for task in burst.collect::<Vec<_>>() {
        match task.await.unwrap() {
            Err(ServiceError::InvalidCredentials) => wrong += 1,
            Err(ServiceError::Throttled { .. }) => throttled += 1,
            Ok(_) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    let hashes = hasher.hashes_done();
    assert!(
        (1..=5).contains(&hashes),
        "{hashes} password checks for a limit of 5"
    );
    // Every attempt that was checked was answered by its check; all others were refused
    // (an attempt counted early is refused too when the lock came while it queued).
    let signed_in = 200 - wrong - throttled;
    assert_eq!(u64::try_from(wrong + signed_in).unwrap(), hashes);
    assert!(throttled >= 195, "throttled {throttled}");
    // Locked now: the right password from that address waits, without a hash.
    let locked = root_sign_in(&pool, &hasher, PASSWORD, 1, "203.0.113.5").await;
    assert!(
        matches!(locked, Err(ServiceError::Throttled { .. })),
        "{locked:?}"
    );
    assert_eq!(hasher.hashes_done(), hashes);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_locked_burst_does_no_hashing_and_writes_no_audit_rows(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = PasswordHasher::with_queue(2, 10_000).unwrap();
    for s in 0..5 {
        let r = root_sign_in(&pool, &hasher, "Wrong-guess-1", s, "203.0.113.5").await;
        assert!(matches!(r, Err(ServiceError::InvalidCredentials)), "{r:?}");
    }
    let audit_before = count(&pool, "audit_events").await;
    let hashes_before = hasher.hashes_done();
    let burst: Vec<_> = (0..100)
        .map(|i| {
            let (pool, hasher) = (pool.clone(), hasher.clone());
            let password = if i == 50 { PASSWORD } else { "Wrong-guess-1" };
            tokio::spawn(async move { root_sign_in(&pool, &hasher, password, 10, "203.0.113.5").await })
        })
        .collect();
    for task in burst {
        let r = task.await.unwrap();
        assert!(matches!(r, Err(ServiceError::Throttled { .. })), "{r:?}");
    }
    assert_eq!(hasher.hashes_done(), hashes_before, "no password was checked");
    assert_eq!(
        count(&pool, "audit_events").await,
        audit_before,
        "no audit row per attempt"
    );
    let counted = throttle::throttled_count(&pool, "pair:root:ann@example.com@203.0.113.5", at(10))
        .await
        .unwrap();
    assert_eq!(counted, 100, "the refusals are counted instead");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_attackers_address_does_not_lock_the_owner_out(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = hasher();
    for s in 0..20 {
        let _ = root_sign_in(&pool, &hasher, "Wrong-guess-1", s, "203.0.113.5").await;
    }
    let attacker = root_sign_in(&pool, &hasher, PASSWORD, 30, "203.0.113.5").await;
    assert!(
        matches!(attacker, Err(ServiceError::Throttled { .. })),
        "{attacker:?}"
    );
    let owner = root_sign_in(&pool, &hasher, PASSWORD, 30, "198.51.100.20").await;
    assert!(matches!(owner, Ok(SignInStep::SignedIn(_))), "{owner:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_distributed_attack_does_not_lock_the_owner_at_a_known_address(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = hasher();
    // The owner signed in from home before.
    let home = root_sign_in(&pool, &hasher, PASSWORD, 0, "198.51.100.20").await;
    assert!(matches!(home, Ok(SignInStep::SignedIn(_))), "{home:?}");
    // Ten addresses, five failures each: the identifier's ceiling (50) is reached.
    for host in 1..=10 {
        for s in 0..5 {
            let ip = format!("203.0.113.{host}");
            let _ = root_sign_in(&pool, &hasher, "Wrong-guess-1", 10 + s, &ip).await;
        }
    }
    let stranger = root_sign_in(&pool, &hasher, PASSWORD, 20, "192.0.2.200").await;
    assert!(
        matches!(stranger, Err(ServiceError::Throttled { .. })),
        "{stranger:?}"
    );
    let owner = root_sign_in(&pool, &hasher, PASSWORD, 20, "198.51.100.20").await;
    assert!(matches!(owner, Ok(SignInStep::SignedIn(_))), "{owner:?}");
    // The owner's sign-in took back only its own count: the attack's failures still hold.
    let again = root_sign_in(&pool, &hasher, PASSWORD, 21, "192.0.2.200").await;
    assert!(matches!(again, Err(ServiceError::Throttled { .. })), "{again:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_to_ones_own_account_does_not_reset_an_address_spraying_guesses(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = hasher();
    let sprayer = "203.0.113.9";
    // Four guesses at each of many identifiers (under their own limit of five), with a
    // successful sign-in to the sprayer's own account after each.
    let mut s = 0;
    for victim in 0..12 {
        for _ in 0..4 {
            let email = format!("victim{victim}@example.com");
            let _ = sign_in_root(
                &pool,
                &hasher,
                &email,
                "Wrong-guess-1",
                at(s),
                &from(sprayer),
                &POLICY,
            )
            .await;
            s += 1;
        }
        let own = root_sign_in(&pool, &hasher, PASSWORD, s, sprayer).await;
        assert!(matches!(own, Ok(SignInStep::SignedIn(_))), "{own:?}");
    }
    for _ in 0..2 {
        let _ = sign_in_root(
            &pool,
            &hasher,
            "victim12@example.com",
            "x",
            at(s),
            &from(sprayer),
            &POLICY,
        )
        .await;
    }
    // 50 failures from one address: its ceiling, whatever succeeded between.
    let next = sign_in_root(
        &pool,
        &hasher,
        "victim99@example.com",
        "x",
        at(s),
        &from(sprayer),
        &POLICY,
    )
    .await;
    assert!(matches!(next, Err(ServiceError::Throttled { .. })), "{next:?}");
    // Many people succeeding from one address do not lock it.
    for i in 0..60 {
        let ok = root_sign_in(&pool, &hasher, PASSWORD, 100 + i, "198.51.100.30").await;
        assert!(matches!(ok, Ok(SignInStep::SignedIn(_))), "{i}: {ok:?}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn addresses_in_one_ipv6_64_share_their_counters(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = hasher();
    for s in 0..5 {
        let ip = format!("2001:db8:1:2::{s:x}");
        let _ = root_sign_in(&pool, &hasher, "Wrong-guess-1", s, &ip).await;
    }
    let rotated = root_sign_in(&pool, &hasher, PASSWORD, 6, "2001:db8:1:2:ffff::1").await;
    assert!(
        matches!(rotated, Err(ServiceError::Throttled { .. })),
        "{rotated:?}"
    );
    let elsewhere = root_sign_in(&pool, &hasher, PASSWORD, 6, "2001:db8:1:3::1").await;
    assert!(matches!(elsewhere, Ok(SignInStep::SignedIn(_))), "{elsewhere:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn one_guess_each_time_the_lock_lifts_does_not_keep_it(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    let hasher = hasher();
    for s in 0..5 {
        let _ = root_sign_in(&pool, &hasher, "Wrong-guess-1", s, "203.0.113.5").await;
    }
    // The lock (60 s) lifts; a guess at once, and the owner right after, same address.
    let guess = root_sign_in(&pool, &hasher, "Wrong-guess-1", 65, "203.0.113.5").await;
    assert!(
        matches!(guess, Err(ServiceError::InvalidCredentials)),
        "{guess:?}"
    );
    let owner = root_sign_in(&pool, &hasher, PASSWORD, 66, "203.0.113.5").await;
    assert!(matches!(owner, Ok(SignInStep::SignedIn(_))), "{owner:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_full_hash_queue_answers_at_once(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    // One hash at a time and nobody may wait: hold the only turn, then try.
    let hasher = PasswordHasher::with_queue(1, 0).unwrap();
    let held = hasher.permit().await.unwrap();
    let busy = root_sign_in(&pool, &hasher, PASSWORD, 0, "198.51.100.20").await;
    assert!(
        matches!(busy, Err(ServiceError::Throttled { seconds: 1 })),
        "{busy:?}"
    );
    drop(held);
    let ok = root_sign_in(&pool, &hasher, PASSWORD, 1, "198.51.100.20").await;
    assert!(matches!(ok, Ok(SignInStep::SignedIn(_))), "{ok:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn change_password_is_no_oracle(pool: PgPool) {
    use iam_service::ops::passwords::change_own_password;
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id,
    };
    let change = |current: &'static str, new: &'static str, s: i64| {
        let (pool, root) = (pool.clone(), root.clone());
        async move {
            change_own_password(
                &pool,
                &hasher(),
                &root,
                current,
                new,
                "mismatch",
                false,
                at(s),
                &meta(),
                &POLICY,
            )
            .await
        }
    };
    // Wrong current password, and a new password that breaks every rule: one answer.
    let wrong = change("Wrong-guess-1", "x", 0).await;
    match &wrong {
        Err(ServiceError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["current_password"], "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    // The right current password reaches the other checks.
    let right = change(PASSWORD, "x", 1).await;
    assert!(
        matches!(&right, Err(ServiceError::Invalid(e)) if e.iter().all(|e| e.field != "current_password")),
        "{right:?}"
    );
    // The right one took its count back; five more wrong ones lock.
    for s in 2..7 {
        let _ = change("Wrong-guess-1", "x", s).await;
    }
    let throttled = change(PASSWORD, "x", 8).await;
    assert!(
        matches!(throttled, Err(ServiceError::Throttled { .. })),
        "{throttled:?}"
    );
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'iam:ChangePassword' AND outcome = 'failure'
            AND reason = 'wrong current password'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(recorded, 6);
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_ups_are_limited_per_address(pool: PgPool) {
    use iam_service::ops::accounts::admit_sign_up;
    for _ in 0..3 {
        admit_sign_up(&pool, &from("203.0.113.5"), at(0), 3)
            .await
            .unwrap();
    }
    let fourth = admit_sign_up(&pool, &from("203.0.113.5"), at(1), 3).await;
    assert!(
        matches!(fourth, Err(ServiceError::Throttled { .. })),
        "{fourth:?}"
    );
    admit_sign_up(&pool, &from("198.51.100.20"), at(1), 3)
        .await
        .unwrap();
    admit_sign_up(&pool, &from("203.0.113.5"), at(3700), 3)
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn proving_mfa_does_not_skip_a_required_password_change(pool: PgPool) {
    use iam_core::credentials::totp::{code_at_step, step_of};
    use iam_service::ops::mfa;
    use iam_service::ops::signin::{complete_mfa, sign_in_user, MfaProof};
    use iam_service::ops::users::create_user_with_password;
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let password = "Initial-Harbor-7-Lantern";
    let user = create_user_with_password(&pool, &hasher(), &root, "alice", password, true, now(), &meta())
        .await
        .unwrap();
    let own_mfa = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
        "Action":["iam:CreateVirtualMFADevice","iam:EnableMFADevice"],"Resource":"*"}}"#;
    let m = meta();
    iam_service::ops::attachments::put_inline(
        &pool,
        &caller(&root, &m),
        &iam_service::ops::attachments::Entity::User("alice".into()),
        "own-mfa",
        own_mfa,
    )
    .await
    .unwrap();
    let secrets = iam_service::crypto::SecretBox::new(&[7u8; 32]);
    let step = step_of(now().unix_timestamp());
    let when = |s: i64| time::OffsetDateTime::from_unix_timestamp(s * 30).unwrap();
    let device = mfa::create_virtual_device(&pool, &secrets, &user, "phone", when(step), &meta())
        .await
        .unwrap();
    let seed = decoded(&device.secret_base32);
    let code = |s| code_at_step(&seed, s).unwrap();
    mfa::enable_device(
        &pool,
        &secrets,
        &user,
        "phone",
        &code(step - 1),
        &code(step),
        when(step),
        &meta(),
    )
    .await
    .unwrap();
    let lockout = LockoutPolicy::default();
    let first = sign_in_user(
        &pool,
        &hasher(),
        account.account_id.as_str(),
        "alice",
        password,
        when(step + 1),
        &meta(),
        &lockout,
    )
    .await
    .unwrap();
    assert_eq!(first, SignInStep::MfaRequired(user.clone()));
    let second = complete_mfa(
        &pool,
        &secrets,
        &user,
        MfaProof::Code(&code(step + 1)),
        when(step + 1),
        &meta(),
        &lockout,
    )
    .await
    .unwrap();
    assert_eq!(second, SignInStep::PasswordChangeRequired(user));
}

#[sqlx::test(migrations = "../migrations")]
async fn audit_retention_deletes_old_events_and_records_itself(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await; // an event at now()
    let _ = sign_in(&pool, "ann@example.com", "Wrong-guess-1").await; // another
    let before = count(&pool, "audit_events").await;
    assert!(before >= 2);
    // Outside the command the log stays append-only.
    let refused = sqlx::query("DELETE FROM audit_events").execute(&pool).await;
    assert!(refused.is_err());
    // 30 days later, keeping 60 days: nothing goes.
    let later = now() + time::Duration::days(30);
    let kept = iam_service::audit::prune(&pool, 60, later, &meta())
        .await
        .unwrap();
    assert_eq!(kept, 0);
    // Keeping 10 days: the old ones go, the record of pruning stays.
    let deleted = iam_service::audit::prune(&pool, 10, later, &meta())
        .await
        .unwrap();
    assert_eq!(deleted, u64::try_from(before).unwrap());
    let left: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, ["audit:PruneEvents", "audit:PruneEvents"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_moved_user_is_judged_under_the_new_path_at_once(pool: PgPool) {
    use iam_service::ops::attachments::{put_inline, Entity};
    use iam_service::ops::users::{create_user, current_identity};
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let alice = create_user(&pool, &hasher(), &caller(&root, &m), user("alice"))
        .await
        .unwrap();
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*",
         "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/prod/*"}}}]}"#;
    put_inline(
        &pool,
        &caller(&root, &m),
        &Entity::User("alice".into()),
        "p",
        policy,
    )
    .await
    .unwrap();
    let list = |who: Identity| {
        let pool = pool.clone();
        async move {
            let m = meta();
            iam_service::ops::users::list_users(&pool, &caller(&who, &m), &Default::default()).await
        }
    };
    assert!(list(alice.clone()).await.is_ok());
    iam_service::ops::rename::update_entity(
        &pool,
        &caller(&root, &m),
        &Entity::User("alice".into()),
        None,
        Some("/prod/"),
    )
    .await
    .unwrap();
    // The session still holds path `/`: the engine reads the path itself.
    let stale = list(alice.clone()).await;
    assert!(matches!(stale, Err(ServiceError::AccessDenied(_))), "{stale:?}");
    let current = current_identity(&pool, &alice).await.unwrap();
    assert_eq!(
        current.arn(),
        format!("arn:aws:iam::{}:user/prod/alice", account.account_id)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_policy_that_does_not_parse_refuses_instead_of_vanishing(pool: PgPool) {
    use iam_service::ops::attachments::{put_inline, Entity};
    use iam_service::ops::users::create_user;
    let account = signed_up(&pool, "ann@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let alice = create_user(&pool, &hasher(), &caller(&root, &m), user("alice"))
        .await
        .unwrap();
    let allow =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}"#;
    let deny =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}}"#;
    let entity = Entity::User("alice".into());
    put_inline(&pool, &caller(&root, &m), &entity, "allow", allow)
        .await
        .unwrap();
    put_inline(&pool, &caller(&root, &m), &entity, "deny", deny)
        .await
        .unwrap();
    // The Deny's stored text is damaged behind the server's back.
    sqlx::query("UPDATE user_inline_policies SET document = '{\"Statement\": [' WHERE policy_name = 'deny'")
        .execute(&pool)
        .await
        .unwrap();
    let listed = iam_service::ops::users::list_users(&pool, &caller(&alice, &m), &Default::default()).await;
    assert!(matches!(listed, Err(ServiceError::AccessDenied(_))), "{listed:?}");
}

#[test]
fn generated_passwords_never_start_like_a_formula() {
    for _ in 0..2000 {
        let password = iam_service::ops::users::generate_password();
        assert!(password.as_bytes()[0].is_ascii_alphanumeric(), "{password}");
    }
}

fn decoded(text: &str) -> Vec<u8> {
    iam_core::credentials::totp::base32_decode(text).unwrap()
}
