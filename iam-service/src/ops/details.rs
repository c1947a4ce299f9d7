//! GetAccountAuthorizationDetails: every user and group with their memberships, attached and
//! inline policies, and every customer-managed policy with its versions, in a few bulk queries.

use crate::ops::attachments::describe;
use crate::ops::begin;
use crate::{Caller, ServiceError};
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct UserDetails {
    pub user_name: String,
    pub user_id: String,
    pub path: String,
    pub arn: String,
    pub created_at: i64,
    pub groups: Vec<String>,
    /// (name, ARN) of attached managed policies.
    pub attached: Vec<(String, String)>,
    /// (name, document) of inline policies.
    pub inline: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupDetails {
    pub group_name: String,
    pub group_id: String,
    pub path: String,
    pub arn: String,
    pub created_at: i64,
    pub attached: Vec<(String, String)>,
    pub inline: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct PolicyDetails {
    pub policy_name: String,
    pub policy_id: String,
    pub arn: String,
    pub path: String,
    pub default_version: String,
    pub attachments: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// (version ID, document, is default, created).
    pub versions: Vec<(String, String, bool, i64)>,
}

/// A role with its policies, tags and instance profiles (RoleDetailList).
#[derive(Debug, Clone)]
pub struct RoleDetails {
    pub role: crate::ops::roles::Role,
    pub attached: Vec<(String, String)>,
    pub inline: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// (name, ID, path) of the instance profiles holding it.
    pub instance_profiles: Vec<(String, String, String, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct AuthorizationDetails {
    pub users: Vec<UserDetails>,
    pub groups: Vec<GroupDetails>,
    pub roles: Vec<RoleDetails>,
    pub policies: Vec<PolicyDetails>,
}

/// Every role of the account with what RoleDetailList shows of it.
async fn role_details(
    conn: &mut sqlx::PgConnection,
    account: &str,
) -> Result<Vec<RoleDetails>, ServiceError> {
    let all = crate::ops::roles::find_many(&mut *conn, account, None).await?;
    let attached_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT role_name, policy_arn FROM role_policies WHERE account_id = $1 ORDER BY attached_at",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    let role_attached = attached(attached_rows);
    let inline_rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT role_name, policy_name, document FROM role_inline_policies WHERE account_id = $1 ORDER BY policy_name",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    let mut role_inline = by_owner(inline_rows);
    let tag_rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT role_name, key, value FROM role_tags WHERE account_id = $1 ORDER BY key")
            .bind(account)
            .fetch_all(&mut *conn)
            .await?;
    let mut tags = by_owner(tag_rows);
    let profiles: Vec<(String, String, String, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT role_name, profile_name, profile_id, path, created_at FROM instance_profiles
          WHERE account_id = $1 AND role_name IS NOT NULL",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    Ok(all
        .into_iter()
        .map(|role| RoleDetails {
            attached: role_attached.get(&role.role_name).cloned().unwrap_or_default(),
            inline: role_inline.remove(&role.role_name).unwrap_or_default(),
            tags: tags.remove(&role.role_name).unwrap_or_default(),
            instance_profiles: profiles
                .iter()
                .filter(|p| p.0 == role.role_name)
                .map(|p| (p.1.clone(), p.2.clone(), p.3.clone(), p.4.unix_timestamp()))
                .collect(),
            role,
        })
        .collect())
}

fn by_owner(rows: Vec<(String, String, String)>) -> BTreeMap<String, Vec<(String, String)>> {
    let mut map: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (owner, a, b) in rows {
        map.entry(owner).or_default().push((a, b));
    }
    map
}

fn attached(rows: Vec<(String, String)>) -> BTreeMap<String, Vec<(String, String)>> {
    by_owner(
        rows.into_iter()
            .map(|(owner, arn)| (owner, describe(&arn).0, arn))
            .collect(),
    )
}

type PolicyRow = (
    String,
    String,
    String,
    String,
    i32,
    OffsetDateTime,
    OffsetDateTime,
);

/// The whole account's authorization picture (`iam:GetAccountAuthorizationDetails`).
pub async fn authorization_details(
    pool: &sqlx::PgPool,
    caller: &Caller<'_>,
) -> Result<AuthorizationDetails, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:GetAccountAuthorizationDetails", "*")?;
    macro_rules! rows {
        ($sql:expr) => {
            sqlx::query_as($sql)
                .bind(&account)
                .fetch_all(&mut *tx)
                .await?
        };
    }
    let users: Vec<(String, String, String, OffsetDateTime)> = rows!(
        "SELECT user_name, user_id, path, created_at FROM iam_users WHERE account_id = $1 ORDER BY user_name"
    );
    let memberships: Vec<(String, String)> =
        rows!("SELECT user_name, group_name FROM group_members WHERE account_id = $1 ORDER BY group_name");
    let user_attached = attached(rows!(
        "SELECT user_name, policy_arn FROM user_policies WHERE account_id = $1 ORDER BY attached_at"
    ));
    let mut user_inline = by_owner(rows!(
        "SELECT user_name, policy_name, document FROM user_inline_policies WHERE account_id = $1 ORDER BY policy_name"
    ));
    let mut tags = by_owner(rows!(
        "SELECT user_name, key, value FROM user_tags WHERE account_id = $1 ORDER BY key"
    ));
    let groups: Vec<(String, String, String, OffsetDateTime)> =
        rows!("SELECT group_name, group_id, path, created_at FROM iam_groups WHERE account_id = $1 ORDER BY group_name");
    let group_attached = attached(rows!(
        "SELECT group_name, policy_arn FROM group_policies WHERE account_id = $1 ORDER BY attached_at"
    ));
    let mut group_inline = by_owner(rows!(
        "SELECT group_name, policy_name, document FROM group_inline_policies WHERE account_id = $1 ORDER BY policy_name"
    ));
    let policies: Vec<PolicyRow> = rows!(
        "SELECT p.policy_name, p.policy_id, p.arn, p.path, p.default_version, p.created_at, p.updated_at
           FROM managed_policies p WHERE p.account_id = $1 ORDER BY p.policy_name"
    );
    let versions: Vec<(String, i32, String, OffsetDateTime)> = rows!(
        "SELECT policy_name, version, document, created_at FROM policy_versions WHERE account_id = $1 ORDER BY version DESC"
    );
    let counts: Vec<(String, i64)> = rows!(
        "SELECT policy_arn, count(*) FROM (
             SELECT policy_arn FROM user_policies WHERE account_id = $1
             UNION ALL SELECT policy_arn FROM group_policies WHERE account_id = $1
             UNION ALL SELECT policy_arn FROM role_policies WHERE account_id = $1) a GROUP BY policy_arn"
    );
    let roles = role_details(&mut tx, &account).await?;
    tx.commit().await?;
    let counts: BTreeMap<String, i64> = counts.into_iter().collect();
    let mut groups_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (user, group) in memberships {
        groups_of.entry(user).or_default().push(group);
    }
    Ok(AuthorizationDetails {
        users: users
            .into_iter()
            .map(|(name, id, path, created)| UserDetails {
                arn: iam_core::arn::user_arn(&account, &path, &name),
                groups: groups_of.remove(&name).unwrap_or_default(),
                attached: user_attached.get(&name).cloned().unwrap_or_default(),
                inline: user_inline.remove(&name).unwrap_or_default(),
                tags: tags.remove(&name).unwrap_or_default(),
                user_id: id,
                path,
                created_at: created.unix_timestamp(),
                user_name: name,
            })
            .collect(),
        groups: groups
            .into_iter()
            .map(|(name, id, path, created)| GroupDetails {
                arn: iam_core::arn::group_arn(&account, &path, &name),
                attached: group_attached.get(&name).cloned().unwrap_or_default(),
                inline: group_inline.remove(&name).unwrap_or_default(),
                group_id: id,
                path,
                created_at: created.unix_timestamp(),
                group_name: name,
            })
            .collect(),
        roles,
        policies: policies
            .into_iter()
            .map(|(name, id, arn, path, default, created, updated)| PolicyDetails {
                versions: versions
                    .iter()
                    .filter(|v| v.0 == name)
                    .map(|v| {
                        (
                            format!("v{}", v.1),
                            v.2.clone(),
                            v.1 == default,
                            v.3.unix_timestamp(),
                        )
                    })
                    .collect(),
                attachments: counts.get(&arn).copied().unwrap_or(0),
                policy_name: name,
                policy_id: id,
                arn,
                path,
                default_version: format!("v{default}"),
                created_at: created.unix_timestamp(),
                updated_at: updated.unix_timestamp(),
            })
            .collect(),
    })
}
