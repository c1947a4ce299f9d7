//! Identity providers: OpenID Connect issuers and SAML 2.0 identity providers. Their tags are
//! in `tags`.

use super::lists::tags;
use super::registry::Cx;
use super::xml::{el, time, ApiError};
use iam_service::ops::oidc_providers::{self as oidc, Change};
use iam_service::ops::saml_providers as saml;

super::registry::actions! {
    "CreateOpenIDConnectProvider" => create_oidc,
    "GetOpenIDConnectProvider" => get_oidc,
    "ListOpenIDConnectProviders" => list_oidc,
    "DeleteOpenIDConnectProvider" => delete_oidc,
    "AddClientIDToOpenIDConnectProvider" => change_oidc,
    "RemoveClientIDFromOpenIDConnectProvider" => change_oidc,
    "UpdateOpenIDConnectProviderThumbprint" => change_oidc,
    "CreateSAMLProvider" => create_saml,
    "GetSAMLProvider" => get_saml,
    "ListSAMLProviders" => list_saml,
    "UpdateSAMLProvider" => update_saml,
    "DeleteSAMLProvider" => delete_saml,
}

fn members(values: &[String]) -> String {
    values.iter().map(|v| el("member", v)).collect()
}

/// `CreateOpenIDConnectProvider`.
async fn create_oidc(cx: &Cx<'_>) -> Result<String, ApiError> {
    let p = cx.params;
    let created = oidc::create(
        cx.pool(),
        cx.caller,
        p.required("Url")?,
        &p.members("ClientIDList"),
        &p.members("ThumbprintList"),
        &tags(p),
    )
    .await?;
    Ok(format!(
        "{}{}",
        el("OpenIDConnectProviderArn", &created.arn),
        super::tags::field(&created.tags)
    ))
}

/// `GetOpenIDConnectProvider`.
async fn get_oidc(cx: &Cx<'_>) -> Result<String, ApiError> {
    let found = oidc::get(
        cx.pool(),
        cx.caller,
        cx.params.required("OpenIDConnectProviderArn")?,
    )
    .await?;
    Ok(format!(
        "{}<ClientIDList>{}</ClientIDList><ThumbprintList>{}</ThumbprintList>{}<Tags>{}</Tags>",
        el("Url", &found.url),
        members(&found.client_ids),
        members(&found.thumbprints),
        el("CreateDate", &time(found.created_at.unix_timestamp())),
        super::tags::members(&found.tags)
    ))
}

/// `ListOpenIDConnectProviders`: ARNs only, as AWS's.
async fn list_oidc(cx: &Cx<'_>) -> Result<String, ApiError> {
    let listed = oidc::list(cx.pool(), cx.caller).await?;
    let entries: String = listed
        .iter()
        .map(|p| format!("<member>{}</member>", el("Arn", &p.arn)))
        .collect();
    Ok(format!(
        "<OpenIDConnectProviderList>{entries}</OpenIDConnectProviderList>"
    ))
}

/// `DeleteOpenIDConnectProvider`.
async fn delete_oidc(cx: &Cx<'_>) -> Result<String, ApiError> {
    oidc::delete(
        cx.pool(),
        cx.caller,
        cx.params.required("OpenIDConnectProviderArn")?,
    )
    .await?;
    Ok(String::new())
}

/// `AddClientIDToOpenIDConnectProvider`, `RemoveClientIDFromOpenIDConnectProvider`,
/// `UpdateOpenIDConnectProviderThumbprint`.
async fn change_oidc(cx: &Cx<'_>) -> Result<String, ApiError> {
    let p = cx.params;
    let arn = p.required("OpenIDConnectProviderArn")?;
    let thumbprints = p.members("ThumbprintList");
    let change = match cx.action {
        "AddClientIDToOpenIDConnectProvider" => Change::AddClientId(p.required("ClientID")?),
        "RemoveClientIDFromOpenIDConnectProvider" => Change::RemoveClientId(p.required("ClientID")?),
        _ => Change::Thumbprints(&thumbprints),
    };
    oidc::change(cx.pool(), cx.caller, arn, change).await?;
    Ok(String::new())
}

/// `CreateSAMLProvider`.
async fn create_saml(cx: &Cx<'_>) -> Result<String, ApiError> {
    let p = cx.params;
    let created = saml::create(
        cx.pool(),
        cx.caller,
        p.required("Name")?,
        p.required("SAMLMetadataDocument")?,
        &tags(p),
    )
    .await?;
    Ok(format!(
        "{}{}",
        el("SAMLProviderArn", &created.arn),
        super::tags::field(&created.tags)
    ))
}

/// `GetSAMLProvider`.
async fn get_saml(cx: &Cx<'_>) -> Result<String, ApiError> {
    let found = saml::get(cx.pool(), cx.caller, cx.params.required("SAMLProviderArn")?).await?;
    Ok(format!(
        "{}{}{}{}<Tags>{}</Tags>{}<PrivateKeyList/>",
        el("SAMLProviderUUID", &found.provider_uuid),
        el("SAMLMetadataDocument", &found.metadata),
        el("CreateDate", &time(found.created_at.unix_timestamp())),
        el("ValidUntil", &time(found.valid_until.unix_timestamp())),
        super::tags::members(&found.tags),
        // Assertion encryption is not offered: encrypted assertions are allowed, never required.
        el("AssertionEncryptionMode", "Allowed"),
    ))
}

/// `ListSAMLProviders`.
async fn list_saml(cx: &Cx<'_>) -> Result<String, ApiError> {
    let listed = saml::list(cx.pool(), cx.caller).await?;
    let entries: String = listed
        .iter()
        .map(|p| {
            format!(
                "<member>{}{}{}</member>",
                el("Arn", &p.arn),
                el("ValidUntil", &time(p.valid_until.unix_timestamp())),
                el("CreateDate", &time(p.created_at.unix_timestamp()))
            )
        })
        .collect();
    Ok(format!("<SAMLProviderList>{entries}</SAMLProviderList>"))
}

/// `UpdateSAMLProvider`.
async fn update_saml(cx: &Cx<'_>) -> Result<String, ApiError> {
    let p = cx.params;
    let arn = p.required("SAMLProviderArn")?;
    saml::update(cx.pool(), cx.caller, arn, p.required("SAMLMetadataDocument")?).await?;
    Ok(el("SAMLProviderArn", arn))
}

/// `DeleteSAMLProvider`.
async fn delete_saml(cx: &Cx<'_>) -> Result<String, ApiError> {
    saml::delete(cx.pool(), cx.caller, cx.params.required("SAMLProviderArn")?).await?;
    Ok(String::new())
}
