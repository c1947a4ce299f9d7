//! Policies on users, groups and roles: managed attachments and inline policies, one handler
//! per kind of change for the three.

use super::lists::paged_list;
use super::lists::path_prefix;
use super::lists::url_encode;
use super::policies::policy_path;
use super::registry::Cx;
use super::xml::el;
use super::xml::ApiError;
use super::Params;
use iam_service::ops::attachments;
use iam_service::ops::attachments::Entity;

super::registry::actions! {
    "AttachUserPolicy" => attach_or_detach,
    "AttachGroupPolicy" => attach_or_detach,
    "DetachUserPolicy" => attach_or_detach,
    "DetachGroupPolicy" => attach_or_detach,
    "ListAttachedUserPolicies" => list_attached_policies,
    "ListAttachedGroupPolicies" => list_attached_policies,
    "PutUserPolicy" => put_inline_policy,
    "PutGroupPolicy" => put_inline_policy,
    "DeleteUserPolicy" => delete_inline_policy,
    "DeleteGroupPolicy" => delete_inline_policy,
    "ListUserPolicies" => list_inline_policies,
    "ListGroupPolicies" => list_inline_policies,
    "GetUserPolicy" => get_inline_policy,
    "GetGroupPolicy" => get_inline_policy,
    "AttachRolePolicy" => attach_or_detach,
    "DetachRolePolicy" => attach_or_detach,
    "ListAttachedRolePolicies" => list_attached_policies,
    "PutRolePolicy" => put_inline_policy,
    "DeleteRolePolicy" => delete_inline_policy,
    "ListRolePolicies" => list_inline_policies,
    "GetRolePolicy" => get_inline_policy,
}

/// The user, group or role an action names (`AttachRolePolicy` takes `RoleName`, ...).
pub(super) fn entity(action: &str, params: &Params) -> Result<Entity, ApiError> {
    Ok(if action.contains("User") {
        Entity::User(params.required("UserName")?.to_owned())
    } else if action.contains("Role") {
        Entity::Role(params.required("RoleName")?.to_owned())
    } else {
        Entity::Group(params.required("GroupName")?.to_owned())
    })
}

/// `AttachUserPolicy` / `AttachGroupPolicy` / `DetachUserPolicy` / `DetachGroupPolicy`.
async fn attach_or_detach(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let entity = entity(action, params)?;
    let arn = params.required("PolicyArn")?;
    if action.starts_with("Attach") {
        attachments::attach(pool, caller, &entity, arn).await?;
    } else {
        attachments::detach(pool, caller, &entity, arn).await?;
    }
    Ok(String::new())
}

/// `ListAttachedUserPolicies` / `ListAttachedGroupPolicies`.
async fn list_attached_policies(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let mut list = attachments::list_attached(pool, caller, &entity(action, params)?).await?;
    let prefix = path_prefix(params)?;
    list.retain(|p| policy_path(&p.policy_arn).starts_with(&prefix));
    paged_list("AttachedPolicies", list, params, |p| {
        format!(
            "{}{}",
            el("PolicyName", &p.policy_name),
            el("PolicyArn", &p.policy_arn)
        )
    })
}

/// `PutUserPolicy` / `PutGroupPolicy`.
async fn put_inline_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let target = entity(action, params)?;
    attachments::put_inline(
        pool,
        caller,
        &target,
        params.required("PolicyName")?,
        params.required("PolicyDocument")?,
    )
    .await?;
    Ok(String::new())
}

/// `DeleteUserPolicy` / `DeleteGroupPolicy`.
async fn delete_inline_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let target = entity(action, params)?;
    attachments::delete_inline(pool, caller, &target, params.required("PolicyName")?).await?;
    Ok(String::new())
}

/// `ListUserPolicies` / `ListGroupPolicies`.
async fn list_inline_policies(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let names = attachments::list_inline(pool, caller, &entity(action, params)?).await?;
    paged_list("PolicyNames", names, params, |n| super::xml::escape(n))
}

/// `GetUserPolicy` / `GetGroupPolicy`.
async fn get_inline_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let target = entity(action, params)?;
    let p = attachments::get_inline(pool, caller, &target, params.required("PolicyName")?).await?;
    let owner = match &target {
        Entity::User(n) => el("UserName", n),
        Entity::Group(n) => el("GroupName", n),
        Entity::Role(n) => el("RoleName", n),
    };
    Ok(format!(
        "{owner}{}{}",
        el("PolicyName", &p.policy_name),
        el("PolicyDocument", &url_encode(&p.document))
    ))
}
