//! IAM users. For now: creating a user with a console password (the admin command and the
//! tests use it; the console's user pages build on it).

use crate::audit::{self, Event, Outcome};
use crate::ops::passwords::{check_new_password, get_policy};
use crate::{Identity, PasswordHasher, RequestMeta, ServiceError};
use iam_core::credentials::password::PasswordContext;
use iam_core::field::FieldError;
use rand::Rng;
use sqlx::PgPool;
use time::OffsetDateTime;

/// AWS's user names: 1-64 of `[\\w+=,.@-]`.
pub fn validate_user_name(name: &str) -> Result<(), FieldError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "user_name",
            format!("user name `{name}` must be 1 to 64 letters, digits or + = , . @ _ -"),
        ))
    }
}

/// A user's unique ID: `AIDA` and 16 characters, as AWS's.
pub fn new_user_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("AIDA{tail}")
}

/// Creates a user with a console password. Only the account's root user may, until the
/// engine decides for IAM users too.
#[allow(clippy::too_many_arguments)]
pub async fn create_user_with_password(
    pool: &PgPool,
    hasher: &PasswordHasher,
    actor: &Identity,
    user_name: &str,
    password: &str,
    require_reset: bool,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<Identity, ServiceError> {
    let account_id = actor.account_id().clone();
    let arn = format!("arn:aws:iam::{account_id}:user/{user_name}");
    if !matches!(actor, Identity::Root { .. }) {
        return Err(ServiceError::AccessDenied(format!(
            "User: {} is not authorized to perform: iam:CreateUser on resource: {arn} because no identity-based policy allows the iam:CreateUser action",
            actor.arn()
        )));
    }
    validate_user_name(user_name).map_err(|e| ServiceError::Invalid(vec![e]))?;
    let policy = get_policy(pool, &account_id).await?;
    let context = PasswordContext {
        user_name: Some(user_name),
        ..Default::default()
    };
    let problems: Vec<FieldError> = check_new_password(policy.as_ref(), password, context)
        .into_iter()
        .map(|p| FieldError::new("password", p))
        .collect();
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let hash = hasher.hash(password).await?;
    let user_id = new_user_id();
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO iam_users (account_id, user_name, user_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id.as_str())
    .bind(user_name)
    .bind(&user_id)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &inserted {
        if e.is_unique_violation() {
            return Err(ServiceError::field(
                "user_name",
                format!("a user named `{user_name}` already exists"),
            ));
        }
    }
    inserted?;
    sqlx::query(
        "INSERT INTO login_profiles (account_id, user_name, password_hash, password_changed_at, password_reset_required, created_at)
         VALUES ($1, $2, $3, $4, $5, $4)",
    )
    .bind(account_id.as_str())
    .bind(user_name)
    .bind(&hash)
    .bind(now)
    .bind(require_reset)
    .execute(&mut *tx)
    .await?;
    let actor_arn = actor.arn();
    for action in ["iam:CreateUser", "iam:CreateLoginProfile"] {
        let event = Event {
            at: now,
            account_id: Some(account_id.as_str()),
            actor_arn: &actor_arn,
            action,
            resource: Some(&arn),
            outcome: Outcome::Success,
            reason: None,
        };
        audit::record(&mut tx, &event, meta).await?;
    }
    tx.commit().await?;
    Ok(Identity::User {
        account_id,
        user_name: user_name.to_owned(),
        user_id,
    })
}
