//! Tags on users, roles and instance profiles: one handler per kind of change for all.

use super::attached::entity;
use super::lists::{paged_list, tags};
use super::registry::Cx;
use super::xml::{el, ApiError};
use iam_core::model::Tag;
use iam_service::ops::attachments::Entity;
use iam_service::ops::tags::{self as service, Tagged};

super::registry::actions! {
    "TagUser" => tag,
    "TagRole" => tag,
    "TagInstanceProfile" => tag,
    "TagOpenIDConnectProvider" => tag,
    "TagSAMLProvider" => tag,
    "UntagUser" => untag,
    "UntagRole" => untag,
    "UntagInstanceProfile" => untag,
    "UntagOpenIDConnectProvider" => untag,
    "UntagSAMLProvider" => untag,
    "ListUserTags" => list,
    "ListRoleTags" => list,
    "ListInstanceProfileTags" => list,
    "ListOpenIDConnectProviderTags" => list,
    "ListSAMLProviderTags" => list,
}

/// What the action's parameters name.
enum Target {
    Entity(Entity),
    InstanceProfile(String),
    OidcProvider(String),
    SamlProvider(String),
}

impl Target {
    fn of(cx: &Cx<'_>) -> Result<Self, ApiError> {
        let account = cx.caller.account();
        Ok(if cx.action.contains("InstanceProfile") {
            Target::InstanceProfile(cx.params.required("InstanceProfileName")?.to_owned())
        } else if cx.action.contains("OpenIDConnectProvider") {
            let arn = cx.params.required("OpenIDConnectProviderArn")?;
            let url = iam_core::providers::parse_oidc_arn(account, arn)
                .ok_or_else(|| ApiError::from(iam_service::ops::oidc_providers::no_such(arn)))?;
            Target::OidcProvider(url.to_owned())
        } else if cx.action.contains("SAMLProvider") {
            let arn = cx.params.required("SAMLProviderArn")?;
            let name = iam_core::providers::parse_saml_arn(account, arn)
                .ok_or_else(|| ApiError::from(iam_service::ops::saml_providers::no_such(arn)))?;
            Target::SamlProvider(name.to_owned())
        } else {
            Target::Entity(entity(cx.action, cx.params)?)
        })
    }

    fn tagged(&self) -> Tagged<'_> {
        match self {
            Target::Entity(e) => Tagged::Entity(e),
            Target::InstanceProfile(n) => Tagged::InstanceProfile(n),
            Target::OidcProvider(url) => Tagged::OidcProvider(url),
            Target::SamlProvider(name) => Tagged::SamlProvider(name),
        }
    }
}

/// `<Tags>` as GetRole and GetInstanceProfile carry them (nothing when there are none).
pub(super) fn field(tags: &[Tag]) -> String {
    if tags.is_empty() {
        return String::new();
    }
    format!("<Tags>{}</Tags>", members(tags))
}

/// The tags as `<member>` entries.
pub(super) fn members(tags: &[Tag]) -> String {
    tags.iter()
        .map(|t| format!("<member>{}{}</member>", el("Key", &t.key), el("Value", &t.value)))
        .collect()
}

/// `TagUser` / `TagRole` / `TagInstanceProfile`.
async fn tag(cx: &Cx<'_>) -> Result<String, ApiError> {
    let target = Target::of(cx)?;
    service::tag(cx.pool(), cx.caller, target.tagged(), &tags(cx.params)).await?;
    Ok(String::new())
}

/// `UntagUser` / `UntagRole` / `UntagInstanceProfile`.
async fn untag(cx: &Cx<'_>) -> Result<String, ApiError> {
    let target = Target::of(cx)?;
    service::untag(
        cx.pool(),
        cx.caller,
        target.tagged(),
        &cx.params.members("TagKeys"),
    )
    .await?;
    Ok(String::new())
}

/// `ListUserTags` / `ListRoleTags` / `ListInstanceProfileTags`.
async fn list(cx: &Cx<'_>) -> Result<String, ApiError> {
    let target = Target::of(cx)?;
    let listed = service::list(cx.pool(), cx.caller, target.tagged()).await?;
    paged_list("Tags", listed, cx.params, |t| {
        format!("{}{}", el("Key", &t.key), el("Value", &t.value))
    })
}
