//! Roles: created with a trust policy (who may assume them), read, listed, updated, deleted.
//! Their permissions policies go through ops::attachments like users' and groups'
//! (`Entity::Role`). AWS's actions: CreateRole, GetRole, ListRoles, UpdateRole,
//! UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole.

use crate::ops::attachments::{self, validate_document, Entity};
use crate::ops::{audited, begin, is_unique_violation, unique_id};
use crate::{Caller, ServiceError};
use iam_core::field::FieldError;
use iam_core::model::Tag;
use iam_core::names::{check_name, check_path, NameKind};
use iam_core::policy::parse::counted_size;
use iam_core::policy::PolicyKind;
use iam_core::quotas;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use time::OffsetDateTime;

/// A role's trust policy: at most this many characters, whitespace not counted.
pub const TRUST_POLICY_CHARS: usize = 2048;
/// A role's longest session, in seconds: 1 to 12 hours; 1 hour unless set.
pub const SESSION_SECONDS: std::ops::RangeInclusive<i32> = 3600..=43200;
pub const DEFAULT_SESSION_SECONDS: i32 = 3600;
const DESCRIPTION_CHARS: usize = 1000;

/// A role as GetRole and ListRoles answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub role_name: String,
    pub role_id: String,
    pub path: String,
    pub arn: String,
    pub assume_role_policy: String,
    pub description: String,
    pub max_session_duration: i32,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub last_used_region: Option<String>,
    pub permissions_boundary: Option<String>,
    /// The AWS service that owns the role when it is service-linked: then nobody else may
    /// change its trust, policies or boundary.
    pub linked_service: Option<String>,
    /// Filled by GetRole (ListRoles, as AWS's, leaves them out).
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default)]
pub struct NewRole {
    pub role_name: String,
    pub path: String,
    pub trust_policy: String,
    pub description: String,
    pub max_session_duration: Option<i32>,
    pub tags: Vec<Tag>,
    /// A managed policy that caps the role from the start (CreateRole's PermissionsBoundary).
    pub permissions_boundary: Option<String>,
    /// Managed policies attached in the same transaction (the console's wizard), each
    /// decided as AttachRolePolicy.
    pub policy_arns: Vec<String>,
}

type RoleRow = (
    String,
    String,
    String,
    String,
    String,
    i32,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const ROLE_COLUMNS: &str = "role_name, role_id, path, assume_role_policy, description,
    max_session_duration, created_at, last_used_at, last_used_region, permissions_boundary,
    linked_service";

fn role(account: &str, row: RoleRow) -> Role {
    let (
        role_name,
        role_id,
        path,
        assume_role_policy,
        description,
        max_session_duration,
        created_at,
        last_used_at,
        last_used_region,
        permissions_boundary,
        linked_service,
    ) = row;
    Role {
        arn: iam_core::arn::entity_arn(account, "role", &path, &role_name),
        role_name,
        role_id,
        path,
        assume_role_policy,
        description,
        max_session_duration,
        created_at,
        last_used_at,
        last_used_region,
        permissions_boundary,
        linked_service,
        tags: Vec::new(),
    }
}

impl Role {
    /// The account the role belongs to (from its ARN).
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or_default()
    }
}

pub(crate) fn no_such_role(name: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("The role with name {name} cannot be found."))
}

/// AWS's refusal to change what a service owns.
fn unmodifiable(name: &str) -> ServiceError {
    ServiceError::Rejected {
        code: "UnmodifiableEntity",
        message: format!("Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"),
    }
}

/// Refuses to change a service-linked role's trust, policies, boundary or session length
/// (its description and tags stay the account's).
pub(crate) async fn modifiable(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<(), ServiceError> {
    let linked: Option<Option<String>> = sqlx::query_scalar(
        "SELECT linked_service FROM iam_roles WHERE account_id = $1 AND role_name = $2 FOR UPDATE",
    )
    .bind(account)
    .bind(name)
    .fetch_optional(conn)
    .await?;
    match linked {
        Some(Some(_)) => Err(unmodifiable(name)),
        _ => Ok(()),
    }
}

/// The trust policy, checked by the engine as a trust policy, and its size.
fn check_trust_policy(document: &str) -> Result<(), ServiceError> {
    if counted_size(document) > TRUST_POLICY_CHARS {
        return Err(ServiceError::LimitExceeded(format!(
            "Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_CHARS}"
        )));
    }
    validate_document(document, PolicyKind::Trust)
}

pub(crate) fn check_description(description: &str) -> Option<FieldError> {
    (description.chars().count() > DESCRIPTION_CHARS).then(|| {
        FieldError::new(
            "description",
            format!("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to {DESCRIPTION_CHARS}"),
        )
    })
}

fn check_session(seconds: i32) -> Option<FieldError> {
    (!SESSION_SECONDS.contains(&seconds)).then(|| {
        FieldError::new(
            "maxSessionDuration",
            format!("The requested MaxSessionDuration `{seconds}` is not between 3600 and 43200 seconds."),
        )
    })
}

pub(crate) async fn find(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<Option<Role>, ServiceError> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM iam_roles WHERE account_id = $1 AND role_name = $2");
    let row: Option<RoleRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| role(account, r)))
}

/// The roles of `account` named in `names` (all of them when `None`), by name, in one query.
pub(crate) async fn find_many(
    conn: &mut PgConnection,
    account: &str,
    names: Option<&[String]>,
) -> Result<Vec<Role>, ServiceError> {
    let sql = format!(
        "SELECT {ROLE_COLUMNS} FROM iam_roles
          WHERE account_id = $1 AND ($2::text[] IS NULL OR role_name = ANY($2)) ORDER BY role_name"
    );
    let rows: Vec<RoleRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(names)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| role(account, r)).collect())
}

/// A transaction on one role: `action` decided on the role's ARN (with its real path when it
/// exists, and before anything tells whether it does), then the role must exist.
async fn on_role<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    name: &str,
    action: &str,
) -> Result<(Transaction<'p, Postgres>, String), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = on_role_in(&mut tx, &authz, caller, name, action).await?;
    Ok((tx, arn))
}

/// `on_role` inside a transaction the caller already holds: the role's ARN once `action` is
/// allowed on it and it exists.
pub(crate) async fn on_role_in(
    conn: &mut PgConnection,
    authz: &crate::authz::Authorizer,
    caller: &Caller<'_>,
    name: &str,
    action: &str,
) -> Result<String, ServiceError> {
    let role = Entity::Role(name.to_owned());
    let (arn, exists) = attachments::entity_arn(conn, caller.account(), &role).await?;
    authz.check(action, &arn)?;
    if !exists {
        return Err(no_such_role(name));
    }
    Ok(arn)
}

/// Creates a role (`iam:CreateRole` on its ARN).
pub async fn create_role(pool: &PgPool, caller: &Caller<'_>, new: &NewRole) -> Result<Role, ServiceError> {
    let seconds = new.max_session_duration.unwrap_or(DEFAULT_SESSION_SECONDS);
    let mut errors: Vec<FieldError> = [
        check_name(NameKind::Role, &new.role_name).err(),
        check_path(&new.path).err(),
        check_description(&new.description),
        check_session(seconds),
    ]
    .into_iter()
    .flatten()
    .collect();
    errors.extend(crate::ops::tags::check(&new.tags));
    if new.path.starts_with(iam_core::service_linked::PATH_PREFIX) {
        errors.push(FieldError::new(
            "path",
            format!("path `{}` is reserved for service-linked roles", new.path),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let entity = Entity::Role(new.role_name.clone());
    if new.tags.len() > quotas::TAGS_PER_ENTITY {
        return Err(crate::ops::tags::too_many(&entity));
    }
    let account = caller.account().to_owned();
    let arn = iam_core::arn::entity_arn(&account, "role", &new.path, &new.role_name);
    let (mut tx, authz) = begin(pool, caller).await?;
    let boundary = new.permissions_boundary.as_deref();
    let context = boundary.map(crate::ops::boundaries::context).unwrap_or_default();
    crate::ops::tags::authorize_create(
        &authz,
        ("iam:CreateRole", "iam:TagRole"),
        &arn,
        &new.tags,
        context,
    )?;
    check_trust_policy(&new.trust_policy)?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "iam_roles",
        "RolesPerAccount",
        quotas::ROLES_PER_ACCOUNT,
    )
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO iam_roles (account_id, role_name, role_id, path, assume_role_policy, description,
                                max_session_duration, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&account)
    .bind(&new.role_name)
    .bind(unique_id("AROA"))
    .bind(&new.path)
    .bind(&new.trust_policy)
    .bind(&new.description)
    .bind(seconds)
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(ServiceError::AlreadyExists(format!(
                "Role with name {} already exists.",
                new.role_name
            )))
        }
        other => other?,
    };
    crate::ops::trust_pins::pin(&mut tx, &account, &new.role_name, &new.trust_policy).await?;
    audited(&mut tx, caller, "iam:CreateRole", &arn).await?;
    if let Some(boundary) = boundary {
        crate::ops::boundaries::set_new(&mut tx, &account, &entity, boundary).await?;
    }
    for tag in &new.tags {
        crate::ops::tags::insert(&mut tx, &account, &entity, tag).await?;
    }
    attachments::attach_all_in(&mut tx, &authz, caller, &entity, &new.policy_arns).await?;
    let created = find(&mut tx, &account, &new.role_name)
        .await?
        .ok_or_else(|| no_such_role(&new.role_name))?;
    tx.commit().await?;
    Ok(created)
}

/// A role (`iam:GetRole`). Refused before it is looked up: a refusal never tells whether it
/// exists.
pub async fn get_role(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<Role, ServiceError> {
    let (mut tx, _) = on_role(pool, caller, name, "iam:GetRole").await?;
    let mut found = find(&mut tx, caller.account(), name)
        .await?
        .ok_or_else(|| no_such_role(name))?;
    found.tags = crate::ops::tags::of(&mut tx, caller.account(), &Entity::Role(name.to_owned())).await?;
    tx.commit().await?;
    Ok(found)
}

/// Roles under a path prefix, by name, from `after` on (`iam:ListRoles`); whether more follow.
pub async fn list_roles(
    pool: &PgPool,
    caller: &Caller<'_>,
    path_prefix: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Role>, bool), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:ListRoles", &format!("arn:aws:iam::{account}:role/*"))?;
    let sql = format!(
        "SELECT {ROLE_COLUMNS} FROM iam_roles
          WHERE account_id = $1 AND starts_with(path, $2) AND ($3::text IS NULL OR role_name > $3)
          ORDER BY role_name LIMIT $4"
    );
    let mut rows: Vec<RoleRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(path_prefix)
        .bind(after)
        .bind(limit + 1)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok((rows.into_iter().map(|r| role(account, r)).collect(), more))
}

/// What UpdateRole and UpdateRoleDescription change; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct RoleUpdate<'a> {
    pub description: Option<&'a str>,
    pub max_session_duration: Option<i32>,
}

/// Changes a role's description and longest session (`iam:UpdateRole`, or
/// `iam:UpdateRoleDescription` for AWS's older action).
pub async fn update_role(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    action: &str,
    update: &RoleUpdate<'_>,
) -> Result<Role, ServiceError> {
    let errors: Vec<FieldError> = [
        update.description.and_then(check_description),
        update.max_session_duration.and_then(check_session),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account();
    let (mut tx, arn) = on_role(pool, caller, name, action).await?;
    if update.max_session_duration.is_some() {
        modifiable(&mut tx, account, name).await?;
    }
    sqlx::query(
        "UPDATE iam_roles SET description = coalesce($3, description),
                max_session_duration = coalesce($4, max_session_duration)
          WHERE account_id = $1 AND role_name = $2",
    )
    .bind(account)
    .bind(name)
    .bind(update.description)
    .bind(update.max_session_duration)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, action, &arn).await?;
    let updated = find(&mut tx, account, name)
        .await?
        .ok_or_else(|| no_such_role(name))?;
    tx.commit().await?;
    Ok(updated)
}

/// Replaces a role's trust policy (`iam:UpdateAssumeRolePolicy`).
pub async fn update_trust_policy(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    document: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, arn) = on_role(pool, caller, name, "iam:UpdateAssumeRolePolicy").await?;
    modifiable(&mut tx, account, name).await?;
    check_trust_policy(document)?;
    crate::ops::trust_pins::pin(&mut tx, account, name, document).await?;
    sqlx::query("UPDATE iam_roles SET assume_role_policy = $3 WHERE account_id = $1 AND role_name = $2")
        .bind(account)
        .bind(name)
        .bind(document)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:UpdateAssumeRolePolicy", &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a role (`iam:DeleteRole`); AWS's DeleteConflict while policies are attached or
/// inline policies remain.
pub async fn delete_role(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    force: bool,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let entity = Entity::Role(name.to_owned());
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = on_role_in(&mut tx, &authz, caller, name, "iam:DeleteRole").await?;
    modifiable(&mut tx, account, name).await?;
    if crate::ops::instance_profiles::role_in_profile(&mut tx, account, name).await? {
        return Err(ServiceError::DeleteConflict(
            "Cannot delete entity, must remove roles from instance profile first.".into(),
        ));
    }
    let attached = attachments::attached_to(&mut tx, account, &entity).await?;
    let inline = attachments::inline_of(&mut tx, account, &entity).await?;
    crate::ops::delete_conflict(
        force,
        &[
            (
                !attached.is_empty(),
                "Cannot delete entity, must detach all policies first.",
            ),
            (
                !inline.is_empty(),
                "Cannot delete entity, must delete policies first.",
            ),
        ],
    )?;
    // The console's delete takes the policies with it, each removal decided and recorded.
    for policy in &attached {
        attachments::detach_in(&mut tx, &authz, caller, &entity, &policy.policy_arn).await?;
    }
    for policy in &inline {
        attachments::delete_inline_in(&mut tx, &authz, caller, &entity, &policy.policy_name).await?;
    }
    // A delete running alongside may have taken it first.
    let role_id: String = sqlx::query_scalar(
        "DELETE FROM iam_roles WHERE account_id = $1 AND role_name = $2 RETURNING role_id",
    )
    .bind(account)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| no_such_role(name))?;
    crate::ops::trust_pins::repoint(&mut tx, &arn, &role_id).await?;
    audited(&mut tx, caller, "iam:DeleteRole", &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the role a session belongs to is still there (the same role: a role deleted and
/// made again under its name is another role).
pub async fn session_role_exists(pool: &PgPool, identity: &crate::Identity) -> Result<bool, ServiceError> {
    let Some(session) = identity.role_session() else {
        return Ok(false);
    };
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM iam_roles WHERE account_id = $1 AND role_name = $2 AND role_id = $3)",
    )
    .bind(session.account_id.as_str())
    .bind(&session.role_name)
    .bind(&session.role_id)
    .fetch_one(pool)
    .await?;
    Ok(found)
}

/// Marks the role used now (its "last activity"), at most once per 15 minutes.
pub(crate) async fn record_use(
    conn: &mut sqlx::PgConnection,
    account: &str,
    role_name: &str,
    now: time::OffsetDateTime,
) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE iam_roles SET last_used_at = $3 WHERE account_id = $1 AND role_name = $2
            AND (last_used_at IS NULL OR last_used_at < $3 - interval '15 minutes')",
    )
    .bind(account)
    .bind(role_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the role's trust policy alone lets `principal` (not a principal of any account's
/// IAM: a service or someone an identity provider vouches for) perform every one of `actions`
/// on the role, with `context` added to the request.
pub(crate) fn trust_allows(
    role: &Role,
    principal: &iam_core::policy::Principal,
    facts: &iam_core::policy::GlobalFacts,
    context: &[(String, Vec<String>)],
    actions: &[&str],
) -> bool {
    use iam_core::policy::{evaluate, parse_policy, Named, PolicyKind, PolicySet, Request};
    let Some(trust) = parse_policy(&role.assume_role_policy, PolicyKind::Trust).policy else {
        return false;
    };
    let set = PolicySet {
        resource: vec![Named {
            id: "trust policy",
            policy: &trust,
        }],
        resource_owner: Some(role.account()),
        resource_must_allow: true,
        ..Default::default()
    };
    actions.iter().all(|action| {
        let mut request = Request::new(principal.clone(), *action, &role.arn).with_globals(facts);
        for (key, values) in context {
            request.context.set_list(key, values.clone());
        }
        evaluate(&request, &set).allowed()
    })
}
