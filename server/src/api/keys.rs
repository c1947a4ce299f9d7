//! Access keys.

use super::registry::Cx;
use super::xml::el;
use super::xml::time;
use super::xml::ApiError;
use iam_service::ops::access_keys;

super::registry::actions! {
    "CreateAccessKey" => create_access_key,
    "ListAccessKeys" => list_access_keys,
    "UpdateAccessKey" => update_access_key,
    "DeleteAccessKey" => delete_access_key,
}

/// `CreateAccessKey`.
async fn create_access_key(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let state = cx.state;
    let caller = cx.caller;
    let params = cx.params;
    let key =
        access_keys::create_access_key(pool, &state.ctx.secrets, caller, params.get("UserName")).await?;
    Ok(format!(
        "<AccessKey>{}{}{}{}{}</AccessKey>",
        el(
            "UserName",
            key.info.user_name.as_deref().unwrap_or(caller.account())
        ),
        el("AccessKeyId", &key.info.access_key_id),
        el("Status", &key.info.status),
        el("SecretAccessKey", &key.secret_access_key),
        el("CreateDate", &time(key.info.created_at))
    ))
}

/// `ListAccessKeys`.
async fn list_access_keys(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let keys = access_keys::list_access_keys(pool, caller, params.get("UserName")).await?;
    let members: String = keys
        .iter()
        .map(|k| {
            format!(
                "<member>{}{}{}{}</member>",
                el("UserName", k.user_name.as_deref().unwrap_or(caller.account())),
                el("AccessKeyId", &k.access_key_id),
                el("Status", &k.status),
                el("CreateDate", &time(k.created_at))
            )
        })
        .collect();
    Ok(format!(
        "<AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
    ))
}

/// `UpdateAccessKey`.
async fn update_access_key(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    access_keys::update_access_key(
        pool,
        caller,
        params.get("UserName"),
        params.required("AccessKeyId")?,
        params.required("Status")?,
    )
    .await?;
    Ok(String::new())
}

/// `DeleteAccessKey`.
async fn delete_access_key(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    access_keys::delete_access_key(
        pool,
        caller,
        params.get("UserName"),
        params.required("AccessKeyId")?,
    )
    .await?;
    Ok(String::new())
}
