//! Account settings: the password policy.
// A form posts one argument per field; the client stub `#[server]` generates keeps them all.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use iam_core::credentials::password::PasswordPolicy;
use leptos::prelude::*;

/// The account's policy; `None` when the default rules apply.
#[server(endpoint = "password_policy")]
pub async fn get_password_policy() -> Result<Option<PasswordPolicy>, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::passwords::read_policy(&ctx.pool, &who.caller()).await?)
}

/// Saves the policy from the edit form (checkboxes arrive only when ticked).
#[server(endpoint = "set_password_policy")]
pub async fn set_password_policy(
    minimum_length: String,
    require_uppercase: Option<String>,
    require_lowercase: Option<String>,
    require_numbers: Option<String>,
    require_symbols: Option<String>,
    allow_users_to_change_password: Option<String>,
    expire_passwords: Option<String>,
    max_password_age: Option<String>,
    prevent_reuse: Option<String>,
    password_reuse_prevention: Option<String>,
    hard_expiry: Option<String>,
    refuse_guessable: Option<String>,
) -> Result<(), AppError> {
    use iam_core::field::FieldErrors;
    let (ctx, who) = crate::ssr::caller().await?;
    let mut errors = FieldErrors::default();
    let number = |field: &str, text: &str| -> Result<u32, String> {
        text.trim()
            .parse::<u32>()
            .map_err(|_| format!("{} must be a whole number; got `{text}`", field.replace('_', " ")))
    };
    let minimum_length = errors.check("minimum_length", number("minimum_length", &minimum_length));
    let max_age = match expire_passwords {
        Some(_) => errors.check(
            "max_password_age",
            number("max_password_age", max_password_age.as_deref().unwrap_or("")),
        ),
        None => None,
    };
    let reuse = match prevent_reuse {
        Some(_) => errors.check(
            "password_reuse_prevention",
            number(
                "password_reuse_prevention",
                password_reuse_prevention.as_deref().unwrap_or(""),
            ),
        ),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors.into_vec()));
    }
    let clamp_u8 = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
    let policy = PasswordPolicy {
        minimum_length: minimum_length.map_or(0, clamp_u8),
        require_uppercase: require_uppercase.is_some(),
        require_lowercase: require_lowercase.is_some(),
        require_numbers: require_numbers.is_some(),
        require_symbols: require_symbols.is_some(),
        allow_users_to_change_password: allow_users_to_change_password.is_some(),
        max_password_age: max_age.map(|n| u16::try_from(n).unwrap_or(u16::MAX)),
        password_reuse_prevention: reuse.map(clamp_u8),
        hard_expiry: hard_expiry.is_some(),
        refuse_guessable: refuse_guessable.is_some(),
    };
    iam_service::ops::passwords::set_policy(&ctx.pool, &who.identity, &policy, who.now, &who.meta).await?;
    Ok(())
}

#[server(endpoint = "delete_password_policy")]
pub async fn delete_password_policy() -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::passwords::delete_policy(&ctx.pool, &who.identity, who.now, &who.meta).await?;
    Ok(())
}

/// The rules a new password must meet, for the signed-in person (also while a password
/// change is owed): the account's policy, or `None` for the default rules.
#[server(endpoint = "password_rules")]
pub async fn password_rules() -> Result<Option<PasswordPolicy>, AppError> {
    let ctx = crate::ssr::context()?;
    let session = crate::ssr::request_session().await?;
    let now = time::OffsetDateTime::now_utc();
    let identity = match crate::ssr::session_identity(&session, ctx.settings.session_lifetime, now).await {
        Some(identity) => identity,
        None => crate::ssr::identity_owing_password(&session, &ctx, now)
            .await
            .ok_or(AppError::NotSignedIn)?,
    };
    Ok(iam_service::ops::passwords::get_policy(&ctx.pool, identity.account_id()).await?)
}

/// Sets (or replaces) the account alias; the old alias's sign-in link stops working.
#[server(endpoint = "set_account_alias")]
pub async fn set_account_alias(alias: String) -> Result<String, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::aliases::set_alias(&ctx.pool, &who.identity, &alias, who.now, &who.meta).await?)
}

#[server(endpoint = "delete_account_alias")]
pub async fn delete_account_alias() -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::aliases::delete_alias(&ctx.pool, &who.identity, who.now, &who.meta).await?)
}

#[server(endpoint = "account_alias")]
pub async fn account_alias() -> Result<Option<String>, AppError> {
    // The account the console acts in: a switched role's, where Set and Delete act too.
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::aliases::get_alias(&ctx.pool, who.identity.account_id()).await?)
}
