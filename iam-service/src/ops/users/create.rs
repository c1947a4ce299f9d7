//! Creating users: the wizard's one transaction (password, groups, policies, tags), each
//! step authorized before any work is done for it.

use super::{arn_for, new_user_id, user_summary};
use crate::authz::Authorizer;
use crate::ops::attachments::{self, Entity};
use crate::ops::groups::add_member_in;
use crate::ops::passwords::{check_new_password, get_policy};
use crate::ops::{audited, begin, is_unique_violation, read};
use crate::{Caller, Identity, PasswordHasher, ServiceError};
use iam_core::credentials::password::PasswordContext;
use iam_core::field::FieldError;
use iam_core::model::Tag;
use iam_core::names::{check_name, check_path, check_tag, NameKind};
use iam_core::quotas;
use rand::Rng;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Everything the create-user wizard collects.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub user_name: String,
    pub path: String,
    /// A console password, when the user gets console access.
    pub password: Option<String>,
    pub require_reset: bool,
    pub groups: Vec<String>,
    /// Copy groups and policies from this user.
    pub copy_from: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<Tag>,
    /// A managed policy that caps the user from the start (CreateUser's PermissionsBoundary).
    pub permissions_boundary: Option<String>,
}

/// A password that meets any policy: 20 characters from every class.
pub fn generate_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnopqrstuvwxyz",
        b"23456789",
        b"!@#$%^&*()_+-=[]{}|'",
    ];
    let mut rng = rand::rngs::OsRng;
    let mut chars: Vec<u8> = SETS.iter().map(|set| set[rng.gen_range(0..set.len())]).collect();
    let all: Vec<u8> = SETS.concat();
    chars.extend((0..16).map(|_| all[rng.gen_range(0..all.len())]));
    for i in (1..chars.len()).rev() {
        chars.swap(i, rng.gen_range(0..=i));
    }
    // Never a symbol first: spreadsheets take `=`, `+`, `-`, `@` for a formula, and the .csv
    // download would have to alter the password.
    if let Some(letter) = chars.iter().position(u8::is_ascii_alphanumeric) {
        chars.swap(0, letter);
    }
    String::from_utf8_lossy(&chars).into_owned()
}

fn check_new_user(new: &NewUser) -> Vec<FieldError> {
    let mut errors = Vec::new();
    errors.extend(check_name(NameKind::User, &new.user_name).err());
    errors.extend(check_path(&new.path).err());
    errors.extend(new.tags.iter().filter_map(|t| check_tag(&t.key, &t.value).err()));
    if new.tags.len() > quotas::TAGS_PER_ENTITY {
        errors.push(FieldError::new(
            "tags",
            format!("a user can have at most {} tags", quotas::TAGS_PER_ENTITY),
        ));
    }
    errors
}

pub(super) async fn check_password(
    pool: &PgPool,
    account: &iam_core::account::AccountId,
    user_name: &str,
    password: &str,
) -> Result<(), ServiceError> {
    let policy = get_policy(pool, account).await?;
    let context = PasswordContext {
        user_name: Some(user_name),
        ..Default::default()
    };
    let problems: Vec<FieldError> = check_new_password(policy.as_ref(), password, context)
        .into_iter()
        .map(|p| FieldError::new("password", p))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(problems))
    }
}

/// What creating the user itself needs (`arn` is the new user's): the user, its console
/// password, its tags. Groups and policies are authorized as each is added.
fn authorize_new(authz: &Authorizer, new: &NewUser, arn: &str) -> Result<(), ServiceError> {
    let boundary = new.permissions_boundary.as_deref();
    let context = boundary.map(crate::ops::boundaries::context).unwrap_or_default();
    crate::ops::tags::authorize_create(authz, ("iam:CreateUser", "iam:TagUser"), arn, &new.tags, context)?;
    if new.password.is_some() {
        authz.check("iam:CreateLoginProfile", arn)?;
    }
    Ok(())
}

/// Creates a user with everything the wizard chose, in one transaction.
pub async fn create_user(
    pool: &PgPool,
    hasher: &PasswordHasher,
    caller: &Caller<'_>,
    new: NewUser,
) -> Result<Identity, ServiceError> {
    let errors = check_new_user(&new);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account().to_owned();
    let arn = iam_core::arn::user_arn(&account, &new.path, &new.user_name);
    {
        // Refuse before judging or hashing the password: a refusal must not depend on it,
        // nor cost argon2 work (the connection goes back to the pool before hashing).
        let (_conn, authz) = read(pool, caller).await?;
        authorize_new(&authz, &new, &arn)?;
    }
    let hash = match &new.password {
        Some(password) => {
            check_password(pool, caller.identity.account_id(), &new.user_name, password).await?;
            Some(hasher.hash(password).await?)
        }
        None => None,
    };
    // Again with the policies as they are in the transaction that writes.
    let (mut tx, authz) = begin(pool, caller).await?;
    authorize_new(&authz, &new, &arn)?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "iam_users",
        "UsersPerAccount",
        quotas::USERS_PER_ACCOUNT,
    )
    .await?;
    let user_id = new_user_id();
    let inserted = sqlx::query(
        "INSERT INTO iam_users (account_id, user_name, user_id, path, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&account)
    .bind(&new.user_name)
    .bind(&user_id)
    .bind(&new.path)
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(ServiceError::AlreadyExists(format!(
                "User with name {} already exists.",
                new.user_name
            )))
        }
        other => other?,
    };
    audited(&mut tx, caller, "iam:CreateUser", &arn).await?;
    if let Some(boundary) = &new.permissions_boundary {
        let entity = Entity::User(new.user_name.clone());
        crate::ops::boundaries::set_new(&mut tx, &account, &entity, boundary).await?;
    }
    if let Some(hash) = &hash {
        sqlx::query(
            "INSERT INTO login_profiles (account_id, user_name, password_hash, password_changed_at, password_reset_required, created_at)
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(&account)
        .bind(&new.user_name)
        .bind(hash)
        .bind(caller.now)
        .bind(new.require_reset)
        .execute(&mut *tx)
        .await?;
        audited(&mut tx, caller, "iam:CreateLoginProfile", &arn).await?;
    }
    for tag in &new.tags {
        crate::ops::tags::insert(&mut tx, &account, &Entity::User(new.user_name.clone()), tag).await?;
    }
    if !new.tags.is_empty() {
        audited(&mut tx, caller, "iam:TagUser", &arn).await?;
    }
    add_permissions(&mut tx, &authz, caller, &new).await?;
    tx.commit().await?;
    Ok(Identity::User {
        account_id: caller.identity.account_id().clone(),
        user_name: new.user_name,
        user_id,
        path: new.path,
    })
}

/// The new user's groups and policies: those chosen, and those copied from another user.
async fn add_permissions(
    conn: &mut PgConnection,
    authz: &Authorizer,
    caller: &Caller<'_>,
    new: &NewUser,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut groups, mut policies) = (new.groups.clone(), new.policy_arns.clone());
    if let Some(source) = &new.copy_from {
        // The same lookup-then-refuse order as every other operation on a user.
        let source_arn = arn_for(conn, account, source).await?;
        authz.check("iam:GetUser", &source_arn)?;
        user_summary(conn, account, source).await?;
        let (g, p) = groups_and_policies_of(conn, account, source).await?;
        groups.extend(g);
        policies.extend(p);
    }
    groups.sort();
    groups.dedup();
    policies.sort();
    policies.dedup();
    for group in &groups {
        add_member_in(conn, authz, caller, group, &new.user_name).await?;
    }
    let entity = Entity::User(new.user_name.clone());
    for policy in &policies {
        attachments::attach_in(conn, authz, caller, &entity, policy).await?;
    }
    Ok(())
}

/// The user with a console password (the admin command and tests use it).
#[allow(clippy::too_many_arguments)]
pub async fn create_user_with_password(
    pool: &PgPool,
    hasher: &PasswordHasher,
    actor: &Identity,
    user_name: &str,
    password: &str,
    require_reset: bool,
    now: OffsetDateTime,
    meta: &crate::RequestMeta,
) -> Result<Identity, ServiceError> {
    let caller = Caller {
        identity: actor,
        meta,
        now,
    };
    let new = NewUser {
        user_name: user_name.to_owned(),
        path: "/".into(),
        password: Some(password.to_owned()),
        require_reset,
        ..Default::default()
    };
    create_user(pool, hasher, &caller, new).await
}

async fn groups_and_policies_of(
    conn: &mut PgConnection,
    account: &str,
    user: &str,
) -> Result<(Vec<String>, Vec<String>), ServiceError> {
    let groups: Vec<String> =
        sqlx::query_scalar("SELECT group_name FROM group_members WHERE account_id = $1 AND user_name = $2")
            .bind(account)
            .bind(user)
            .fetch_all(&mut *conn)
            .await?;
    let policies: Vec<String> =
        sqlx::query_scalar("SELECT policy_arn FROM user_policies WHERE account_id = $1 AND user_name = $2")
            .bind(account)
            .bind(user)
            .fetch_all(&mut *conn)
            .await?;
    Ok((groups, policies))
}
