//! Changing a user: deletion, console password, tags, MFA devices.

use super::create::check_password;
use super::{arn_for, begin_on_user, user_summary};
use crate::ops::attachments::{self, Entity};
use crate::ops::{audited, begin};
use crate::{Caller, PasswordHasher, ServiceError};
use iam_core::model::Tag;
use sqlx::PgPool;

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
    crate::ops::trust_pins::repoint(&mut tx, &arn, &summary.user_id).await?;
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

/// Adds or replaces tags (`iam:TagUser`): the path users and roles share.
pub async fn tag_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    tags: &[Tag],
) -> Result<(), ServiceError> {
    crate::ops::tags::tag(pool, caller, &Entity::User(name.to_owned()), tags).await
}

/// Removes tags by key (`iam:UntagUser`).
pub async fn untag_user(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    keys: &[String],
) -> Result<(), ServiceError> {
    crate::ops::tags::untag(pool, caller, &Entity::User(name.to_owned()), keys).await
}

/// An administrator removes a user's MFA device: the console's "Remove" (AWS's
/// DeactivateMFADevice, then DeleteVirtualMFADevice); the user can then enrol again.
pub async fn deactivate_user_mfa(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    device: &str,
) -> Result<(), ServiceError> {
    let serial = crate::ops::virtual_mfa::serial_of(pool, caller.account(), device).await?;
    crate::ops::virtual_mfa::remove(pool, caller, Some(name), &serial).await
}
