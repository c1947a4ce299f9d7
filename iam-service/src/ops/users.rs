//! IAM users: the create-user wizard's one transaction, the list, the detail, console
//! passwords, tags and deletion. Every step is authorized by the engine with AWS's action.

use crate::ops::attachments::{self, Entity};
use crate::ops::groups::add_member_in;
use crate::ops::passwords::{check_new_password, get_policy};
use crate::ops::{
    audited, begin, clamp_limit, is_unique_violation, like_pattern, path_pattern, read, unique_id,
};
use crate::{Caller, Identity, PasswordHasher, ServiceError};
use iam_core::credentials::password::PasswordContext;
use iam_core::field::FieldError;
use iam_core::model::{GroupSummary, MfaDeviceInfo, Page, PageRequest, SortBy, Tag, UserDetail, UserSummary};
use iam_core::names::{check_name, check_path, check_tag, NameKind};
use iam_core::quotas;
use rand::Rng;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// A user's unique ID: `AIDA` and 16 characters, as AWS's.
pub fn new_user_id() -> String {
    unique_id("AIDA")
}

pub(crate) fn no_such_user(name: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("The user with name {name} cannot be found."))
}

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

async fn check_password(
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
    let hash = match &new.password {
        Some(password) => {
            check_password(pool, caller.identity.account_id(), &new.user_name, password).await?;
            Some(hasher.hash(password).await?)
        }
        None => None,
    };
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:CreateUser", &arn)?;
    if hash.is_some() {
        authz.check("iam:CreateLoginProfile", &arn)?;
    }
    if !new.tags.is_empty() {
        authz.check("iam:TagUser", &arn)?;
    }
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
        insert_tag(&mut tx, &account, &new.user_name, tag).await?;
    }
    if !new.tags.is_empty() {
        audited(&mut tx, caller, "iam:TagUser", &arn).await?;
    }
    let (mut groups, mut policies) = (new.groups.clone(), new.policy_arns.clone());
    if let Some(source) = &new.copy_from {
        // The same lookup-then-refuse order as every other operation on a user.
        let source_arn = arn_for(&mut tx, &account, source).await?;
        authz.check("iam:GetUser", &source_arn)?;
        user_summary(&mut tx, &account, source).await?;
        let (g, p) = groups_and_policies_of(&mut tx, &account, source).await?;
        groups.extend(g);
        policies.extend(p);
    }
    groups.sort();
    groups.dedup();
    policies.sort();
    policies.dedup();
    for group in &groups {
        add_member_in(&mut tx, &authz, caller, group, &new.user_name).await?;
    }
    let entity = Entity::User(new.user_name.clone());
    for policy in &policies {
        attachments::attach_in(&mut tx, &authz, caller, &entity, policy).await?;
    }
    tx.commit().await?;
    Ok(Identity::User {
        account_id: caller.identity.account_id().clone(),
        user_name: new.user_name,
        user_id,
        path: new.path,
    })
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

async fn insert_tag(
    conn: &mut PgConnection,
    account: &str,
    user: &str,
    tag: &Tag,
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO user_tags (account_id, user_name, key, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, user_name, key) DO UPDATE SET value = EXCLUDED.value",
    )
    .bind(account)
    .bind(user)
    .bind(&tag.key)
    .bind(&tag.value)
    .execute(conn)
    .await?;
    Ok(())
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

type SummaryRow = (
    String,
    String,
    String,
    OffsetDateTime,
    i64,
    bool,
    bool,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

/// The columns of a user summary for the users `u` the query names.
const SUMMARY_COLUMNS: &str = "u.user_name, u.user_id, u.path, u.created_at,
    (SELECT count(*) FROM group_members g WHERE g.account_id = u.account_id AND g.user_name = u.user_name),
    EXISTS (SELECT 1 FROM mfa_devices d
             WHERE d.principal_arn = 'arn:aws:iam::' || u.account_id || ':user' || u.path || u.user_name
               AND d.enabled_at IS NOT NULL),
    l.user_name IS NOT NULL, l.password_changed_at, l.password_last_used_at";

fn summary(account: &str, row: SummaryRow) -> UserSummary {
    let (user_name, user_id, path, created, groups, mfa, password, changed, used) = row;
    UserSummary {
        arn: iam_core::arn::user_arn(account, &path, &user_name),
        user_name,
        user_id,
        path,
        created_at: created.unix_timestamp(),
        groups,
        mfa_enabled: mfa,
        password_enabled: password,
        password_changed_at: changed.map(OffsetDateTime::unix_timestamp),
        password_last_used: used.map(OffsetDateTime::unix_timestamp),
    }
}

/// One page of the account's users: the page's names come from an index, and only that
/// page's rows get their details.
pub async fn list_users(
    pool: &PgPool,
    caller: &Caller<'_>,
    page: &PageRequest,
) -> Result<Page<UserSummary>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check("iam:ListUsers", &format!("arn:aws:iam::{account}:user/*"))?;
    let search = page.search.trim();
    // Without a search the clause is left out altogether, so each query gets its best plan
    // (the trigram index for a search, the name or creation index for a plain page).
    // ($2 is still sent; the constant test keeps it referenced.) A search shorter than a
    // trigram cannot use the trigram index, and reading all of it is slower than the table:
    // `lower(..) LIKE` (user names are ASCII, so it equals ILIKE) keeps the planner off it.
    let filter = match search.chars().count() {
        0 => "AND $2::text IS NOT NULL",
        1 | 2 => "AND lower(u.user_name) LIKE lower($2)",
        _ => "AND u.user_name ILIKE $2",
    };
    // AWS's PathPrefix; left out (as a constant test) when it selects everything.
    let paths = path_pattern(&page.path_prefix);
    let filter = if paths.is_some() {
        format!("{filter} AND u.path LIKE $3")
    } else {
        format!("{filter} AND $3::text IS NULL")
    };
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM iam_users u WHERE u.account_id = $1 {filter}"
    ))
    .bind(&account)
    .bind(like_pattern(search))
    .bind(&paths)
    .fetch_one(&mut *conn)
    .await?;
    let direction = if page.descending { "DESC" } else { "ASC" };
    let order = match page.sort {
        SortBy::Name => format!("lower(u.user_name) {direction}"),
        SortBy::Created => format!("u.created_at {direction}, u.user_name {direction}"),
    };
    let sql = format!(
        "WITH page AS (
             SELECT u.account_id, u.user_name FROM iam_users u
              WHERE u.account_id = $1 {filter}
              ORDER BY {order} LIMIT $4 OFFSET $5)
         SELECT {SUMMARY_COLUMNS}
           FROM page JOIN iam_users u USING (account_id, user_name)
           LEFT JOIN login_profiles l USING (account_id, user_name)
          ORDER BY {order}"
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(&account)
        .bind(like_pattern(search))
        .bind(&paths)
        .bind(clamp_limit(page.limit))
        .bind(page.offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(|r| summary(&account, r)).collect(),
        total,
        offset: page.offset.max(0),
    })
}

/// The API's ListUsers: users by name after `after` (the last name of the previous page),
/// at most `limit`, and whether more follow. Keyset pages: a page boundary stays put while
/// users come and go, and no count is needed.
pub async fn list_users_after(
    pool: &PgPool,
    caller: &Caller<'_>,
    path_prefix: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<UserSummary>, bool), ServiceError> {
    let account = caller.account();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check("iam:ListUsers", &format!("arn:aws:iam::{account}:user/*"))?;
    // Clauses left out (as constant tests) when unused, so each query gets its best plan.
    let paths = path_pattern(path_prefix);
    let after_clause = if after.is_some() {
        "AND lower(u.user_name) > lower($2)"
    } else {
        "AND $2::text IS NULL"
    };
    let path_clause = if paths.is_some() {
        "AND u.path LIKE $3"
    } else {
        "AND $3::text IS NULL"
    };
    let sql = format!(
        "WITH page AS (
             SELECT u.account_id, u.user_name FROM iam_users u
              WHERE u.account_id = $1 {after_clause} {path_clause}
              ORDER BY lower(u.user_name) LIMIT $4)
         SELECT {SUMMARY_COLUMNS}
           FROM page JOIN iam_users u USING (account_id, user_name)
           LEFT JOIN login_profiles l USING (account_id, user_name)
          ORDER BY lower(u.user_name)"
    );
    let limit = clamp_limit(limit);
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(after)
        .bind(&paths)
        .bind(limit + 1)
        .fetch_all(&mut *conn)
        .await?;
    let more = rows.len() as i64 > limit;
    Ok((
        rows.into_iter()
            .take(limit as usize)
            .map(|r| summary(account, r))
            .collect(),
        more,
    ))
}

/// A user's summary row, or NoSuchEntity.
pub(crate) async fn user_summary(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<UserSummary, ServiceError> {
    find_summary(conn, account, name)
        .await?
        .ok_or_else(|| no_such_user(name))
}

async fn find_summary(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<Option<UserSummary>, ServiceError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM iam_users u LEFT JOIN login_profiles l USING (account_id, user_name)
          WHERE u.account_id = $1 AND u.user_name = $2"
    );
    let row: Option<SummaryRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| summary(account, r)))
}

/// The ARN the engine is asked about for a user: the real one when the user exists (its
/// path included), else the plain one, so a refusal never tells whether the user exists.
pub(crate) async fn arn_for(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<String, ServiceError> {
    let path: Option<String> =
        sqlx::query_scalar("SELECT path FROM iam_users WHERE account_id = $1 AND user_name = $2")
            .bind(account)
            .bind(name)
            .fetch_optional(conn)
            .await?;
    Ok(iam_core::arn::user_arn(
        account,
        path.as_deref().unwrap_or("/"),
        name,
    ))
}

/// An operation on one user: its transaction, the caller's authorizer, and the user's ARN,
/// once the engine has allowed `action` on it.
async fn begin_on_user<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    name: &str,
    action: &str,
) -> Result<
    (
        sqlx::Transaction<'p, sqlx::Postgres>,
        crate::authz::Authorizer,
        String,
    ),
    ServiceError,
> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = arn_for(&mut tx, caller.account(), name).await?;
    authz.check(action, &arn)?;
    Ok((tx, authz, arn))
}

/// Whether a signed-in identity is still what it was: the root user always is; a user
/// until deleted or renamed (`IdentityGone`).
pub async fn check_still_exists(pool: &PgPool, identity: &Identity) -> Result<(), ServiceError> {
    let Identity::User {
        account_id,
        user_name,
        user_id,
        ..
    } = identity
    else {
        return Ok(());
    };
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM iam_users WHERE account_id = $1 AND user_name = $2 AND user_id = $3)",
    )
    .bind(account_id.as_str())
    .bind(user_name)
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    if found {
        Ok(())
    } else {
        Err(ServiceError::IdentityGone)
    }
}

/// A user's summary alone (`iam:GetUser`): what the API's GetUser answers, in one query.
pub async fn get_user_summary(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<UserSummary, ServiceError> {
    // One statement: the row (if any) gives the ARN the engine decides on, and a refusal
    // reads the same whether or not the user exists.
    let (mut conn, authz) = read(pool, caller).await?;
    let found = find_summary(&mut conn, caller.account(), name).await?;
    let arn = match &found {
        Some(user) => user.arn.clone(),
        None => iam_core::arn::user_arn(caller.account(), "/", name),
    };
    authz.check("iam:GetUser", &arn)?;
    found.ok_or_else(|| no_such_user(name))
}

/// A user's enabled MFA devices (`iam:ListMFADevices`).
pub async fn list_user_mfa(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<Vec<MfaDeviceInfo>, ServiceError> {
    let (mut tx, _, arn) = begin_on_user(pool, caller, name, "iam:ListMFADevices").await?;
    user_summary(&mut tx, caller.account(), name).await?;
    let devices = mfa_devices_of(&mut tx, caller.account(), &arn).await?;
    tx.commit().await?;
    Ok(devices)
}

async fn mfa_devices_of(
    conn: &mut PgConnection,
    account: &str,
    arn: &str,
) -> Result<Vec<MfaDeviceInfo>, ServiceError> {
    Ok(sqlx::query_as::<_, (String, String, Option<OffsetDateTime>)>(
        "SELECT name, path, enabled_at FROM mfa_devices WHERE principal_arn = $1 AND enabled_at IS NOT NULL ORDER BY name",
    )
    .bind(arn)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(device, path, enabled)| MfaDeviceInfo {
        serial: iam_core::arn::mfa_arn(account, &path, &device),
        name: device,
        enabled_at: enabled.map(OffsetDateTime::unix_timestamp),
    })
    .collect())
}

async fn tags_of(conn: &mut PgConnection, account: &str, user: &str) -> Result<Vec<Tag>, ServiceError> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT key, value FROM user_tags WHERE account_id = $1 AND user_name = $2 ORDER BY key",
    )
    .bind(account)
    .bind(user)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(key, value)| Tag { key, value })
    .collect())
}

/// A user's tags (`iam:ListUserTags`).
pub async fn list_user_tags(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<Vec<Tag>, ServiceError> {
    let (mut tx, _, _) = begin_on_user(pool, caller, name, "iam:ListUserTags").await?;
    user_summary(&mut tx, caller.account(), name).await?;
    let tags = tags_of(&mut tx, caller.account(), name).await?;
    tx.commit().await?;
    Ok(tags)
}

/// The groups a user is in (`iam:ListGroupsForUser`).
pub async fn list_groups_for_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<Vec<GroupSummary>, ServiceError> {
    let (mut tx, _, _) = begin_on_user(pool, caller, name, "iam:ListGroupsForUser").await?;
    user_summary(&mut tx, caller.account(), name).await?;
    let groups = crate::ops::groups::groups_of_user(&mut tx, caller.account(), name).await?;
    tx.commit().await?;
    Ok(groups)
}

/// The user's page: summary, groups, policies, tags and MFA devices.
pub async fn get_user(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<UserDetail, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, _, _) = begin_on_user(pool, caller, name, "iam:GetUser").await?;
    let summary = user_summary(&mut tx, &account, name).await?;
    let reset: Option<bool> = sqlx::query_scalar(
        "SELECT password_reset_required FROM login_profiles WHERE account_id = $1 AND user_name = $2",
    )
    .bind(&account)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    let groups = crate::ops::groups::groups_of_user(&mut tx, &account, name).await?;
    let entity = Entity::User(name.to_owned());
    let mut policies = attachments::attached_to(&mut tx, &account, &entity).await?;
    policies.extend(attachments::through_groups(&mut tx, &account, name).await?);
    let inline_policies = attachments::inline_of(&mut tx, &account, &entity).await?;
    let tags = tags_of(&mut tx, &account, name).await?;
    let mfa_devices = mfa_devices_of(&mut tx, &account, &summary.arn).await?;
    tx.commit().await?;
    Ok(UserDetail {
        summary,
        password_reset_required: reset.unwrap_or(false),
        groups,
        policies,
        inline_policies,
        tags,
        mfa_devices,
    })
}

/// Deletes a user. The console (`force`) first removes what the user has, each removal
/// authorized and recorded; the API refuses with DeleteConflict while anything is left.
pub async fn delete_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    force: bool,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz, arn) = begin_on_user(pool, caller, name, "iam:DeleteUser").await?;
    let summary = user_summary(&mut tx, &account, name).await?;
    let entity = Entity::User(name.to_owned());
    let groups = crate::ops::groups::groups_of_user(&mut tx, &account, name).await?;
    let attached = attachments::attached_to(&mut tx, &account, &entity).await?;
    let inline = attachments::inline_of(&mut tx, &account, &entity).await?;
    let devices: Vec<String> = sqlx::query_scalar("SELECT name FROM mfa_devices WHERE principal_arn = $1")
        .bind(&arn)
        .fetch_all(&mut *tx)
        .await?;
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT access_key_id FROM access_keys WHERE account_id = $1 AND user_name = $2")
            .bind(&account)
            .bind(name)
            .fetch_all(&mut *tx)
            .await?;
    crate::ops::delete_conflict(
        force,
        &[
            (
                !keys.is_empty(),
                "Cannot delete entity, must delete access keys first.",
            ),
            (
                summary.password_enabled,
                "Cannot delete entity, must delete login profile first.",
            ),
            (
                !groups.is_empty(),
                "Cannot delete entity, must remove user from all groups first.",
            ),
            (
                !attached.is_empty(),
                "Cannot delete entity, must detach all policies first.",
            ),
            (
                !inline.is_empty(),
                "Cannot delete entity, must delete policies first.",
            ),
            (
                !devices.is_empty(),
                "Cannot delete entity, must delete MFA device first.",
            ),
        ],
    )?;
    for key in &keys {
        authz.check("iam:DeleteAccessKey", &arn)?;
        audited(&mut tx, caller, "iam:DeleteAccessKey", &format!("{arn} {key}")).await?;
    }
    if summary.password_enabled {
        authz.check("iam:DeleteLoginProfile", &arn)?;
        audited(&mut tx, caller, "iam:DeleteLoginProfile", &arn).await?;
    }
    for group in &groups {
        authz.check("iam:RemoveUserFromGroup", &group.arn)?;
        audited(&mut tx, caller, "iam:RemoveUserFromGroup", &group.arn).await?;
    }
    for policy in &attached {
        authz.check("iam:DetachUserPolicy", &arn)?;
        audited(&mut tx, caller, "iam:DetachUserPolicy", &policy.policy_arn).await?;
    }
    for policy in &inline {
        authz.check("iam:DeleteUserPolicy", &arn)?;
        audited(
            &mut tx,
            caller,
            "iam:DeleteUserPolicy",
            &attachments::inline_resource(&arn, &policy.policy_name),
        )
        .await?;
    }
    for device in &devices {
        authz.check("iam:DeactivateMFADevice", &arn)?;
        audited(
            &mut tx,
            caller,
            "iam:DeactivateMFADevice",
            &format!("arn:aws:iam::{account}:mfa/{device}"),
        )
        .await?;
    }
    for table in ["mfa_devices", "recovery_codes", "password_history"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE principal_arn = $1"))
            .bind(&arn)
            .execute(&mut *tx)
            .await?;
    }
    // Login profile, memberships, attachments, inline policies and tags go with the row.
    sqlx::query("DELETE FROM iam_users WHERE account_id = $1 AND user_name = $2")
        .bind(&account)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:DeleteUser", &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a user's console password: creates the login profile, or resets the password
/// (`iam:CreateLoginProfile` / `iam:UpdateLoginProfile`).
pub async fn set_console_password(
    pool: &PgPool,
    hasher: &PasswordHasher,
    caller: &Caller<'_>,
    name: &str,
    password: &str,
    require_reset: bool,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    {
        let mut conn = pool.acquire().await?;
        let authz =
            crate::authz::Authorizer::load(&mut conn, caller.identity, caller.meta, caller.now).await?;
        let arn = arn_for(&mut conn, &account, name).await?;
        // Refuse before judging the password: a refusal must not depend on it.
        if !authz.allows("iam:CreateLoginProfile", &arn) && !authz.allows("iam:UpdateLoginProfile", &arn) {
            authz.check("iam:UpdateLoginProfile", &arn)?;
        }
    }
    check_password(pool, caller.identity.account_id(), name, password).await?;
    let hash = hasher.hash(password).await?;
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = arn_for(&mut tx, &account, name).await?;
    let summary = user_summary(&mut tx, &account, name).await?;
    let action = if summary.password_enabled {
        "iam:UpdateLoginProfile"
    } else {
        "iam:CreateLoginProfile"
    };
    authz.check(action, &arn)?;
    sqlx::query(
        "INSERT INTO login_profiles (account_id, user_name, password_hash, password_changed_at, password_reset_required, created_at)
         VALUES ($1, $2, $3, $4, $5, $4)
         ON CONFLICT (account_id, user_name) DO UPDATE
            SET password_hash = EXCLUDED.password_hash, password_changed_at = EXCLUDED.password_changed_at,
                password_reset_required = EXCLUDED.password_reset_required",
    )
    .bind(&account)
    .bind(name)
    .bind(&hash)
    .bind(caller.now)
    .bind(require_reset)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, action, &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns off a user's console access (`iam:DeleteLoginProfile`).
pub async fn delete_console_password(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, _, arn) = begin_on_user(pool, caller, name, "iam:DeleteLoginProfile").await?;
    let deleted = sqlx::query("DELETE FROM login_profiles WHERE account_id = $1 AND user_name = $2")
        .bind(&account)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(ServiceError::NoSuchEntity(format!(
            "Login Profile for User {name} cannot be found."
        )));
    }
    audited(&mut tx, caller, "iam:DeleteLoginProfile", &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds or replaces tags (`iam:TagUser`).
pub async fn tag_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    tags: &[Tag],
) -> Result<(), ServiceError> {
    let errors: Vec<FieldError> = tags
        .iter()
        .filter_map(|t| check_tag(&t.key, &t.value).err())
        .collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account().to_owned();
    let (mut tx, _, arn) = begin_on_user(pool, caller, name, "iam:TagUser").await?;
    user_summary(&mut tx, &account, name).await?;
    for tag in tags {
        insert_tag(&mut tx, &account, name, tag).await?;
    }
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM user_tags WHERE account_id = $1 AND user_name = $2")
            .bind(&account)
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
    if count > quotas::TAGS_PER_ENTITY as i64 {
        return Err(ServiceError::LimitExceeded(quotas::exceeded(
            "TagsPerUser",
            quotas::TAGS_PER_ENTITY as i64,
        )));
    }
    audited(&mut tx, caller, "iam:TagUser", &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes tags by key (`iam:UntagUser`).
pub async fn untag_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    keys: &[String],
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, _, arn) = begin_on_user(pool, caller, name, "iam:UntagUser").await?;
    user_summary(&mut tx, &account, name).await?;
    sqlx::query("DELETE FROM user_tags WHERE account_id = $1 AND user_name = $2 AND key = ANY($3)")
        .bind(&account)
        .bind(name)
        .bind(keys)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:UntagUser", &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator removes a user's MFA device (`iam:DeactivateMFADevice`); the user can
/// then enrol again. Recovery codes go with the last device.
pub async fn deactivate_user_mfa(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    device: &str,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, _, arn) = begin_on_user(pool, caller, name, "iam:DeactivateMFADevice").await?;
    let deleted =
        sqlx::query("DELETE FROM mfa_devices WHERE account_id = $1 AND name = $2 AND principal_arn = $3")
            .bind(&account)
            .bind(device)
            .bind(&arn)
            .execute(&mut *tx)
            .await?;
    if deleted.rows_affected() == 0 {
        return Err(ServiceError::NoSuchEntity(format!(
            "MFA device {device} of user {name} cannot be found."
        )));
    }
    sqlx::query(
        "DELETE FROM recovery_codes WHERE principal_arn = $1
           AND NOT EXISTS (SELECT 1 FROM mfa_devices WHERE principal_arn = $1)",
    )
    .bind(&arn)
    .execute(&mut *tx)
    .await?;
    audited(
        &mut tx,
        caller,
        "iam:DeactivateMFADevice",
        &format!("arn:aws:iam::{account}:mfa/{device}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
