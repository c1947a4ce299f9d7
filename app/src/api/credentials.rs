//! "My security credentials": one's own password and MFA devices.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDevice {
    pub name: String,
    /// `arn:aws:iam::ACCOUNT:mfa/NAME`, as AWS calls a virtual device's identifier.
    pub serial: String,
    /// When it was assigned, `YYYY-MM-DD HH:MM UTC`.
    pub assigned: String,
}

/// A device being set up: shown once, while the person adds it to their app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMfaDevice {
    pub name: String,
    pub secret: String,
    pub qr_svg: String,
}

#[server(endpoint = "mfa_devices")]
pub async fn mfa_devices() -> Result<Vec<MfaDevice>, AppError> {
    // One's own security credentials: always the signed-in identity, switched or not.
    let (ctx, who) = crate::ssr::signed_in_caller().await?;
    let devices = iam_service::ops::mfa::list_devices(&ctx.pool, &who.identity).await?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    Ok(devices
        .into_iter()
        .map(|d| MfaDevice {
            assigned: d.enabled_at.format(&format).unwrap_or_default(),
            name: d.name,
            serial: d.serial,
        })
        .collect())
}

#[server(endpoint = "create_mfa_device")]
pub async fn create_mfa_device(device_name: String) -> Result<PendingMfaDevice, AppError> {
    let (ctx, who) = crate::ssr::signed_in_caller().await?;
    let (identity, now, meta) = (who.identity, who.now, who.meta);
    let device = iam_service::ops::mfa::create_virtual_device(
        &ctx.pool,
        &ctx.secrets,
        &identity,
        &device_name,
        now,
        &meta,
    )
    .await?;
    Ok(PendingMfaDevice {
        name: device.name,
        secret: device.secret_base32,
        qr_svg: device.qr_svg,
    })
}

/// Assigns the device; returns recovery codes to show once (empty if the person has some).
#[server(endpoint = "enable_mfa_device")]
pub async fn enable_mfa_device(
    device_name: String,
    code1: String,
    code2: String,
) -> Result<Vec<String>, AppError> {
    let (ctx, who) = crate::ssr::signed_in_caller().await?;
    let (identity, now, meta) = (who.identity, who.now, who.meta);
    Ok(iam_service::ops::mfa::enable_device(
        &ctx.pool,
        &ctx.secrets,
        &identity,
        &device_name,
        &code1,
        &code2,
        now,
        &meta,
    )
    .await?)
}

#[server(endpoint = "remove_mfa_device")]
pub async fn remove_mfa_device(device_name: String, code: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::signed_in_caller().await?;
    let (identity, now, meta) = (who.identity, who.now, who.meta);
    iam_service::ops::mfa::deactivate_device(
        &ctx.pool,
        &ctx.secrets,
        &identity,
        &device_name,
        &code,
        now,
        &meta,
    )
    .await
    .map_err(|e| match e {
        iam_service::ServiceError::InvalidMfaCode => {
            AppError::Invalid(vec![iam_core::field::FieldError::new(
                "code",
                "the MFA code is not valid or was already used",
            )])
        }
        other => other.into(),
    })
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::signed_in_caller().await?;
    let (identity, now, meta) = (who.identity, who.now, who.meta);
    iam_service::ops::passwords::change_own_password(
        &ctx.pool,
        &ctx.hasher,
        &identity,
        &current_password,
        &new_password,
        &confirm_password,
        false,
        now,
        &meta,
        &ctx.settings.lockout,
    )
    .await?;
    Ok(())
}
