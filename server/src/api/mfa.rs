//! MFA devices: virtual devices created, assigned, resynchronised, unassigned, deleted, listed.

use super::lists::paged_list;
use super::registry::Cx;
use super::xml::base64;
use super::xml::el;
use super::xml::time;
use super::xml::ApiError;
use iam_service::ops::users;
use iam_service::ops::virtual_mfa;
use iam_service::ops::virtual_mfa::Assignment;
use iam_service::ops::virtual_mfa::VirtualDevice;

super::registry::actions! {
    "ListMFADevices" => list_mfa_devices,
    "CreateVirtualMFADevice" => create_virtual_mfa_device,
    "EnableMFADevice" => enable_or_resync,
    "ResyncMFADevice" => enable_or_resync,
    "DeactivateMFADevice" => deactivate_mfa_device,
    "DeleteVirtualMFADevice" => delete_virtual_mfa_device,
    "ListVirtualMFADevices" => list_virtual_mfa_devices,
}

pub(super) fn virtual_device_xml(d: &VirtualDevice, account: &str) -> String {
    let mut out = el("SerialNumber", &d.serial);
    match (&d.user, &d.assigned_to) {
        (Some(u), Some(arn)) => {
            out += &format!(
                "<User>{}{}{}{}{}</User>",
                el("Path", &u.path),
                el("UserName", &u.user_name),
                el("UserId", &u.user_id),
                el("Arn", arn),
                el("CreateDate", &time(u.created_at.unix_timestamp()))
            );
        }
        // The root user's device: AWS names the root by its ARN and account.
        (None, Some(arn)) => {
            out += &format!("<User>{}{}</User>", el("UserId", account), el("Arn", arn));
        }
        _ => {}
    }
    if let Some(enabled) = d.enabled_at {
        out += &el("EnableDate", &time(enabled.unix_timestamp()));
    }
    out
}

/// `ListMFADevices`.
async fn list_mfa_devices(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let own = match params.get("UserName") {
        Some(_) => None,
        None => super::users::caller_user_name(caller)?,
    };
    let devices: Vec<(String, String, Option<i64>)> = match params.get("UserName").or(own) {
        Some(name) => users::list_user_mfa(pool, caller, name)
            .await?
            .into_iter()
            .map(|d| (name.to_owned(), d.serial, d.enabled_at))
            .collect(),
        None => iam_service::ops::mfa::list_devices(pool, caller.identity)
            .await?
            .into_iter()
            .map(|d| {
                (
                    caller.account().to_owned(),
                    d.serial,
                    Some(d.enabled_at.unix_timestamp()),
                )
            })
            .collect(),
    };
    let list: String = devices
        .iter()
        .map(|(user, serial, enabled)| {
            format!(
                "<member>{}{}{}</member>",
                el("UserName", user),
                el("SerialNumber", serial),
                enabled
                    .map(|t| el("EnableDate", &super::xml::time(t)))
                    .unwrap_or_default()
            )
        })
        .collect();
    Ok(format!(
        "<MFADevices>{list}</MFADevices><IsTruncated>false</IsTruncated>"
    ))
}

/// `CreateVirtualMFADevice`.
async fn create_virtual_mfa_device(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let state = cx.state;
    let caller = cx.caller;
    let params = cx.params;
    let device = virtual_mfa::create(
        pool,
        &state.ctx.secrets,
        caller,
        params.required("VirtualMFADeviceName")?,
        params.get("Path").unwrap_or("/"),
    )
    .await?;
    Ok(
        // Blobs travel base64-encoded: the seed is the base32 text, the QR code a PNG.
        format!(
            "<VirtualMFADevice>{}{}{}</VirtualMFADevice>",
            el("SerialNumber", &device.serial),
            el("Base32StringSeed", &base64(device.seed_base32.as_bytes())),
            el("QRCodePNG", &base64(&device.qr_png))
        ),
    )
}

/// `EnableMFADevice` / `ResyncMFADevice`.
async fn enable_or_resync(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let state = cx.state;
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let (user, serial) = (params.required("UserName")?, params.required("SerialNumber")?);
    let codes = (
        params.required("AuthenticationCode1")?,
        params.required("AuthenticationCode2")?,
    );
    let secrets = &state.ctx.secrets;
    if action == "EnableMFADevice" {
        virtual_mfa::enable(pool, secrets, caller, user, serial, codes.0, codes.1).await?;
    } else {
        virtual_mfa::resync(pool, secrets, caller, user, serial, codes.0, codes.1).await?;
    }
    Ok(String::new())
}

/// `DeactivateMFADevice`.
async fn deactivate_mfa_device(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    // Without UserName: the caller's own device (the root user's, say).
    let user = params.get("UserName");
    virtual_mfa::deactivate(pool, caller, user, params.required("SerialNumber")?).await?;
    Ok(String::new())
}

/// `DeleteVirtualMFADevice`.
async fn delete_virtual_mfa_device(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    virtual_mfa::delete(pool, caller, params.required("SerialNumber")?).await?;
    Ok(String::new())
}

/// `ListVirtualMFADevices`.
async fn list_virtual_mfa_devices(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let assignment = match params.get("AssignmentStatus").unwrap_or("Any") {
        "Assigned" => Assignment::Assigned,
        "Unassigned" => Assignment::Unassigned,
        "Any" => Assignment::Any,
        other => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]"
            )))
        }
    };
    let devices = virtual_mfa::list(pool, caller, assignment).await?;
    paged_list("VirtualMFADevices", devices, params, |d| {
        virtual_device_xml(d, caller.account())
    })
}
