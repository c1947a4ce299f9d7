//! Reading one user: the API's reads, each under its own action, and the user's page, whose
//! every part is authorized under the action the API reads it with.

use super::{begin_on_user, find_summary, no_such_user, user_summary};
use crate::authz::Authorizer;
use crate::ops::attachments::{self, Entity};
use crate::ops::groups::groups_of_user;
use crate::ops::parts::{inline_policies, may, part};
use crate::ops::read;
use crate::{Caller, ServiceError};
use iam_core::model::{GroupPolicies, GroupSummary, MfaDeviceInfo, Tag, UserDetail, UserSummary};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

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

/// A user's tags (`iam:ListUserTags`).
pub async fn list_user_tags(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<Vec<Tag>, ServiceError> {
    crate::ops::tags::list(pool, caller, &Entity::User(name.to_owned())).await
}

/// The groups a user is in (`iam:ListGroupsForUser`).
pub async fn list_groups_for_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
) -> Result<Vec<GroupSummary>, ServiceError> {
    let (mut tx, _, _) = begin_on_user(pool, caller, name, "iam:ListGroupsForUser").await?;
    user_summary(&mut tx, caller.account(), name).await?;
    let groups = groups_of_user(&mut tx, caller.account(), name).await?;
    tx.commit().await?;
    Ok(groups)
}

/// Whether the user must set a new password at next sign-in; `false` without a password.
async fn reset_required(conn: &mut PgConnection, account: &str, user: &str) -> Result<bool, ServiceError> {
    let reset: Option<bool> = sqlx::query_scalar(
        "SELECT password_reset_required FROM login_profiles WHERE account_id = $1 AND user_name = $2",
    )
    .bind(account)
    .bind(user)
    .fetch_optional(conn)
    .await?;
    Ok(reset.unwrap_or(false))
}

/// The policies through each of `groups`: attached (`iam:ListAttachedGroupPolicies`) and
/// inline names (`iam:ListGroupPolicies`), each decided on the group's own ARN.
async fn group_policies(
    conn: &mut PgConnection,
    authz: &Authorizer,
    account: &str,
    user: &str,
    groups: &[GroupSummary],
) -> Result<Vec<GroupPolicies>, ServiceError> {
    let rows = attachments::through_groups(conn, account, user).await?;
    let of = |group: &str, inline: bool| -> Vec<_> {
        rows.iter()
            .filter(|(g, p)| g == group && (p.policy_type == "Inline") == inline)
            .map(|(_, p)| p.clone())
            .collect()
    };
    groups
        .iter()
        .map(|g| {
            Ok(GroupPolicies {
                group_name: g.group_name.clone(),
                attached: may(authz, "iam:ListAttachedGroupPolicies", &g.arn)?
                    .map(|()| of(&g.group_name, false)),
                inline: may(authz, "iam:ListGroupPolicies", &g.arn)?.map(|()| of(&g.group_name, true)),
            })
        })
        .collect()
}

/// The user's page: the summary (`iam:GetUser`), and each further part under the action the
/// API reads it with; in place of a part the caller may not read, the refusal.
pub async fn get_user(pool: &PgPool, caller: &Caller<'_>, name: &str) -> Result<UserDetail, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz, arn) = begin_on_user(pool, caller, name, "iam:GetUser").await?;
    let summary = user_summary(&mut tx, &account, name).await?;
    let entity = Entity::User(name.to_owned());
    let password_reset_required = part(
        &authz,
        "iam:GetLoginProfile",
        &arn,
        reset_required(&mut tx, &account, name),
    )
    .await?;
    let groups = part(
        &authz,
        "iam:ListGroupsForUser",
        &arn,
        groups_of_user(&mut tx, &account, name),
    )
    .await?;
    let group_policies = match &groups {
        Ok(groups) => Ok(group_policies(&mut tx, &authz, &account, name, groups).await?),
        Err(denied) => Err(denied.clone()),
    };
    let policies = part(
        &authz,
        "iam:ListAttachedUserPolicies",
        &arn,
        attachments::attached_to(&mut tx, &account, &entity),
    )
    .await?;
    let inline_policies = inline_policies(&mut tx, &authz, &account, &entity, &arn).await?;
    let tags = part(
        &authz,
        "iam:ListUserTags",
        &arn,
        crate::ops::tags::of(&mut tx, &account, &Entity::User(name.to_owned())),
    )
    .await?;
    let mfa_devices = part(
        &authz,
        "iam:ListMFADevices",
        &arn,
        mfa_devices_of(&mut tx, &account, &arn),
    )
    .await?;
    tx.commit().await?;
    Ok(UserDetail {
        summary,
        password_reset_required,
        groups,
        policies,
        group_policies,
        inline_policies,
        tags,
        mfa_devices,
    })
}
