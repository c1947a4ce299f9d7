//! Identity providers in the console: thin calls into iam-service's OpenID Connect and SAML
//! provider use cases (the same ones the API's actions run).

use crate::error::AppError;
use iam_core::model::{IdentityProviderDetail, IdentityProviderSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod convert {
    use iam_core::model::{IdentityProviderDetail, IdentityProviderSummary};
    use iam_service::ops::oidc_providers::OidcProvider;
    use iam_service::ops::saml_providers::SamlProvider;

    pub fn oidc(p: OidcProvider) -> IdentityProviderDetail {
        IdentityProviderDetail {
            summary: IdentityProviderSummary {
                arn: p.arn,
                name: format!("https://{}", p.url),
                kind: "OpenID Connect".into(),
                created_at: p.created_at.unix_timestamp(),
            },
            audiences: p.client_ids,
            thumbprints: p.thumbprints,
            entity_id: None,
            valid_until: None,
            certificates_expire_at: None,
            tags: p.tags,
        }
    }

    pub fn saml(p: SamlProvider) -> IdentityProviderDetail {
        IdentityProviderDetail {
            summary: IdentityProviderSummary {
                arn: p.arn,
                name: p.name,
                kind: "SAML".into(),
                created_at: p.created_at.unix_timestamp(),
            },
            audiences: Vec::new(),
            thumbprints: Vec::new(),
            entity_id: Some(p.entity_id),
            valid_until: Some(p.valid_until.unix_timestamp()),
            certificates_expire_at: Some(p.certificates_expire_at.unix_timestamp()),
            tags: p.tags,
        }
    }
}

/// Whether an ARN names a SAML provider (by its resource type, not anywhere in the text).
#[cfg(feature = "ssr")]
fn is_saml(arn: &str) -> bool {
    arn.split(':')
        .nth(5)
        .is_some_and(|resource| resource.starts_with("saml-provider/"))
}

/// The provider's page in the console.
pub fn provider_page(arn: &str) -> String {
    format!(
        "/identity-providers/view?arn={}",
        crate::components::widgets::encode(arn)
    )
}

/// Both kinds, by name.
#[server(endpoint = "list_identity_providers")]
pub async fn list_identity_providers() -> Result<Vec<IdentityProviderSummary>, AppError> {
    use iam_service::ops::{oidc_providers, saml_providers};
    let (ctx, who) = crate::ssr::caller().await?;
    let caller = who.caller();
    let mut all: Vec<IdentityProviderSummary> = oidc_providers::list(&ctx.pool, &caller)
        .await?
        .into_iter()
        .map(|p| convert::oidc(p).summary)
        .chain(
            saml_providers::list(&ctx.pool, &caller)
                .await?
                .into_iter()
                .map(|p| convert::saml(p).summary),
        )
        .collect();
    all.sort_by_key(|p| p.name.to_lowercase());
    Ok(all)
}

#[server(endpoint = "get_identity_provider")]
pub async fn get_identity_provider(arn: String) -> Result<IdentityProviderDetail, AppError> {
    use iam_service::ops::{oidc_providers, saml_providers};
    let (ctx, who) = crate::ssr::caller().await?;
    if is_saml(&arn) {
        Ok(convert::saml(
            saml_providers::get(&ctx.pool, &who.caller(), &arn).await?,
        ))
    } else {
        Ok(convert::oidc(
            oidc_providers::get(&ctx.pool, &who.caller(), &arn).await?,
        ))
    }
}

/// "Add provider", OpenID Connect: the issuer and its first audience; returns the ARN.
#[server(endpoint = "create_oidc_provider")]
/// The form's field names are the rules' (`client_ids`, `thumbprints`), so that each message
/// shows under its field; each holds one value here.
pub async fn create_oidc_provider(
    url: String,
    client_ids: String,
    thumbprints: String,
) -> Result<String, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    let thumbprints: Vec<String> = [thumbprints.trim().to_lowercase()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    let audiences = vec![client_ids.trim().to_owned()];
    let created = iam_service::ops::oidc_providers::create(
        &ctx.pool,
        &who.caller(),
        url.trim(),
        &audiences,
        &thumbprints,
        &[],
    )
    .await?;
    leptos_axum::redirect(&provider_page(&created.arn));
    Ok(created.arn)
}

/// "Add provider", SAML: a name and the IdP's metadata document; returns the ARN.
#[server(endpoint = "create_saml_provider")]
pub async fn create_saml_provider(name: String, metadata: String) -> Result<String, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    let created =
        iam_service::ops::saml_providers::create(&ctx.pool, &who.caller(), name.trim(), &metadata, &[])
            .await?;
    leptos_axum::redirect(&provider_page(&created.arn));
    Ok(created.arn)
}

/// Adds or removes an audience (client ID) of an OpenID Connect provider.
#[server(endpoint = "change_audience")]
pub async fn change_audience(arn: String, audience: String, add: bool) -> Result<(), AppError> {
    use iam_service::ops::oidc_providers::{change, Change};
    let (ctx, who) = crate::ssr::caller().await?;
    let audience = audience.trim();
    let what = if add {
        Change::AddClientId(audience)
    } else {
        Change::RemoveClientId(audience)
    };
    Ok(change(&ctx.pool, &who.caller(), &arn, what).await?)
}

/// "Replace metadata" of a SAML provider.
#[server(endpoint = "replace_saml_metadata")]
pub async fn replace_saml_metadata(arn: String, metadata: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::saml_providers::update(&ctx.pool, &who.caller(), &arn, &metadata).await?)
}

/// Deletes a provider once its name is typed.
#[server(endpoint = "delete_identity_provider")]
pub async fn delete_identity_provider(arn: String, name: String, confirm: String) -> Result<(), AppError> {
    use iam_service::ops::{oidc_providers, saml_providers};
    if confirm.trim() != name {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "confirm",
            format!("type `{name}` to confirm"),
        )]));
    }
    let (ctx, who) = crate::ssr::caller().await?;
    if is_saml(&arn) {
        saml_providers::delete(&ctx.pool, &who.caller(), &arn).await?;
    } else {
        oidc_providers::delete(&ctx.pool, &who.caller(), &arn).await?;
    }
    leptos_axum::redirect("/identity-providers");
    Ok(())
}

/// The client ID the console signs in with through an OpenID Connect provider, if open.
#[server(endpoint = "console_signin_client")]
pub async fn console_signin_client(arn: String) -> Result<Option<String>, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::oidc_signin::console_client(&ctx.pool, &who.caller(), &arn).await?)
}

/// Opens (with a client ID and secret) or closes an OpenID Connect provider for console sign-in.
#[server(endpoint = "set_console_signin")]
pub async fn set_console_signin(
    arn: String,
    client_id: String,
    client_secret: String,
    enable: bool,
) -> Result<(), AppError> {
    use iam_service::ops::oidc_signin::{disable, enable as open};
    let (ctx, who) = crate::ssr::caller().await?;
    if enable {
        Ok(open(
            &ctx.pool,
            &ctx.secrets,
            &who.caller(),
            &arn,
            client_id.trim(),
            &client_secret,
        )
        .await?)
    } else {
        Ok(disable(&ctx.pool, &who.caller(), &arn).await?)
    }
}

/// The OpenID Connect providers an account's sign-in page offers (issuer URLs). Asked before
/// anyone signs in; an unknown account has none.
#[server(endpoint = "signin_providers")]
pub async fn signin_providers(account: String) -> Result<Vec<String>, AppError> {
    let ctx = crate::ssr::context()?;
    // An account ID or alias is at most 63 characters: nothing longer is looked up.
    if account.len() > 63 {
        return Ok(Vec::new());
    }
    let Some(id) = iam_service::ops::aliases::resolve(&ctx.pool, account.trim()).await? else {
        return Ok(Vec::new());
    };
    Ok(iam_service::ops::oidc_signin::signin_choices(&ctx.pool, id.as_str()).await?)
}
