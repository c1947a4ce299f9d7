//! Managed policies: AWS's (shipped in the binary, read-only) and the account's own, with up
//! to five versions each, one of them the default.

use crate::ops::attachments::{describe, detach_in, validate_document, Entity};
use crate::ops::parts::may;
use crate::ops::{audited, begin, is_unique_violation, unique_id};
use crate::{Caller, ServiceError};
use iam_core::model::{
    Page, PolicyDetail, PolicyEntity, PolicySummary, PolicyType, PolicyVersionEntry, PolicyVersionInfo,
};
use iam_core::names::{check_name, check_path, NameKind};
use iam_core::policy::managed::{self, MANAGED_POLICIES};
use iam_core::policy::PolicyKind;
use iam_core::quotas;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

fn no_such_policy(arn: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
}

fn version_id(n: i32) -> String {
    format!("v{n}")
}

fn parse_version(id: &str) -> Result<i32, ServiceError> {
    id.strip_prefix('v')
        .and_then(|n| n.parse::<i32>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            ServiceError::field(
                "version_id",
                format!("1 validation error detected: Value '{id}' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"),
            )
        })
}

type CustomerRow = (
    String,
    String,
    String,
    String,
    i32,
    OffsetDateTime,
    OffsetDateTime,
);

/// Attachment counts per policy ARN in the account.
async fn attachment_counts(
    conn: &mut PgConnection,
    account: &str,
) -> Result<std::collections::HashMap<String, i64>, ServiceError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT policy_arn, count(*) FROM (
             SELECT policy_arn FROM user_policies WHERE account_id = $1
             UNION ALL SELECT policy_arn FROM group_policies WHERE account_id = $1
             UNION ALL SELECT policy_arn FROM role_policies WHERE account_id = $1) a
          GROUP BY policy_arn",
    )
    .bind(account)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

fn customer_summary(row: CustomerRow, attachments: i64) -> PolicySummary {
    let (policy_name, path, arn, description, default_version, _, updated) = row;
    PolicySummary {
        policy_name,
        arn,
        path,
        policy_type: PolicyType::CustomerManaged,
        description,
        attachments,
        default_version: version_id(default_version),
        updated_at: Some(updated.unix_timestamp()),
    }
}

fn aws_summary(m: &managed::ManagedPolicy, attachments: i64) -> PolicySummary {
    let (_, policy_type) = describe(&m.arn());
    PolicySummary {
        policy_name: m.name.into(),
        arn: m.arn(),
        path: m.path.into(),
        policy_type,
        description: m.description.into(),
        attachments,
        default_version: "v1".into(),
        updated_at: None,
    }
}

/// Which policies a list shows: the console's type filter and search, AWS's Scope,
/// PathPrefix and OnlyAttached.
#[derive(Debug, Clone, Default)]
pub struct PolicyFilter {
    /// Only these types; empty for all.
    pub types: Vec<PolicyType>,
    /// Case-insensitive substring of the name.
    pub search: String,
    pub path_prefix: String,
    pub only_attached: bool,
}

impl PolicyFilter {
    fn matches(&self, p: &PolicySummary) -> bool {
        let needle = self.search.trim().to_lowercase();
        (self.types.is_empty() || self.types.contains(&p.policy_type))
            && (needle.is_empty() || p.policy_name.to_lowercase().contains(&needle))
            && p.path.starts_with(self.path_prefix.trim())
            && (!self.only_attached || p.attachments > 0)
    }
}

/// Every policy the account can attach, filtered by type and name, one page of them. There
/// are at most 1,500 customer policies, so they are filtered here rather than in SQL.
pub async fn list_policies(
    pool: &PgPool,
    caller: &Caller<'_>,
    filter: &PolicyFilter,
    offset: i64,
    limit: i64,
) -> Result<Page<PolicySummary>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:ListPolicies", &format!("arn:aws:iam::{account}:policy/*"))?;
    let counts = attachment_counts(&mut tx, &account).await?;
    let rows: Vec<CustomerRow> = sqlx::query_as(
        "SELECT policy_name, path, arn, description, default_version, created_at, updated_at
           FROM managed_policies WHERE account_id = $1 ORDER BY lower(policy_name)",
    )
    .bind(&account)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let count = |arn: &str| counts.get(arn).copied().unwrap_or(0);
    let mut all: Vec<PolicySummary> = rows
        .into_iter()
        .map(|r| {
            let n = count(&r.2);
            customer_summary(r, n)
        })
        .chain(MANAGED_POLICIES.iter().map(|m| aws_summary(m, count(&m.arn()))))
        .collect();
    all.retain(|p| filter.matches(p));
    all.sort_by_key(|p| p.policy_name.to_lowercase());
    let total = all.len() as i64;
    let offset = offset.clamp(0, total);
    let items = all
        .into_iter()
        .skip(offset as usize)
        .take(crate::ops::clamp_limit(limit) as usize)
        .collect();
    Ok(Page { items, total, offset })
}

async fn customer_row(
    conn: &mut PgConnection,
    account: &str,
    arn: &str,
) -> Result<Option<CustomerRow>, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT policy_name, path, arn, description, default_version, created_at, updated_at
           FROM managed_policies WHERE account_id = $1 AND arn = $2",
    )
    .bind(account)
    .bind(arn)
    .fetch_optional(conn)
    .await?)
}

async fn entities(
    conn: &mut PgConnection,
    account: &str,
    arn: &str,
) -> Result<Vec<PolicyEntity>, ServiceError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT 'User', user_name FROM user_policies WHERE account_id = $1 AND policy_arn = $2
         UNION ALL
         SELECT 'Group', group_name FROM group_policies WHERE account_id = $1 AND policy_arn = $2
         UNION ALL
         SELECT 'Role', role_name FROM role_policies WHERE account_id = $1 AND policy_arn = $2
         ORDER BY 1, 2",
    )
    .bind(account)
    .bind(arn)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, name)| PolicyEntity { kind, name })
        .collect())
}

/// The API's reads of one policy, each under its own action name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyRead {
    GetPolicy,
    GetPolicyVersion,
    ListPolicyVersions,
    ListEntitiesForPolicy,
}

impl PolicyRead {
    fn action(self) -> &'static str {
        match self {
            PolicyRead::GetPolicy => "iam:GetPolicy",
            PolicyRead::GetPolicyVersion => "iam:GetPolicyVersion",
            PolicyRead::ListPolicyVersions => "iam:ListPolicyVersions",
            PolicyRead::ListEntitiesForPolicy => "iam:ListEntitiesForPolicy",
        }
    }
}

/// A policy as the API's reads answer it: everything, once the read's own action is allowed;
/// each API action returns only its part.
#[derive(Debug, Clone)]
pub struct PolicyRecord {
    pub summary: PolicySummary,
    pub policy_id: Option<String>,
    /// Newest first.
    pub versions: Vec<PolicyVersionInfo>,
    pub entities: Vec<PolicyEntity>,
}

/// What the API's `read` of a policy answers, authorized as `read`.
pub async fn read_policy(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    read: PolicyRead,
) -> Result<PolicyRecord, ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check(read.action(), arn)?;
    let record = load_policy(&mut tx, caller.account(), arn).await?;
    tx.commit().await?;
    Ok(record)
}

/// A policy's page: the summary (`iam:GetPolicy`), and each further part under the action
/// the API reads it with; in place of a part the caller may not read, the refusal. (Every
/// part is read in one go; a refused one never leaves this function.)
pub async fn get_policy(pool: &PgPool, caller: &Caller<'_>, arn: &str) -> Result<PolicyDetail, ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:GetPolicy", arn)?;
    let record = load_policy(&mut tx, caller.account(), arn).await?;
    tx.commit().await?;
    let documents = may(&authz, "iam:GetPolicyVersion", arn)?;
    let default = record
        .versions
        .iter()
        .find(|v| v.is_default)
        .map(|v| v.document.clone())
        .unwrap_or_default();
    let versions = record
        .versions
        .into_iter()
        .map(|v| PolicyVersionEntry {
            version_id: v.version_id,
            is_default: v.is_default,
            created_at: v.created_at,
            document: documents.clone().map(|()| v.document),
        })
        .collect();
    Ok(PolicyDetail {
        summary: record.summary,
        policy_id: record.policy_id,
        document: documents.map(|()| default),
        versions: may(&authz, "iam:ListPolicyVersions", arn)?.map(|()| versions),
        entities: may(&authz, "iam:ListEntitiesForPolicy", arn)?.map(|()| record.entities),
    })
}

/// A policy with its versions and the entities it is attached to, or NoSuchEntity.
async fn load_policy(
    conn: &mut PgConnection,
    account: &str,
    arn: &str,
) -> Result<PolicyRecord, ServiceError> {
    let entities = entities(conn, account, arn).await?;
    let attachments = entities.len() as i64;
    if let Some(m) = managed::find(arn).filter(|m| m.arn() == arn) {
        return Ok(PolicyRecord {
            summary: aws_summary(m, attachments),
            policy_id: None,
            versions: vec![PolicyVersionInfo {
                version_id: "v1".into(),
                is_default: true,
                created_at: None,
                document: m.document.into(),
            }],
            entities,
        });
    }
    let row = customer_row(conn, account, arn)
        .await?
        .ok_or_else(|| no_such_policy(arn))?;
    let policy_id: String =
        sqlx::query_scalar("SELECT policy_id FROM managed_policies WHERE account_id = $1 AND arn = $2")
            .bind(account)
            .bind(arn)
            .fetch_one(&mut *conn)
            .await?;
    let default = row.4;
    let versions: Vec<(i32, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT version, document, created_at FROM policy_versions
          WHERE account_id = $1 AND policy_name = $2 ORDER BY version DESC",
    )
    .bind(account)
    .bind(&row.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(PolicyRecord {
        summary: customer_summary(row, attachments),
        policy_id: Some(policy_id),
        versions: versions
            .into_iter()
            .map(|(n, document, created)| PolicyVersionInfo {
                version_id: version_id(n),
                is_default: n == default,
                created_at: Some(created.unix_timestamp()),
                document,
            })
            .collect(),
        entities,
    })
}

/// Creates a customer-managed policy with its first version (v1, the default).
pub async fn create_policy(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    path: &str,
    description: &str,
    document: &str,
) -> Result<PolicySummary, ServiceError> {
    let mut errors: Vec<_> = [check_name(NameKind::Policy, name).err(), check_path(path).err()]
        .into_iter()
        .flatten()
        .collect();
    if description.chars().count() > 1000 {
        errors.push(iam_core::field::FieldError::new(
            "description",
            "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account().to_owned();
    let arn = iam_core::arn::policy_arn(&account, path, name);
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:CreatePolicy", &arn)?;
    validate_document(document, PolicyKind::Identity)?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "managed_policies",
        "PoliciesPerAccount",
        quotas::CUSTOMER_POLICIES_PER_ACCOUNT,
    )
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO managed_policies
            (account_id, policy_name, policy_id, path, arn, description, default_version, next_version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, 2, $7, $7)",
    )
    .bind(&account)
    .bind(name)
    .bind(unique_id("ANPA"))
    .bind(path)
    .bind(&arn)
    .bind(description)
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(ServiceError::AlreadyExists(format!(
                "A policy called {name} already exists. Duplicate names are not allowed."
            )))
        }
        other => other?,
    };
    sqlx::query("INSERT INTO policy_versions (account_id, policy_name, version, document, created_at) VALUES ($1, $2, 1, $3, $4)")
        .bind(&account)
        .bind(name)
        .bind(document)
        .bind(caller.now)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:CreatePolicy", &arn).await?;
    let row = customer_row(&mut tx, &account, &arn)
        .await?
        .ok_or_else(|| no_such_policy(&arn))?;
    tx.commit().await?;
    Ok(customer_summary(row, 0))
}

/// The customer policy an ARN names, for changes; AWS's own cannot be changed.
async fn own_policy(
    conn: &mut PgConnection,
    caller: &Caller<'_>,
    arn: &str,
    action: &str,
) -> Result<CustomerRow, ServiceError> {
    if arn.starts_with("arn:aws:iam::aws:") {
        return Err(ServiceError::AccessDenied(format!(
            "User: {} is not authorized to perform: {action} on resource: policy {arn}: AWS managed policies cannot be changed",
            caller.identity.arn()
        )));
    }
    let row = customer_row(conn, caller.account(), arn)
        .await?
        .ok_or_else(|| no_such_policy(arn))?;
    // Changes to one policy's versions take turns (the five-version quota, the default).
    sqlx::query("SELECT 1 FROM managed_policies WHERE account_id = $1 AND policy_name = $2 FOR UPDATE")
        .bind(caller.account())
        .bind(&row.0)
        .execute(&mut *conn)
        .await?;
    Ok(row)
}

/// Adds a version; with `set_default` it becomes the one in force.
pub async fn create_version(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    document: &str,
    set_default: bool,
) -> Result<String, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:CreatePolicyVersion", arn)?;
    let row = own_policy(&mut tx, caller, arn, "iam:CreatePolicyVersion").await?;
    validate_document(document, PolicyKind::Identity)?;
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM policy_versions WHERE account_id = $1 AND policy_name = $2")
            .bind(&account)
            .bind(&row.0)
            .fetch_one(&mut *tx)
            .await?;
    if versions >= quotas::VERSIONS_PER_POLICY {
        return Err(ServiceError::LimitExceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.".into(),
        ));
    }
    // The row lock serializes concurrent version creations.
    let number: i32 = sqlx::query_scalar(
        "UPDATE managed_policies SET next_version = next_version + 1, updated_at = $3,
                default_version = CASE WHEN $4 THEN next_version ELSE default_version END
          WHERE account_id = $1 AND policy_name = $2 RETURNING next_version - 1",
    )
    .bind(&account)
    .bind(&row.0)
    .bind(caller.now)
    .bind(set_default)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO policy_versions (account_id, policy_name, version, document, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&account)
        .bind(&row.0)
        .bind(number)
        .bind(document)
        .bind(caller.now)
        .execute(&mut *tx)
        .await?;
    audited(
        &mut tx,
        caller,
        "iam:CreatePolicyVersion",
        &format!("{arn} {}", version_id(number)),
    )
    .await?;
    tx.commit().await?;
    Ok(version_id(number))
}

async fn version_exists(
    conn: &mut PgConnection,
    account: &str,
    policy: &str,
    n: i32,
) -> Result<bool, ServiceError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM policy_versions WHERE account_id = $1 AND policy_name = $2 AND version = $3)",
    )
    .bind(account)
    .bind(policy)
    .bind(n)
    .fetch_one(conn)
    .await?)
}

fn no_such_version(arn: &str, id: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!(
        "Policy {arn} version {id} does not exist or is not attachable."
    ))
}

pub async fn set_default_version(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    version: &str,
) -> Result<(), ServiceError> {
    let n = parse_version(version)?;
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:SetDefaultPolicyVersion", arn)?;
    let row = own_policy(&mut tx, caller, arn, "iam:SetDefaultPolicyVersion").await?;
    if !version_exists(&mut tx, &account, &row.0, n).await? {
        return Err(no_such_version(arn, version));
    }
    sqlx::query("UPDATE managed_policies SET default_version = $3, updated_at = $4 WHERE account_id = $1 AND policy_name = $2")
        .bind(&account)
        .bind(&row.0)
        .bind(n)
        .bind(caller.now)
        .execute(&mut *tx)
        .await?;
    audited(
        &mut tx,
        caller,
        "iam:SetDefaultPolicyVersion",
        &format!("{arn} {version}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_version(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    version: &str,
) -> Result<(), ServiceError> {
    let n = parse_version(version)?;
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:DeletePolicyVersion", arn)?;
    let row = own_policy(&mut tx, caller, arn, "iam:DeletePolicyVersion").await?;
    if row.4 == n {
        return Err(ServiceError::DeleteConflict(
            "Cannot delete the default version of a policy.".into(),
        ));
    }
    if !version_exists(&mut tx, &account, &row.0, n).await? {
        return Err(no_such_version(arn, version));
    }
    sqlx::query("DELETE FROM policy_versions WHERE account_id = $1 AND policy_name = $2 AND version = $3")
        .bind(&account)
        .bind(&row.0)
        .bind(n)
        .execute(&mut *tx)
        .await?;
    audited(
        &mut tx,
        caller,
        "iam:DeletePolicyVersion",
        &format!("{arn} {version}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a customer policy. The console (`force`) detaches it everywhere first, each
/// detachment authorized and recorded; the API refuses with DeleteConflict while attached.
pub async fn delete_policy(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    force: bool,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:DeletePolicy", arn)?;
    let row = own_policy(&mut tx, caller, arn, "iam:DeletePolicy").await?;
    let attached = entities(&mut tx, &account, arn).await?;
    // A permissions boundary is never removed behind its owner's back, even by the console.
    if crate::ops::boundaries::in_use(&mut tx, &account, arn).await? {
        return Err(ServiceError::DeleteConflict(
            "Cannot delete a policy attached to entities.".into(),
        ));
    }
    crate::ops::delete_conflict(
        force,
        &[(
            !attached.is_empty(),
            "Cannot delete a policy attached to entities.",
        )],
    )?;
    for attached_to in &attached {
        let entity = match attached_to.kind.as_str() {
            "User" => Entity::User(attached_to.name.clone()),
            "Role" => Entity::Role(attached_to.name.clone()),
            _ => Entity::Group(attached_to.name.clone()),
        };
        // The same detachment as DetachUserPolicy's: decided on the entity's real ARN.
        detach_in(&mut tx, &authz, caller, &entity, arn).await?;
    }
    sqlx::query("DELETE FROM managed_policies WHERE account_id = $1 AND policy_name = $2")
        .bind(&account)
        .bind(&row.0)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:DeletePolicy", arn).await?;
    tx.commit().await?;
    Ok(())
}
