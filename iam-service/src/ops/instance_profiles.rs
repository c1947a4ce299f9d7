//! Instance profiles: a container for one role that a workload receives credentials of.
//! AWS's actions: Create/Get/List/DeleteInstanceProfile, ListInstanceProfilesForRole,
//! Add/RemoveRoleToInstanceProfile; their tags go through ops::tags.

use crate::ops::roles::{self, Role};
use crate::ops::{audited, begin, inserted, read, unique_id};
use crate::{Caller, ServiceError};
use iam_core::model::Tag;
use iam_core::names::{check_name, check_path, NameKind};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// AWS's quota of instance profiles per account.
const PROFILES_PER_ACCOUNT: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceProfile {
    pub profile_name: String,
    pub profile_id: String,
    pub path: String,
    pub arn: String,
    pub created_at: OffsetDateTime,
    /// At most one role, as on AWS.
    pub roles: Vec<Role>,
    /// Filled by GetInstanceProfile (lists leave them out).
    pub tags: Vec<Tag>,
}

type ProfileRow = (String, String, String, Option<String>, OffsetDateTime);

fn arn(account: &str, path: &str, name: &str) -> String {
    iam_core::arn::entity_arn(account, "instance-profile", path, name)
}

pub(crate) fn no_such_profile(name: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("Instance Profile {name} cannot be found."))
}

/// Profiles with their roles, the roles read in one query.
async fn load_all(
    conn: &mut PgConnection,
    account: &str,
    rows: Vec<ProfileRow>,
) -> Result<Vec<InstanceProfile>, ServiceError> {
    let names: Vec<String> = rows.iter().filter_map(|r| r.3.clone()).collect();
    let found = if names.is_empty() {
        Vec::new()
    } else {
        roles::find_many(conn, account, Some(&names)).await?
    };
    Ok(rows
        .into_iter()
        .map(
            |(profile_name, profile_id, path, role_name, created_at)| InstanceProfile {
                arn: arn(account, &path, &profile_name),
                roles: found
                    .iter()
                    .filter(|r| role_name.as_deref() == Some(r.role_name.as_str()))
                    .cloned()
                    .collect(),
                profile_name,
                profile_id,
                path,
                created_at,
                tags: Vec::new(),
            },
        )
        .collect())
}

async fn load(
    conn: &mut PgConnection,
    account: &str,
    row: ProfileRow,
) -> Result<InstanceProfile, ServiceError> {
    let mut one = load_all(conn, account, vec![row]).await?;
    one.pop()
        .ok_or_else(|| ServiceError::Internal("a loaded profile went missing".into()))
}

async fn find(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<Option<ProfileRow>, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT profile_name, profile_id, path, role_name, created_at FROM instance_profiles
          WHERE account_id = $1 AND profile_name = $2",
    )
    .bind(account)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

/// The profile's ARN with its real path when it exists, and whether it does.
pub(crate) async fn profile_arn(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<(String, bool), ServiceError> {
    let row = find(conn, account, name).await?;
    let path = row.as_ref().map_or("/", |r| r.2.as_str());
    Ok((arn(account, path, name), row.is_some()))
}

/// The profile's ARN with its real path when it exists (decided before anything tells whether
/// it does), and its row.
async fn decided(
    conn: &mut PgConnection,
    authz: &crate::authz::Authorizer,
    account: &str,
    name: &str,
    action: &str,
) -> Result<(String, ProfileRow), ServiceError> {
    let row = find(conn, account, name).await?;
    let path = row.as_ref().map_or("/", |r| r.2.as_str());
    let profile_arn = arn(account, path, name);
    authz.check(action, &profile_arn)?;
    let row = row.ok_or_else(|| no_such_profile(name))?;
    Ok((profile_arn, row))
}

/// `iam:CreateInstanceProfile` (and `iam:TagInstanceProfile` when it comes with tags).
pub async fn create(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    path: &str,
    tags: &[Tag],
) -> Result<InstanceProfile, ServiceError> {
    let mut errors: Vec<_> = [
        check_name(NameKind::InstanceProfile, name).err(),
        check_path(path).err(),
    ]
    .into_iter()
    .flatten()
    .collect();
    errors.extend(crate::ops::tags::check(tags));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let target = crate::ops::tags::Tagged::InstanceProfile(name);
    if tags.len() > iam_core::quotas::TAGS_PER_ENTITY {
        return Err(crate::ops::tags::too_many(target));
    }
    let account = caller.account().to_owned();
    let profile_arn = arn(&account, path, name);
    let (mut tx, authz) = begin(pool, caller).await?;
    crate::ops::tags::authorize_create(
        &authz,
        ("iam:CreateInstanceProfile", "iam:TagInstanceProfile"),
        &profile_arn,
        tags,
        Vec::new(),
    )?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "instance_profiles",
        "InstanceProfilesPerAccount",
        PROFILES_PER_ACCOUNT,
    )
    .await?;
    let result = sqlx::query(
        "INSERT INTO instance_profiles (account_id, profile_name, profile_id, path, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&account)
    .bind(name)
    .bind(unique_id("AIPA"))
    .bind(path)
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    inserted(result, || format!("Instance Profile {name} already exists."))?;
    audited(&mut tx, caller, "iam:CreateInstanceProfile", &profile_arn).await?;
    for tag in tags {
        crate::ops::tags::insert(&mut tx, &account, target, tag).await?;
    }
    let row = find(&mut tx, &account, name)
        .await?
        .ok_or_else(|| no_such_profile(name))?;
    let mut created = load(&mut tx, &account, row).await?;
    created.tags = crate::ops::tags::of(&mut tx, &account, target).await?;
    tx.commit().await?;
    Ok(created)
}

/// `iam:GetInstanceProfile`.
pub async fn get(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<InstanceProfile, ServiceError> {
    let account = caller.account();
    let (mut conn, authz) = read(pool, caller).await?;
    let (_, row) = decided(&mut conn, &authz, account, name, "iam:GetInstanceProfile").await?;
    let mut profile = load(&mut conn, account, row).await?;
    profile.tags = crate::ops::tags::of(
        &mut conn,
        account,
        crate::ops::tags::Tagged::InstanceProfile(name),
    )
    .await?;
    Ok(profile)
}

/// `iam:ListInstanceProfiles` (under a path) or, with `role`, `iam:ListInstanceProfilesForRole`.
pub async fn list(
    pool: &PgPool,
    caller: &Caller<'_>,
    path_prefix: &str,
    role: Option<&str>,
) -> Result<Vec<InstanceProfile>, ServiceError> {
    let account = caller.account();
    let (mut conn, authz) = read(pool, caller).await?;
    match role {
        Some(role_name) => {
            roles::on_role_in(
                &mut conn,
                &authz,
                caller,
                role_name,
                "iam:ListInstanceProfilesForRole",
            )
            .await?;
        }
        None => authz.check(
            "iam:ListInstanceProfiles",
            &format!("arn:aws:iam::{account}:instance-profile/*"),
        )?,
    }
    let rows: Vec<ProfileRow> = sqlx::query_as(
        "SELECT profile_name, profile_id, path, role_name, created_at FROM instance_profiles
          WHERE account_id = $1 AND starts_with(path, $2) AND ($3::text IS NULL OR role_name = $3)
          ORDER BY profile_name LIMIT 1000",
    )
    .bind(account)
    .bind(path_prefix)
    .bind(role)
    .fetch_all(&mut *conn)
    .await?;
    load_all(&mut conn, account, rows).await
}

/// `iam:AddRoleToInstanceProfile`: a profile holds one role (AWS's LimitExceeded otherwise).
pub async fn add_role(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    role_name: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (profile_arn, row) = decided(&mut tx, &authz, account, name, "iam:AddRoleToInstanceProfile").await?;
    // Giving a workload a role passes the role to it (AWS asks iam:PassRole).
    let role_arn = roles::on_role_in(&mut tx, &authz, caller, role_name, "iam:PassRole").await?;
    // A service-linked role serves its service, never a workload.
    roles::modifiable(&mut tx, account, role_name).await?;
    if row.3.is_some() {
        return Err(ServiceError::LimitExceeded(
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1".into(),
        ));
    }
    sqlx::query(
        "UPDATE instance_profiles SET role_name = $3 WHERE account_id = $1 AND profile_name = $2 AND role_name IS NULL",
    )
    .bind(account)
    .bind(name)
    .bind(role_name)
    .execute(&mut *tx)
    .await?;
    audited(
        &mut tx,
        caller,
        "iam:AddRoleToInstanceProfile",
        &format!("{profile_arn} {role_arn}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `iam:RemoveRoleFromInstanceProfile`.
pub async fn remove_role(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    role_name: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (profile_arn, row) = decided(
        &mut tx,
        &authz,
        account,
        name,
        "iam:RemoveRoleFromInstanceProfile",
    )
    .await?;
    if row.3.as_deref() != Some(role_name) {
        return Err(ServiceError::NoSuchEntity(format!(
            "The role with name {role_name} cannot be found."
        )));
    }
    sqlx::query("UPDATE instance_profiles SET role_name = NULL WHERE account_id = $1 AND profile_name = $2")
        .bind(account)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:RemoveRoleFromInstanceProfile", &profile_arn).await?;
    tx.commit().await?;
    Ok(())
}

/// `iam:DeleteInstanceProfile`: only once its role is removed (AWS's DeleteConflict).
pub async fn delete(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (profile_arn, row) = decided(&mut tx, &authz, account, name, "iam:DeleteInstanceProfile").await?;
    if row.3.is_some() {
        return Err(ServiceError::DeleteConflict(
            "Cannot delete entity, must remove roles from instance profile first.".into(),
        ));
    }
    sqlx::query("DELETE FROM instance_profiles WHERE account_id = $1 AND profile_name = $2")
        .bind(account)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:DeleteInstanceProfile", &profile_arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a role is in any instance profile (DeleteRole refuses then, as AWS).
pub(crate) async fn role_in_profile(
    conn: &mut PgConnection,
    account: &str,
    role_name: &str,
) -> Result<bool, ServiceError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM instance_profiles WHERE account_id = $1 AND role_name = $2)",
    )
    .bind(account)
    .bind(role_name)
    .fetch_one(conn)
    .await?)
}
