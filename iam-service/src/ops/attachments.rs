//! Managed policies attached to users, groups and roles, and their inline policies: one path
//! for the three. AWS's actions: Attach/Detach{User,Group,Role}Policy,
//! Put/Delete{User,Group,Role}Policy.

use crate::authz::Authorizer;
use crate::ops::{audited, begin};
use crate::{Caller, ServiceError};
use iam_core::model::{AttachedPolicy, InlinePolicy, PolicyType};
use iam_core::names::{check_name, NameKind};
use iam_core::policy::managed;
use iam_core::policy::{parse_policy, PolicyKind};
use iam_core::quotas;
use sqlx::{PgConnection, PgPool};

/// Something policies attach to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    User(String),
    Group(String),
    Role(String),
}

impl Entity {
    pub fn name(&self) -> &str {
        match self {
            Entity::User(n) | Entity::Group(n) | Entity::Role(n) => n,
        }
    }

    /// `User` or `Group`, as AWS's action names spell it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Entity::User(_) => "User",
            Entity::Group(_) => "Group",
            Entity::Role(_) => "Role",
        }
    }

    pub(crate) fn table(&self) -> &'static str {
        match self {
            Entity::User(_) => "iam_users",
            Entity::Group(_) => "iam_groups",
            Entity::Role(_) => "iam_roles",
        }
    }

    pub(crate) fn name_column(&self) -> &'static str {
        match self {
            Entity::User(_) => "user_name",
            Entity::Group(_) => "group_name",
            Entity::Role(_) => "role_name",
        }
    }

    fn attached_table(&self) -> &'static str {
        match self {
            Entity::User(_) => "user_policies",
            Entity::Group(_) => "group_policies",
            Entity::Role(_) => "role_policies",
        }
    }

    fn inline_table(&self) -> &'static str {
        match self {
            Entity::User(_) => "user_inline_policies",
            Entity::Group(_) => "group_inline_policies",
            Entity::Role(_) => "role_inline_policies",
        }
    }

    fn inline_limit(&self) -> usize {
        match self {
            Entity::User(_) => quotas::INLINE_BYTES_USER,
            Entity::Group(_) => quotas::INLINE_BYTES_GROUP,
            Entity::Role(_) => quotas::INLINE_BYTES_ROLE,
        }
    }

    pub(crate) fn no_such(&self) -> ServiceError {
        ServiceError::NoSuchEntity(format!(
            "The {} with name {} cannot be found.",
            self.kind().to_lowercase(),
            self.name()
        ))
    }

    /// `iam:AttachUserPolicy` and the like.
    pub fn action(&self, verb: &str) -> String {
        format!("iam:{verb}{}Policy", self.kind())
    }
}

/// The entity's ARN with its real path when it exists (a refusal must not tell whether it
/// does), and whether it exists.
pub(crate) async fn entity_arn(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
) -> Result<(String, bool), ServiceError> {
    let sql = format!(
        "SELECT path FROM {} WHERE account_id = $1 AND {} = $2",
        entity.table(),
        entity.name_column()
    );
    let path: Option<String> = sqlx::query_scalar(&sql)
        .bind(account)
        .bind(entity.name())
        .fetch_optional(conn)
        .await?;
    let kind = entity.kind().to_lowercase();
    let arn = iam_core::arn::entity_arn(account, &kind, path.as_deref().unwrap_or("/"), entity.name());
    Ok((arn, path.is_some()))
}

/// Decides `action` on the entity's real ARN, with the entity's current permissions boundary
/// as `iam:PermissionsBoundary` (a delegated administrator's policy can require one), before
/// telling whether it exists. Returns the ARN and whether it exists.
pub(crate) async fn decide_on(
    conn: &mut PgConnection,
    authz: &Authorizer,
    account: &str,
    entity: &Entity,
    action: &str,
) -> Result<(String, bool), ServiceError> {
    let (arn, exists) = entity_arn(conn, account, entity).await?;
    let context = match entity {
        Entity::Group(_) => Vec::new(),
        _ => crate::ops::boundaries::of(conn, account, entity)
            .await?
            .map(|b| crate::ops::boundaries::context(&b))
            .unwrap_or_default(),
    };
    authz.check_with(action, &arn, &context)?;
    Ok((arn, exists))
}

/// A policy's name and console type from its ARN.
pub fn describe(arn: &str) -> (String, PolicyType) {
    let name = arn.rsplit('/').next().unwrap_or(arn).to_owned();
    match managed::find(arn) {
        Some(m) if m.job_function => (name, PolicyType::AwsManagedJobFunction),
        Some(_) => (name, PolicyType::AwsManaged),
        None => (name, PolicyType::CustomerManaged),
    }
}

/// A service-linked role's policies, trust and boundary are AWS's (UnmodifiableEntity).
pub(crate) async fn modifiable(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
) -> Result<(), ServiceError> {
    match entity {
        Entity::Role(name) => crate::ops::roles::modifiable(conn, account, name).await,
        _ => Ok(()),
    }
}

/// A service-linked role's policy goes on no customer's user, group or role, as AWS's
/// PolicyNotAttachable.
pub(crate) fn customer_attachable(entity: &Entity, policy_arn: &str) -> Result<(), ServiceError> {
    match managed::find(policy_arn) {
        Some(m) if m.for_service_role() && m.arn() == policy_arn => Err(ServiceError::Rejected {
            code: "PolicyNotAttachable",
            message: format!(
                "Cannot attach a Service Role Policy to a Customer {}.",
                entity.kind()
            ),
        }),
        _ => Ok(()),
    }
}

/// Whether an ARN names an attachable policy: AWS-managed, or the account's own.
pub(crate) async fn attachable(
    conn: &mut PgConnection,
    account: &str,
    arn: &str,
) -> Result<bool, ServiceError> {
    if managed::find(arn).is_some() && arn.starts_with("arn:aws:iam::aws:policy/") {
        return Ok(true);
    }
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM managed_policies WHERE account_id = $1 AND arn = $2)",
    )
    .bind(account)
    .bind(arn)
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// Attaches inside an operation's transaction (the create-user wizard uses it too).
pub(crate) async fn attach_in(
    conn: &mut PgConnection,
    authz: &Authorizer,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (arn, exists) = decide_on(conn, authz, account, entity, &entity.action("Attach")).await?;
    if !exists {
        return Err(entity.no_such());
    }
    modifiable(conn, account, entity).await?;
    customer_attachable(entity, policy_arn)?;
    // Attachments to one entity take turns, so the quota holds under concurrency.
    sqlx::query(&format!(
        "SELECT 1 FROM {} WHERE account_id = $1 AND {} = $2 FOR UPDATE",
        entity.table(),
        entity.name_column()
    ))
    .bind(account)
    .bind(entity.name())
    .execute(&mut *conn)
    .await?;
    if !attachable(conn, account, policy_arn).await? {
        return Err(ServiceError::NoSuchEntity(format!(
            "Policy {policy_arn} does not exist or is not attachable."
        )));
    }
    let sql = format!(
        "INSERT INTO {} (account_id, {}, policy_arn, attached_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        entity.attached_table(),
        entity.name_column()
    );
    sqlx::query(&sql)
        .bind(account)
        .bind(entity.name())
        .bind(policy_arn)
        .bind(caller.now)
        .execute(&mut *conn)
        .await?;
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {} WHERE account_id = $1 AND {} = $2",
        entity.attached_table(),
        entity.name_column()
    ))
    .bind(account)
    .bind(entity.name())
    .fetch_one(&mut *conn)
    .await?;
    if count > quotas::ATTACHED_POLICIES_PER_ENTITY {
        return Err(ServiceError::LimitExceeded(quotas::exceeded(
            &format!("PoliciesPer{}", entity.kind()),
            quotas::ATTACHED_POLICIES_PER_ENTITY,
        )));
    }
    audit_attachment(conn, caller, &entity.action("Attach"), &arn, policy_arn).await
}

async fn audit_attachment(
    conn: &mut PgConnection,
    caller: &Caller<'_>,
    action: &str,
    entity_arn: &str,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let resource = format!("{entity_arn} {policy_arn}");
    crate::audit::success_by(conn, caller.identity, action, &resource, caller.now, caller.meta).await?;
    Ok(())
}

pub async fn attach(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    attach_in(&mut tx, &authz, caller, entity, policy_arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Attaches several policies in one transaction: all of them, or none (e.g. past the quota).
pub async fn attach_many(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arns: &[String],
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    attach_all_in(&mut tx, &authz, caller, entity, policy_arns).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn detach(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    detach_in(&mut tx, &authz, caller, entity, policy_arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Attaches several policies inside an operation's transaction, each once; more than may
/// ever be attached is refused before any work.
pub(crate) async fn attach_all_in(
    conn: &mut PgConnection,
    authz: &Authorizer,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arns: &[String],
) -> Result<(), ServiceError> {
    let mut unique: Vec<&String> = policy_arns.iter().collect();
    unique.sort();
    unique.dedup();
    if unique.len() as i64 > quotas::ATTACHED_POLICIES_PER_ENTITY {
        return Err(ServiceError::LimitExceeded(quotas::exceeded(
            &format!("PoliciesPer{}", entity.kind()),
            quotas::ATTACHED_POLICIES_PER_ENTITY,
        )));
    }
    for arn in unique {
        attach_in(conn, authz, caller, entity, arn).await?;
    }
    Ok(())
}

/// Detaches inside an operation's transaction (deleting a policy detaches it everywhere),
/// decided on the entity's real ARN, its path included.
pub(crate) async fn detach_in(
    conn: &mut PgConnection,
    authz: &Authorizer,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (arn, exists) = decide_on(conn, authz, account, entity, &entity.action("Detach")).await?;
    if !exists {
        return Err(entity.no_such());
    }
    modifiable(conn, account, entity).await?;
    let sql = format!(
        "DELETE FROM {} WHERE account_id = $1 AND {} = $2 AND policy_arn = $3",
        entity.attached_table(),
        entity.name_column()
    );
    let deleted = sqlx::query(&sql)
        .bind(account)
        .bind(entity.name())
        .bind(policy_arn)
        .execute(&mut *conn)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(ServiceError::NoSuchEntity(format!(
            "Policy {policy_arn} was not found."
        )));
    }
    audit_attachment(conn, caller, &entity.action("Detach"), &arn, policy_arn).await
}

/// The managed policies attached directly to an entity.
pub async fn attached_to(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
) -> Result<Vec<AttachedPolicy>, ServiceError> {
    let sql = format!(
        "SELECT policy_arn FROM {} WHERE account_id = $1 AND {} = $2 ORDER BY attached_at, policy_arn",
        entity.attached_table(),
        entity.name_column()
    );
    let arns: Vec<String> = sqlx::query_scalar(&sql)
        .bind(account)
        .bind(entity.name())
        .fetch_all(conn)
        .await?;
    Ok(arns
        .into_iter()
        .map(|arn| {
            let (name, kind) = describe(&arn);
            AttachedPolicy {
                policy_name: name,
                policy_arn: arn,
                policy_type: kind.label().into(),
                attached_via: "Directly".into(),
            }
        })
        .collect())
}

/// The policies a user has through its groups, attached and inline, group by group, in one
/// query (not one per group): (group name, policy).
pub async fn through_groups(
    conn: &mut PgConnection,
    account: &str,
    user: &str,
) -> Result<Vec<(String, AttachedPolicy)>, ServiceError> {
    let rows: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT group_name, name, inline FROM (
             SELECT m.group_name, p.policy_arn AS name, false AS inline, p.attached_at AS at
               FROM group_members m JOIN group_policies p USING (account_id, group_name)
              WHERE m.account_id = $1 AND m.user_name = $2
             UNION ALL
             SELECT m.group_name, i.policy_name, true, NULL
               FROM group_members m JOIN group_inline_policies i USING (account_id, group_name)
              WHERE m.account_id = $1 AND m.user_name = $2) t
          ORDER BY lower(group_name), inline, at, name",
    )
    .bind(account)
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(group, name, inline)| {
            let attached_via = format!("Group {group}");
            let policy = if inline {
                AttachedPolicy {
                    policy_name: name,
                    policy_arn: String::new(),
                    policy_type: "Inline".into(),
                    attached_via,
                }
            } else {
                let (policy_name, kind) = describe(&name);
                AttachedPolicy {
                    policy_name,
                    policy_arn: name,
                    policy_type: kind.label().into(),
                    attached_via,
                }
            };
            (group, policy)
        })
        .collect())
}

pub async fn inline_of(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
) -> Result<Vec<InlinePolicy>, ServiceError> {
    let sql = format!(
        "SELECT policy_name, document FROM {} WHERE account_id = $1 AND {} = $2 ORDER BY policy_name",
        entity.inline_table(),
        entity.name_column()
    );
    let rows: Vec<(String, String)> = sqlx::query_as(&sql)
        .bind(account)
        .bind(entity.name())
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(policy_name, document)| InlinePolicy {
            policy_name,
            document,
        })
        .collect())
}

/// How the audit log names an inline policy.
pub fn inline_resource(owner_arn: &str, policy_name: &str) -> String {
    format!("{owner_arn} inline {policy_name}")
}

/// Validates a policy document as AWS does, with every problem's line and column.
pub fn validate_document(document: &str, kind: PolicyKind) -> Result<(), ServiceError> {
    let parsed = parse_policy(document, kind);
    let errors: Vec<_> = parsed.errors().cloned().collect();
    if errors.is_empty() && parsed.policy.is_some() {
        Ok(())
    } else {
        Err(ServiceError::MalformedPolicy(errors))
    }
}

/// Adds or replaces an inline policy (`iam:PutUserPolicy` / `iam:PutGroupPolicy`).
pub async fn put_inline(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_name: &str,
    document: &str,
) -> Result<(), ServiceError> {
    check_name(NameKind::Policy, policy_name).map_err(|e| ServiceError::Invalid(vec![e]))?;
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let action = entity.action("Put");
    let (arn, exists) = decide_on(&mut tx, &authz, account, entity, &action).await?;
    if !exists {
        return Err(entity.no_such());
    }
    modifiable(&mut tx, account, entity).await?;
    validate_document(document, PolicyKind::Identity)?;
    let sql = format!(
        "INSERT INTO {} (account_id, {}, policy_name, document) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, {}, policy_name) DO UPDATE SET document = EXCLUDED.document",
        entity.inline_table(),
        entity.name_column(),
        entity.name_column()
    );
    sqlx::query(&sql)
        .bind(account)
        .bind(entity.name())
        .bind(policy_name)
        .bind(document)
        .execute(&mut *tx)
        .await?;
    let total: usize = inline_of(&mut tx, account, entity)
        .await?
        .iter()
        .map(|p| iam_core::policy::parse::counted_size(&p.document))
        .sum();
    if total > entity.inline_limit() {
        return Err(ServiceError::LimitExceeded(format!(
            "Maximum policy size of {} bytes exceeded for {} {}.",
            entity.inline_limit(),
            entity.kind().to_lowercase(),
            entity.name()
        )));
    }
    audited(&mut tx, caller, &action, &inline_resource(&arn, policy_name)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an inline policy (`iam:DeleteUserPolicy` / `iam:DeleteGroupPolicy`).
pub async fn delete_inline(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_name: &str,
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    delete_inline_in(&mut tx, &authz, caller, entity, policy_name).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an inline policy inside an operation's transaction (deleting a role takes its
/// inline policies with it the same way).
pub(crate) async fn delete_inline_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    authz: &Authorizer,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_name: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let action = entity.action("Delete");
    let (arn, exists) = decide_on(tx, authz, account, entity, &action).await?;
    if exists {
        modifiable(tx, account, entity).await?;
    }
    let sql = format!(
        "DELETE FROM {} WHERE account_id = $1 AND {} = $2 AND policy_name = $3",
        entity.inline_table(),
        entity.name_column()
    );
    let deleted = sqlx::query(&sql)
        .bind(account)
        .bind(entity.name())
        .bind(policy_name)
        .execute(&mut **tx)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(ServiceError::NoSuchEntity(format!(
            "The {} policy with name {policy_name} cannot be found.",
            entity.kind().to_lowercase()
        )));
    }
    audited(tx, caller, &action, &inline_resource(&arn, policy_name)).await
}

/// A read of one entity under its own action name: the engine decides on the entity's ARN
/// first, so a refusal says nothing about whether it exists.
async fn read_entity<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    action: &str,
) -> Result<sqlx::Transaction<'p, sqlx::Postgres>, ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) = entity_arn(&mut tx, caller.account(), entity).await?;
    authz.check(action, &arn)?;
    if !exists {
        return Err(entity.no_such());
    }
    Ok(tx)
}

/// The managed policies attached directly (`iam:ListAttachedUserPolicies` /
/// `iam:ListAttachedGroupPolicies`).
pub async fn list_attached(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
) -> Result<Vec<AttachedPolicy>, ServiceError> {
    let action = format!("iam:ListAttached{}Policies", entity.kind());
    let mut tx = read_entity(pool, caller, entity, &action).await?;
    let list = attached_to(&mut tx, caller.account(), entity).await?;
    tx.commit().await?;
    Ok(list)
}

/// The names of the inline policies (`iam:ListUserPolicies` / `iam:ListGroupPolicies`).
pub async fn list_inline(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
) -> Result<Vec<String>, ServiceError> {
    let mut tx = read_entity(
        pool,
        caller,
        entity,
        &format!("iam:List{}Policies", entity.kind()),
    )
    .await?;
    let names = inline_of(&mut tx, caller.account(), entity)
        .await?
        .into_iter()
        .map(|p| p.policy_name)
        .collect();
    tx.commit().await?;
    Ok(names)
}

/// One inline policy (`iam:GetUserPolicy` / `iam:GetGroupPolicy`).
pub async fn get_inline(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_name: &str,
) -> Result<InlinePolicy, ServiceError> {
    let mut tx = read_entity(pool, caller, entity, &entity.action("Get")).await?;
    let sql = format!(
        "SELECT document FROM {} WHERE account_id = $1 AND {} = $2 AND policy_name = $3",
        entity.inline_table(),
        entity.name_column()
    );
    let document: Option<String> = sqlx::query_scalar(&sql)
        .bind(caller.account())
        .bind(entity.name())
        .bind(policy_name)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    let document = document.ok_or_else(|| {
        ServiceError::NoSuchEntity(format!(
            "The {} policy with name {policy_name} cannot be found.",
            entity.kind().to_lowercase()
        ))
    })?;
    Ok(InlinePolicy {
        policy_name: policy_name.to_owned(),
        document,
    })
}
