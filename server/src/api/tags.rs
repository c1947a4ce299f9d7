//! Tags on users and roles: one handler per kind of change for both.

use super::attached::entity;
use super::lists::{paged_list, tags};
use super::registry::Cx;
use super::xml::{el, ApiError};
use iam_service::ops::tags as service;

super::registry::actions! {
    "TagUser" => tag,
    "TagRole" => tag,
    "UntagUser" => untag,
    "UntagRole" => untag,
    "ListUserTags" => list,
    "ListRoleTags" => list,
}

/// `TagUser` / `TagRole`.
async fn tag(cx: &Cx<'_>) -> Result<String, ApiError> {
    let target = entity(cx.action, cx.params)?;
    service::tag(cx.pool(), cx.caller, &target, &tags(cx.params)).await?;
    Ok(String::new())
}

/// `UntagUser` / `UntagRole`.
async fn untag(cx: &Cx<'_>) -> Result<String, ApiError> {
    let target = entity(cx.action, cx.params)?;
    service::untag(cx.pool(), cx.caller, &target, &cx.params.members("TagKeys")).await?;
    Ok(String::new())
}

/// `ListUserTags` / `ListRoleTags`.
async fn list(cx: &Cx<'_>) -> Result<String, ApiError> {
    let target = entity(cx.action, cx.params)?;
    let listed = service::list(cx.pool(), cx.caller, &target).await?;
    paged_list("Tags", listed, cx.params, |t| {
        format!("{}{}", el("Key", &t.key), el("Value", &t.value))
    })
}
