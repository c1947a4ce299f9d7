//! Access keys, one's own (`user_name` empty) or a user's: thin calls into iam-service.

use crate::error::AppError;
use iam_core::model::{AccessKeyInfo, NewAccessKey};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn user(name: &str) -> Option<&str> {
    Some(name.trim()).filter(|n| !n.is_empty())
}

#[server(endpoint = "list_access_keys")]
pub async fn list_access_keys(user_name: String) -> Result<Vec<AccessKeyInfo>, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::access_keys::list_access_keys(&ctx.pool, &who.caller(), user(&user_name)).await?)
}

/// The new key with its secret: shown once, never again.
#[server(endpoint = "create_access_key")]
pub async fn create_access_key(user_name: String) -> Result<NewAccessKey, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::access_keys::create_access_key(
        &ctx.pool,
        &ctx.secrets,
        &who.caller(),
        user(&user_name),
    )
    .await?)
}

#[server(endpoint = "update_access_key")]
pub async fn update_access_key(
    user_name: String,
    access_key_id: String,
    status: String,
) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::access_keys::update_access_key(
        &ctx.pool,
        &who.caller(),
        user(&user_name),
        &access_key_id,
        &status,
    )
    .await?)
}

/// Deletes after the person typed the key ID to confirm.
#[server(endpoint = "delete_access_key")]
pub async fn delete_access_key(
    user_name: String,
    access_key_id: String,
    confirm: String,
) -> Result<(), AppError> {
    if confirm.trim() != access_key_id {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "confirm",
            format!("type `{access_key_id}` to confirm"),
        )]));
    }
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::access_keys::delete_access_key(
        &ctx.pool,
        &who.caller(),
        user(&user_name),
        &access_key_id,
    )
    .await?)
}
