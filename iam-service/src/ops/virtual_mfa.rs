//! Virtual MFA devices as the API manages them: created unassigned (the seed is returned once,
//! as text and as a QR code), assigned to a user with two consecutive codes, unassigned,
//! deleted. The console's self-service setup (ops::mfa) shares the table.

use crate::authz::Authorizer;
use crate::crypto::SecretBox;
use crate::ops::mfa::{bound, validate_name, MAX_DEVICES};
use crate::ops::users::{arn_for, user_summary};
use crate::ops::{audited, begin, within_account_quota};
use crate::{Caller, ServiceError};
use iam_core::arn::{mfa_arn, mfa_name};
use iam_core::credentials::totp;
use iam_core::names::check_path;
use iam_core::quotas;
use rand::RngCore;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use time::OffsetDateTime;

/// What CreateVirtualMFADevice returns, once: nothing can show the seed again.
#[derive(Debug, Clone)]
pub struct CreatedDevice {
    pub serial: String,
    pub seed_base32: String,
    pub qr_png: Vec<u8>,
}

/// Which devices ListVirtualMFADevices shows (AWS's AssignmentStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    Assigned,
    Unassigned,
    Any,
}

/// A device as ListVirtualMFADevices shows it.
#[derive(Debug, Clone)]
pub struct VirtualDevice {
    pub serial: String,
    /// The ARN of the user (or root user) it is assigned to.
    pub assigned_to: Option<String>,
    /// The IAM user it is assigned to, when it is one.
    pub user: Option<AssignedUser>,
    pub enabled_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct AssignedUser {
    pub user_name: String,
    pub user_id: String,
    pub path: String,
    pub created_at: OffsetDateTime,
}

const PNG_SCALE: usize = 4;

/// Creates an unassigned device (`iam:CreateVirtualMFADevice` on its serial number).
pub async fn create(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    name: &str,
    path: &str,
) -> Result<CreatedDevice, ServiceError> {
    let account = caller.account();
    let serial = mfa_arn(account, path, name);
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:CreateVirtualMFADevice", &serial)?;
    let name = validate_name(name)?;
    check_path(path).map_err(|e| ServiceError::Invalid(vec![e]))?;
    // AWS allows as many virtual devices as users, plus the root user's.
    within_account_quota(
        &mut tx,
        account,
        "mfa_devices",
        "VirtualMFADevicesPerAccount",
        quotas::USERS_PER_ACCOUNT + 1,
    )
    .await?;
    let mut seed = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let sealed = secrets.seal(&seed, &bound(account, &name))?;
    let inserted = sqlx::query(
        "INSERT INTO mfa_devices (account_id, name, path, principal_arn, seed_sealed, created_at)
         VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(account)
    .bind(&name)
    .bind(path)
    .bind(&sealed)
    .bind(caller.now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(ServiceError::AlreadyExists(
            "MFADevice entity at the same path and name already exists.".into(),
        ));
    }
    audited(&mut tx, caller, "iam:CreateVirtualMFADevice", &serial).await?;
    tx.commit().await?;
    let uri = totp::otpauth_uri(&seed, "IAM console", &format!("{name}@{account}"));
    let qr_png =
        crate::qr::png(&uri, PNG_SCALE).ok_or_else(|| ServiceError::Internal("QR code too large".into()))?;
    Ok(CreatedDevice {
        serial,
        seed_base32: totp::base32(&seed),
        qr_png,
    })
}

fn no_such_device(serial: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!(
        "VirtualMFADevice with serial number {serial} doesn't exist."
    ))
}

/// The device's row, locked: (name, owner, enabled, sealed seed).
async fn device_row(
    conn: &mut PgConnection,
    account: &str,
    serial: &str,
) -> Result<(String, Option<String>, bool, Vec<u8>), ServiceError> {
    let name = mfa_name(account, serial).ok_or_else(|| no_such_device(serial))?;
    let row: Option<(String, Option<String>, bool, Vec<u8>)> = sqlx::query_as(
        "SELECT path, principal_arn, enabled_at IS NOT NULL, seed_sealed FROM mfa_devices
          WHERE account_id = $1 AND name = $2 FOR UPDATE",
    )
    .bind(account)
    .bind(name)
    .fetch_optional(conn)
    .await?;
    match row {
        // The serial must name the device's path too, not just its name.
        Some((path, owner, enabled, sealed)) if mfa_arn(account, &path, name) == serial => {
            Ok((name.to_owned(), owner, enabled, sealed))
        }
        _ => Err(no_such_device(serial)),
    }
}

/// The engine's decision on the user first, then whether the user exists: a refusal
/// never tells.
async fn on_user<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    user: &str,
    action: &str,
) -> Result<(sqlx::Transaction<'p, sqlx::Postgres>, String), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = arn_for(&mut tx, caller.account(), user).await?;
    authz.check(action, &arn)?;
    user_summary(&mut tx, caller.account(), user).await?;
    Ok((tx, arn))
}

/// The TOTP step that two consecutive codes of the device end at.
fn proven_step(
    secrets: &SecretBox,
    caller: &Caller<'_>,
    name: &str,
    sealed: &[u8],
    code1: &str,
    code2: &str,
) -> Result<i64, ServiceError> {
    let seed = secrets.open(sealed, &bound(caller.account(), name))?;
    totp::verify_consecutive(&seed, code1, code2, caller.now.unix_timestamp())
        .map_err(|_| ServiceError::InvalidMfaCode)
}

/// Assigns a device to a user, proven with two consecutive codes (`iam:EnableMFADevice`).
pub async fn enable(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    user: &str,
    serial: &str,
    code1: &str,
    code2: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, user_arn) = on_user(pool, caller, user, "iam:EnableMFADevice").await?;
    let (name, owner, enabled, sealed) = device_row(&mut tx, account, serial).await?;
    // A setup begun in the console by the same user may be finished here; anyone else's
    // device, or an enabled one, is in use.
    if enabled || owner.as_ref().is_some_and(|o| *o != user_arn) {
        return Err(ServiceError::AlreadyExists(
            "MFA Device is already in use.".into(),
        ));
    }
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mfa_devices WHERE principal_arn = $1 AND enabled_at IS NOT NULL",
    )
    .bind(&user_arn)
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_DEVICES {
        return Err(ServiceError::LimitExceeded(quotas::exceeded(
            "MFADevicesPerUser",
            MAX_DEVICES,
        )));
    }
    let step = proven_step(secrets, caller, &name, &sealed, code1, code2)?;
    sqlx::query(
        "UPDATE mfa_devices SET principal_arn = $3, enabled_at = $4, last_used_step = $5
          WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(&name)
    .bind(&user_arn)
    .bind(caller.now)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, "iam:EnableMFADevice", serial).await?;
    tx.commit().await?;
    Ok(())
}

/// Brings a device's clock back in step with two consecutive codes (`iam:ResyncMFADevice`).
pub async fn resync(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    user: &str,
    serial: &str,
    code1: &str,
    code2: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, user_arn) = on_user(pool, caller, user, "iam:ResyncMFADevice").await?;
    let (name, owner, enabled, sealed) = device_row(&mut tx, account, serial).await?;
    if !enabled || owner.as_deref() != Some(user_arn.as_str()) {
        return Err(no_such_device(serial));
    }
    let step = proven_step(secrets, caller, &name, &sealed, code1, code2)?;
    // The step only moves forward: codes already used stay used.
    sqlx::query(
        "UPDATE mfa_devices SET last_used_step = GREATEST(coalesce(last_used_step, 0), $3)
          WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(&name)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, "iam:ResyncMFADevice", serial).await?;
    tx.commit().await?;
    Ok(())
}

const DEACTIVATE: &str = "iam:DeactivateMFADevice";
const DELETE: &str = "iam:DeleteVirtualMFADevice";

/// The owner a DeactivateMFADevice names, with the action decided on it: a named user (whose
/// existence is told only after the decision), or with no user the caller itself (the root
/// user included).
async fn owner_of(
    tx: &mut Transaction<'_, Postgres>,
    authz: &Authorizer,
    caller: &Caller<'_>,
    user: Option<&str>,
) -> Result<String, ServiceError> {
    let Some(user) = user else {
        let own = caller.identity.principal_arn();
        authz.check(DEACTIVATE, &own)?;
        return Ok(own);
    };
    let arn = arn_for(tx, caller.account(), user).await?;
    authz.check(DEACTIVATE, &arn)?;
    user_summary(tx, caller.account(), user).await?;
    Ok(arn)
}

/// Unassigns `owner`'s device (already authorized); recovery codes go with its last one.
async fn unassign(
    tx: &mut Transaction<'_, Postgres>,
    caller: &Caller<'_>,
    user: Option<&str>,
    owner: &str,
    serial: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (name, assigned_to, enabled, _) = device_row(tx, account, serial).await?;
    if !enabled || assigned_to.as_deref() != Some(owner) {
        let whose = user.map_or_else(|| caller.identity.arn(), |u| format!("user {u}"));
        return Err(ServiceError::NoSuchEntity(format!(
            "MFA device {serial} of {whose} cannot be found."
        )));
    }
    sqlx::query(
        "UPDATE mfa_devices SET principal_arn = NULL, enabled_at = NULL WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(&name)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM recovery_codes WHERE principal_arn = $1
           AND NOT EXISTS (SELECT 1 FROM mfa_devices WHERE principal_arn = $1 AND enabled_at IS NOT NULL)",
    )
    .bind(owner)
    .execute(&mut **tx)
    .await?;
    audited(tx, caller, DEACTIVATE, serial).await
}

/// Deletes an unassigned device (already authorized).
async fn erase(
    tx: &mut Transaction<'_, Postgres>,
    caller: &Caller<'_>,
    serial: &str,
) -> Result<(), ServiceError> {
    let account = caller.account();
    let (name, _, enabled, _) = device_row(tx, account, serial).await?;
    if enabled {
        return Err(ServiceError::DeleteConflict("MFA Device is still in use".into()));
    }
    sqlx::query("DELETE FROM mfa_devices WHERE account_id = $1 AND name = $2")
        .bind(account)
        .bind(&name)
        .execute(&mut **tx)
        .await?;
    audited(tx, caller, DELETE, serial).await
}

/// Unassigns a device, which stays for DeleteVirtualMFADevice (`iam:DeactivateMFADevice` on
/// its owner: a named user, or with no user the caller itself). The one implementation of
/// the action; the console's "Remove" is this and DeleteVirtualMFADevice (`remove`).
pub async fn deactivate(
    pool: &PgPool,
    caller: &Caller<'_>,
    user: Option<&str>,
    serial: &str,
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let owner = owner_of(&mut tx, &authz, caller, user).await?;
    unassign(&mut tx, caller, user, &owner, serial).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a device no one uses (`iam:DeleteVirtualMFADevice` on its serial number).
pub async fn delete(pool: &PgPool, caller: &Caller<'_>, serial: &str) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check(DELETE, serial)?;
    erase(&mut tx, caller, serial).await?;
    tx.commit().await?;
    Ok(())
}

/// The serial number of the account's device called `name` (its path as stored; `/` when
/// there is no such device, so that the refusal or the not-found comes from the action).
pub async fn serial_of(pool: &PgPool, account: &str, name: &str) -> Result<String, ServiceError> {
    let path: Option<String> =
        sqlx::query_scalar("SELECT path FROM mfa_devices WHERE account_id = $1 AND name = $2")
            .bind(account)
            .bind(name)
            .fetch_optional(pool)
            .await?;
    Ok(mfa_arn(account, path.as_deref().unwrap_or("/"), name))
}

/// Decides both actions of the console's "Remove" before either runs (so a caller allowed
/// only one changes nothing); the owner.
pub(crate) async fn authorize_remove(
    tx: &mut Transaction<'_, Postgres>,
    authz: &Authorizer,
    caller: &Caller<'_>,
    user: Option<&str>,
    serial: &str,
) -> Result<String, ServiceError> {
    let owner = owner_of(tx, authz, caller, user).await?;
    authz.check(DELETE, serial)?;
    Ok(owner)
}

/// The console's "Remove" once authorized: DeactivateMFADevice then DeleteVirtualMFADevice,
/// each recorded, in the caller's transaction (both or neither).
pub(crate) async fn remove_in(
    tx: &mut Transaction<'_, Postgres>,
    caller: &Caller<'_>,
    user: Option<&str>,
    owner: &str,
    serial: &str,
) -> Result<(), ServiceError> {
    unassign(tx, caller, user, owner, serial).await?;
    erase(tx, caller, serial).await
}

/// The console's "Remove" for a virtual device, as AWS's console does it.
pub async fn remove(
    pool: &PgPool,
    caller: &Caller<'_>,
    user: Option<&str>,
    serial: &str,
) -> Result<(), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let owner = authorize_remove(&mut tx, &authz, caller, user, serial).await?;
    remove_in(&mut tx, caller, user, &owner, serial).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    name: String,
    path: String,
    principal_arn: Option<String>,
    enabled_at: Option<OffsetDateTime>,
    user_name: Option<String>,
    user_id: Option<String>,
    user_path: Option<String>,
    user_created_at: Option<OffsetDateTime>,
}

/// The account's virtual devices by serial number (`iam:ListVirtualMFADevices`), with the
/// users they are assigned to, in one query.
pub async fn list(
    pool: &PgPool,
    caller: &Caller<'_>,
    assignment: Assignment,
) -> Result<Vec<VirtualDevice>, ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("iam:ListVirtualMFADevices", "*")?;
    let rows: Vec<DeviceRow> = sqlx::query_as(
        "SELECT d.name, d.path, d.principal_arn, d.enabled_at, u.user_name, u.user_id,
                u.path AS user_path, u.created_at AS user_created_at
           FROM mfa_devices d
           LEFT JOIN iam_users u
             ON u.account_id = d.account_id
            AND d.principal_arn = 'arn:aws:iam::' || u.account_id || ':user' || u.path || u.user_name
          WHERE d.account_id = $1
            AND ($2 = 'Any' OR ($2 = 'Assigned') = (d.enabled_at IS NOT NULL))
          ORDER BY d.name",
    )
    .bind(account)
    .bind(match assignment {
        Assignment::Assigned => "Assigned",
        Assignment::Unassigned => "Unassigned",
        Assignment::Any => "Any",
    })
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let user = match (
                r.user_name,
                r.user_id,
                r.user_path,
                r.user_created_at,
                r.enabled_at,
            ) {
                (Some(user_name), Some(user_id), Some(path), Some(created_at), Some(_)) => {
                    Some(AssignedUser {
                        user_name,
                        user_id,
                        path,
                        created_at,
                    })
                }
                _ => None,
            };
            VirtualDevice {
                serial: mfa_arn(account, &r.path, &r.name),
                assigned_to: r.principal_arn.filter(|_| r.enabled_at.is_some()),
                user,
                enabled_at: r.enabled_at,
            }
        })
        .collect())
}
