//! Virtual MFA devices: create (seed sealed at rest), enable with two consecutive codes,
//! verify sign-in codes (never the same step twice), recovery codes, deactivate.

use crate::audit::{self, Outcome};
use crate::crypto::SecretBox;
use crate::{Identity, RequestMeta, ServiceError};
use iam_core::credentials::totp;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// AWS's limit: up to 8 MFA devices per user or root.
pub const MAX_DEVICES: i64 = 8;
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "IAM console";

/// A device being set up: what the person needs to add it to an authenticator app.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub name: String,
    pub serial: String,
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub name: String,
    pub serial: String,
    pub enabled_at: OffsetDateTime,
}

/// The context a device's seed is sealed under.
pub(crate) fn bound(account: &str, name: &str) -> String {
    format!("mfa:{account}:{name}")
}

/// The serial of a device set up in the console (always at path `/`).
fn serial(account: &str, name: &str) -> String {
    iam_core::arn::mfa_arn(account, "/", name)
}

/// AWS's VirtualMFADeviceName: 1-226 of `[\w+=,.@-]`.
pub(crate) fn validate_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    let ok = (1..=226).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(ServiceError::field(
            "device_name",
            format!("device name `{name}` must be 1 to 226 letters, digits or + = , . @ _ -"),
        ))
    }
}

pub async fn create_virtual_device(
    pool: &PgPool,
    secrets: &SecretBox,
    identity: &Identity,
    name: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<NewDevice, ServiceError> {
    let name = validate_name(name)?;
    if identity.role_session().is_some() || identity.federated().is_some() {
        // A role session or a federated user is no one's second factor: it has no devices.
        return Err(crate::ops::access_keys::not_a_user());
    }
    let account = identity.account_id().as_str();
    let principal = identity.principal_arn();
    let mut tx = pool.begin().await?;
    // Self-service is the engine's call, as on AWS (the root user is always allowed).
    crate::authz::authorize(
        &mut tx,
        identity,
        meta,
        now,
        "iam:CreateVirtualMFADevice",
        &serial(account, &name),
    )
    .await?;
    let enabled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mfa_devices WHERE principal_arn = $1 AND enabled_at IS NOT NULL",
    )
    .bind(&principal)
    .fetch_one(&mut *tx)
    .await?;
    if enabled >= MAX_DEVICES {
        return Err(ServiceError::field(
            "device_name",
            format!("you can assign at most {MAX_DEVICES} MFA devices"),
        ));
    }
    let existing: Option<(String, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT principal_arn, enabled_at FROM mfa_devices WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(&name)
    .fetch_optional(&mut *tx)
    .await?;
    match existing {
        // An unfinished setup of one's own is started over.
        Some((owner, None)) if owner == principal => {
            sqlx::query("DELETE FROM mfa_devices WHERE account_id = $1 AND name = $2")
                .bind(account)
                .bind(&name)
                .execute(&mut *tx)
                .await?;
        }
        Some(_) => {
            return Err(ServiceError::field(
                "device_name",
                format!("an MFA device named `{name}` already exists in this account"),
            ));
        }
        None => {}
    }
    let mut seed = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let sealed = secrets.seal(&seed, &bound(account, &name))?;
    sqlx::query(
        "INSERT INTO mfa_devices (account_id, name, principal_arn, seed_sealed, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account)
    .bind(&name)
    .bind(&principal)
    .bind(&sealed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let serial = serial(account, &name);
    audit::success_by(
        &mut tx,
        identity,
        "iam:CreateVirtualMFADevice",
        &serial,
        now,
        meta,
    )
    .await?;
    tx.commit().await?;

    let otpauth_uri = totp::otpauth_uri(&seed, ISSUER, &identity.display_name());
    let qr_svg = crate::qr::svg(&otpauth_uri, "QR code for your authenticator app")
        .ok_or_else(|| ServiceError::Internal("QR code too large".into()))?;
    Ok(NewDevice {
        name,
        serial,
        secret_base32: totp::base32(&seed),
        otpauth_uri,
        qr_svg,
    })
}

/// Enables a device set up by `create_virtual_device`, given two consecutive codes.
/// Returns new recovery codes (shown once) when the identity had none left.
#[allow(clippy::too_many_arguments)]
pub async fn enable_device(
    pool: &PgPool,
    secrets: &SecretBox,
    identity: &Identity,
    name: &str,
    code1: &str,
    code2: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<Vec<String>, ServiceError> {
    let account = identity.account_id().as_str();
    let principal = identity.principal_arn();
    let mut tx = pool.begin().await?;
    crate::authz::authorize(&mut tx, identity, meta, now, "iam:EnableMFADevice", &principal).await?;
    let sealed: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT seed_sealed FROM mfa_devices
          WHERE account_id = $1 AND name = $2 AND principal_arn = $3 AND enabled_at IS NULL FOR UPDATE",
    )
    .bind(account)
    .bind(name)
    .bind(&principal)
    .fetch_optional(&mut *tx)
    .await?;
    let sealed = sealed
        .ok_or_else(|| ServiceError::NoSuchEntity(format!("no MFA device `{name}` is being set up")))?;
    let seed = secrets.open(&sealed, &bound(account, name))?;
    let step = totp::verify_consecutive(&seed, code1, code2, now.unix_timestamp()).map_err(|e| {
        ServiceError::Invalid(vec![iam_core::field::FieldError::new(
            "code1",
            format!("{e}: enter two consecutive codes from the app"),
        )])
    })?;
    sqlx::query(
        "UPDATE mfa_devices SET enabled_at = $3, last_used_step = $4 WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(name)
    .bind(now)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    let unused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM recovery_codes WHERE principal_arn = $1 AND used_at IS NULL",
    )
    .bind(&principal)
    .fetch_one(&mut *tx)
    .await?;
    let codes = if unused == 0 {
        new_recovery_codes(&mut tx, &principal, now).await?
    } else {
        Vec::new()
    };
    audit::success_by(
        &mut tx,
        identity,
        "iam:EnableMFADevice",
        &serial(account, name),
        now,
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

async fn new_recovery_codes(
    conn: &mut PgConnection,
    principal: &str,
    now: OffsetDateTime,
) -> Result<Vec<String>, ServiceError> {
    sqlx::query("DELETE FROM recovery_codes WHERE principal_arn = $1")
        .bind(principal)
        .execute(&mut *conn)
        .await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut raw = [0u8; 7];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        // 10 base32 characters (50 bits), shown as XXXXX-XXXXX.
        let text = totp::base32(&raw)[..10].to_owned();
        let code = format!("{}-{}", &text[..5], &text[5..]);
        sqlx::query(
            "INSERT INTO recovery_codes (principal_arn, code_sha256, created_at) VALUES ($1, $2, $3)",
        )
        .bind(principal)
        .bind(recovery_hash(&code))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        codes.push(code);
    }
    Ok(codes)
}

fn recovery_hash(code: &str) -> Vec<u8> {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase();
    Sha256::digest(normalized.as_bytes()).to_vec()
}

pub async fn list_devices(pool: &PgPool, identity: &Identity) -> Result<Vec<DeviceInfo>, ServiceError> {
    let rows: Vec<(String, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT name, path, enabled_at FROM mfa_devices WHERE principal_arn = $1 AND enabled_at IS NOT NULL ORDER BY enabled_at",
    )
    .bind(identity.principal_arn())
    .fetch_all(pool)
    .await?;
    let account = identity.account_id().as_str();
    Ok(rows
        .into_iter()
        .map(|(name, path, enabled_at)| DeviceInfo {
            serial: iam_core::arn::mfa_arn(account, &path, &name),
            name,
            enabled_at,
        })
        .collect())
}

pub async fn has_enabled_device(pool: &PgPool, identity: &Identity) -> Result<bool, ServiceError> {
    let any: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mfa_devices WHERE principal_arn = $1 AND enabled_at IS NOT NULL)",
    )
    .bind(identity.principal_arn())
    .fetch_one(pool)
    .await?;
    Ok(any)
}

/// Accepts a code from any of the identity's devices, once. `device` limits it to one device.
pub async fn verify_code(
    conn: &mut PgConnection,
    secrets: &SecretBox,
    identity: &Identity,
    device: Option<&str>,
    code: &str,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    let account = identity.account_id().as_str();
    let devices: Vec<(String, Vec<u8>, Option<i64>)> = sqlx::query_as(
        "SELECT name, seed_sealed, last_used_step FROM mfa_devices
          WHERE principal_arn = $1 AND enabled_at IS NOT NULL AND ($2::text IS NULL OR name = $2)",
    )
    .bind(identity.principal_arn())
    .bind(device)
    .fetch_all(&mut *conn)
    .await?;
    for (name, sealed, last) in devices {
        let seed = secrets.open(&sealed, &bound(account, &name))?;
        if let Ok(step) = totp::verify(&seed, code, now.unix_timestamp(), last) {
            // Only one request can move the step forward: a replay racing this one fails.
            let moved = sqlx::query(
                "UPDATE mfa_devices SET last_used_step = $3
                  WHERE account_id = $1 AND name = $2 AND (last_used_step IS NULL OR last_used_step < $3)",
            )
            .bind(account)
            .bind(&name)
            .bind(step)
            .execute(&mut *conn)
            .await?;
            if moved.rows_affected() == 1 {
                return Ok(());
            }
        }
    }
    Err(ServiceError::InvalidMfaCode)
}

/// Uses up a recovery code.
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    identity: &Identity,
    code: &str,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 WHERE principal_arn = $1 AND code_sha256 = $2 AND used_at IS NULL",
    )
    .bind(identity.principal_arn())
    .bind(recovery_hash(code))
    .bind(now)
    .execute(conn)
    .await?;
    if used.rows_affected() == 1 {
        Ok(())
    } else {
        Err(ServiceError::InvalidMfaCode)
    }
}

/// Removes one's own device: the person proves they hold it with a current code (ours,
/// beyond AWS), then the console's "Remove" runs (DeactivateMFADevice, then
/// DeleteVirtualMFADevice, as `virtual_mfa::remove`).
pub async fn deactivate_device(
    pool: &PgPool,
    secrets: &SecretBox,
    identity: &Identity,
    name: &str,
    code: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    use crate::ops::virtual_mfa::{authorize_remove, remove_in, serial_of};
    let caller = crate::Caller { identity, meta, now };
    let serial = serial_of(pool, identity.account_id().as_str(), name).await?;
    let (mut tx, authz) = crate::ops::begin(pool, &caller).await?;
    // Both actions are decided before the code is looked at.
    let owner = authorize_remove(&mut tx, &authz, &caller, None, &serial).await?;
    if let Err(e) = verify_code(&mut tx, secrets, identity, Some(name), code, now).await {
        drop(tx);
        let mut conn = pool.acquire().await?;
        let action = "iam:DeactivateMFADevice";
        audit::record_by(
            &mut conn,
            identity,
            action,
            &serial,
            Outcome::Failure,
            Some("wrong MFA code"),
            now,
            meta,
        )
        .await?;
        return Err(e);
    }
    remove_in(&mut tx, &caller, None, &owner, &serial).await?;
    tx.commit().await?;
    Ok(())
}
