//! Integration tests against a real Postgres (`DATABASE_URL`; each test gets a fresh database).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_keys;
mod accounts;
mod aliases;
mod audit_log;
mod billing;
mod console;
mod federation;
mod hardening;
mod mfa;
mod providers;
mod read_parts;
mod refusals;
mod rename;
mod report;
mod roles;
mod service_linked;
mod signin;
mod simulator;
mod sts;
mod tag_conditions;
mod throttle;
mod trust_pins;
mod users;

use iam_core::account::AccountId;
use iam_core::signup::SignUpInput;
use iam_service::ops::accounts::{sign_up, SignUpRequest};
use iam_service::{PasswordHasher, RequestMeta};
use sqlx::PgPool;
use std::sync::OnceLock;
use time::OffsetDateTime;

pub const PASSWORD: &str = "Correct-h0rse-battery";

pub fn hasher() -> PasswordHasher {
    static HASHER: OnceLock<PasswordHasher> = OnceLock::new();
    HASHER.get_or_init(|| PasswordHasher::new(2).unwrap()).clone()
}

pub fn meta() -> RequestMeta {
    RequestMeta {
        source_ip: Some("192.0.2.7".into()),
        user_agent: Some("it-tests/1.0".into()),
        ..Default::default()
    }
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

pub use iam_service::ops::accounts::random_account_id as random_id;

pub fn input<'a>(email: &'a str, name: &'a str) -> SignUpInput<'a> {
    SignUpInput {
        email,
        password: PASSWORD,
        password_confirm: PASSWORD,
        account_name: name,
    }
}

pub async fn signed_up(pool: &PgPool, email: &str) -> iam_service::db::Account {
    let request = SignUpRequest {
        input: input(email, "Acme"),
        open_to_all: true,
        now: now(),
    };
    sign_up(pool, &hasher(), request, &meta(), random_id)
        .await
        .unwrap()
}

pub async fn sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
) -> Result<iam_service::ops::signin::SignInStep, iam_service::ServiceError> {
    let lockout = iam_core::credentials::lockout::LockoutPolicy::default();
    iam_service::ops::signin::sign_in_root(pool, &hasher(), email, password, now(), &meta(), &lockout).await
}

pub fn signed_in(
    step: Result<iam_service::ops::signin::SignInStep, iam_service::ServiceError>,
) -> iam_service::Identity {
    match step {
        Ok(iam_service::ops::signin::SignInStep::SignedIn(identity)) => identity,
        other => panic!("expected a completed sign-in, got {other:?}"),
    }
}

pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// An operation's caller at the tests' fixed time.
pub fn caller<'a>(identity: &'a iam_service::Identity, meta: &'a RequestMeta) -> iam_service::Caller<'a> {
    iam_service::Caller {
        identity,
        meta,
        now: now(),
    }
}

/// A new user at path `/` with nothing else.
pub fn user(name: &str) -> iam_service::ops::users::NewUser {
    iam_service::ops::users::NewUser {
        user_name: name.into(),
        path: "/".into(),
        ..Default::default()
    }
}
