//! User groups: list, create (with policies), detail, members, delete.

use crate::authz::Authorizer;
use crate::ops::attachments::{self, Entity};
use crate::ops::parts::{inline_policies, part};
use crate::ops::{audited, begin, clamp_limit, like_pattern, path_pattern, unique_id};
use crate::{Caller, ServiceError};
use iam_core::model::{GroupDetail, GroupSummary, Page, PageRequest, SortBy};
use iam_core::names::{check_name, check_path, NameKind};
use iam_core::quotas;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

fn no_such_group(name: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("The group with name {name} cannot be found."))
}

type GroupRow = (String, String, String, OffsetDateTime, i64, i64);

const GROUP_COLUMNS: &str = "g.group_name, g.group_id, g.path, g.created_at,
    (SELECT count(*) FROM group_members m WHERE m.account_id = g.account_id AND m.group_name = g.group_name),
    (SELECT count(*) FROM group_policies p WHERE p.account_id = g.account_id AND p.group_name = g.group_name)";

fn summary(account: &str, row: GroupRow) -> GroupSummary {
    let (group_name, group_id, path, created, users, policies) = row;
    GroupSummary {
        arn: iam_core::arn::group_arn(account, &path, &group_name),
        group_name,
        group_id,
        path,
        created_at: created.unix_timestamp(),
        users,
        policies,
    }
}

/// The groups a user belongs to.
pub async fn groups_of_user(
    conn: &mut PgConnection,
    account: &str,
    user: &str,
) -> Result<Vec<GroupSummary>, ServiceError> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM group_members gm JOIN iam_groups g USING (account_id, group_name)
          WHERE gm.account_id = $1 AND gm.user_name = $2 ORDER BY lower(g.group_name)"
    );
    let rows: Vec<GroupRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(user)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| summary(account, r)).collect())
}

pub async fn list_groups(
    pool: &PgPool,
    caller: &Caller<'_>,
    page: &PageRequest,
) -> Result<Page<GroupSummary>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:ListGroups", &format!("arn:aws:iam::{account}:group/*"))?;
    let search = page.search.trim();
    let pattern = like_pattern(search);
    let paths = path_pattern(&page.path_prefix);
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM iam_groups g WHERE g.account_id = $1 AND ($2 = '' OR g.group_name ILIKE $3)
            AND ($4::text IS NULL OR g.path LIKE $4)",
    )
    .bind(&account)
    .bind(search)
    .bind(&pattern)
    .bind(&paths)
    .fetch_one(&mut *tx)
    .await?;
    let direction = if page.descending { "DESC" } else { "ASC" };
    let order = match page.sort {
        SortBy::Name => format!("lower(g.group_name) {direction}"),
        SortBy::Created => format!("g.created_at {direction}, g.group_name {direction}"),
    };
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM iam_groups g
          WHERE g.account_id = $1 AND ($2 = '' OR g.group_name ILIKE $3)
            AND ($4::text IS NULL OR g.path LIKE $4)
          ORDER BY {order} LIMIT $5 OFFSET $6"
    );
    let rows: Vec<GroupRow> = sqlx::query_as(&sql)
        .bind(&account)
        .bind(search)
        .bind(&pattern)
        .bind(&paths)
        .bind(clamp_limit(page.limit))
        .bind(page.offset.max(0))
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Page {
        items: rows.into_iter().map(|r| summary(&account, r)).collect(),
        total,
        offset: page.offset.max(0),
    })
}

/// The group's ARN with its real path when it exists, and whether it does.
async fn group_arn(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<(String, bool), ServiceError> {
    attachments::entity_arn(conn, account, &Entity::Group(name.to_owned())).await
}

/// Creates a group and attaches the chosen policies, in one transaction.
pub async fn create_group(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    path: &str,
    policy_arns: &[String],
) -> Result<GroupSummary, ServiceError> {
    let errors: Vec<_> = [check_name(NameKind::Group, name).err(), check_path(path).err()]
        .into_iter()
        .flatten()
        .collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account().to_owned();
    let arn = iam_core::arn::group_arn(&account, path, name);
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:CreateGroup", &arn)?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "iam_groups",
        "GroupsPerAccount",
        quotas::GROUPS_PER_ACCOUNT,
    )
    .await?;
    let result = sqlx::query(
        "INSERT INTO iam_groups (account_id, group_name, group_id, path, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&account)
    .bind(name)
    .bind(unique_id("AGPA"))
    .bind(path)
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    crate::ops::inserted(result, || format!("Group with name {name} already exists."))?;
    audited(&mut tx, caller, "iam:CreateGroup", &arn).await?;
    let entity = Entity::Group(name.to_owned());
    for policy in policy_arns {
        attachments::attach_in(&mut tx, &authz, caller, &entity, policy).await?;
    }
    let sql =
        format!("SELECT {GROUP_COLUMNS} FROM iam_groups g WHERE g.account_id = $1 AND g.group_name = $2");
    let row: GroupRow = sqlx::query_as(&sql)
        .bind(&account)
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(summary(&account, row))
}

/// A group's page: the group and its users (`iam:GetGroup`), its attached and inline policies.
pub async fn get_group(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<GroupDetail, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, _) = group_arn(&mut tx, &account, name).await?;
    authz.check("iam:GetGroup", &arn)?;
    let sql =
        format!("SELECT {GROUP_COLUMNS} FROM iam_groups g WHERE g.account_id = $1 AND g.group_name = $2");
    let row: Option<GroupRow> = sqlx::query_as(&sql)
        .bind(&account)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    let summary = summary(&account, row.ok_or_else(|| no_such_group(name))?);
    let users: Vec<String> = sqlx::query_scalar(
        "SELECT user_name FROM group_members WHERE account_id = $1 AND group_name = $2 ORDER BY lower(user_name)",
    )
    .bind(&account)
    .bind(name)
    .fetch_all(&mut *tx)
    .await?;
    // Beyond what GetGroup answers, each part under the action the API reads it with.
    let entity = Entity::Group(name.to_owned());
    let policies = part(
        &authz,
        "iam:ListAttachedGroupPolicies",
        &arn,
        attachments::attached_to(&mut tx, &account, &entity),
    )
    .await?;
    let inline_policies = inline_policies(&mut tx, &authz, &account, &entity, &arn).await?;
    tx.commit().await?;
    Ok(GroupDetail {
        summary,
        users,
        policies,
        inline_policies,
    })
}

/// Adds a user to a group inside an operation's transaction (`iam:AddUserToGroup`).
pub(crate) async fn add_member_in(
    conn: &mut PgConnection,
    authz: &Authorizer,
    caller: &Caller<'_>,
    group: &str,
    user: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (arn, exists) = group_arn(conn, account, group).await?;
    authz.check("iam:AddUserToGroup", &arn)?;
    if !exists {
        return Err(no_such_group(group));
    }
    // Locking the user serializes concurrent additions against the groups-per-user quota.
    let user_exists = sqlx::query_scalar::<_, i32>(
        "SELECT 1 FROM iam_users WHERE account_id = $1 AND user_name = $2 FOR UPDATE",
    )
    .bind(account)
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?
    .is_some();
    if !user_exists {
        return Err(crate::ops::users::no_such_user(user));
    }
    sqlx::query(
        "INSERT INTO group_members (account_id, group_name, user_name, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(account)
    .bind(group)
    .bind(user)
    .bind(caller.now)
    .execute(&mut *conn)
    .await?;
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM group_members WHERE account_id = $1 AND user_name = $2")
            .bind(account)
            .bind(user)
            .fetch_one(&mut *conn)
            .await?;
    if count > quotas::GROUPS_PER_USER {
        return Err(ServiceError::LimitExceeded(quotas::exceeded(
            "GroupsPerUser",
            quotas::GROUPS_PER_USER,
        )));
    }
    let resource = format!("{arn} {}", iam_core::arn::user_arn(account, "/", user));
    crate::audit::success_by(
        conn,
        caller.identity,
        "iam:AddUserToGroup",
        &resource,
        caller.now,
        caller.meta,
    )
    .await?;
    Ok(())
}

pub async fn add_user_to_group(
    pool: &PgPool,
    caller: &Caller<'_>,
    group: &str,
    user: &str,
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    add_member_in(&mut tx, &authz, caller, group, user).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_user_from_group(
    pool: &PgPool,
    caller: &Caller<'_>,
    group: &str,
    user: &str,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) = group_arn(&mut tx, &account, group).await?;
    authz.check("iam:RemoveUserFromGroup", &arn)?;
    if !exists {
        return Err(no_such_group(group));
    }
    let removed =
        sqlx::query("DELETE FROM group_members WHERE account_id = $1 AND group_name = $2 AND user_name = $3")
            .bind(&account)
            .bind(group)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    if removed.rows_affected() == 0 {
        return Err(crate::ops::users::no_such_user(user));
    }
    let resource = format!("{arn} {}", iam_core::arn::user_arn(&account, "/", user));
    audited(&mut tx, caller, "iam:RemoveUserFromGroup", &resource).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a group. The console (`force`) first removes members, attached and inline
/// policies, each authorized and recorded; the API refuses with DeleteConflict.
pub async fn delete_group(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    force: bool,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) = group_arn(&mut tx, &account, name).await?;
    authz.check("iam:DeleteGroup", &arn)?;
    if !exists {
        return Err(no_such_group(name));
    }
    let entity = Entity::Group(name.to_owned());
    let members: Vec<String> =
        sqlx::query_scalar("SELECT user_name FROM group_members WHERE account_id = $1 AND group_name = $2")
            .bind(&account)
            .bind(name)
            .fetch_all(&mut *tx)
            .await?;
    let attached = attachments::attached_to(&mut tx, &account, &entity).await?;
    let inline = attachments::inline_of(&mut tx, &account, &entity).await?;
    crate::ops::delete_conflict(
        force,
        &[
            (
                !members.is_empty(),
                "Cannot delete entity, must remove users from group first.",
            ),
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
    for user in &members {
        authz.check("iam:RemoveUserFromGroup", &arn)?;
        let resource = format!("{arn} {}", iam_core::arn::user_arn(&account, "/", user));
        audited(&mut tx, caller, "iam:RemoveUserFromGroup", &resource).await?;
    }
    for policy in &attached {
        authz.check("iam:DetachGroupPolicy", &arn)?;
        audited(
            &mut tx,
            caller,
            "iam:DetachGroupPolicy",
            &format!("{arn} {}", policy.policy_arn),
        )
        .await?;
    }
    for policy in &inline {
        authz.check("iam:DeleteGroupPolicy", &arn)?;
        audited(
            &mut tx,
            caller,
            "iam:DeleteGroupPolicy",
            &attachments::inline_resource(&arn, &policy.policy_name),
        )
        .await?;
    }
    sqlx::query("DELETE FROM iam_groups WHERE account_id = $1 AND group_name = $2")
        .bind(&account)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:DeleteGroup", &arn).await?;
    tx.commit().await?;
    Ok(())
}
