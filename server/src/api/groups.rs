//! Groups and their members.

use super::lists::page;
use super::lists::paged_list;
use super::lists::path_prefix;
use super::lists::truncation;
use super::registry::Cx;
use super::xml::el;
use super::xml::time;
use super::xml::ApiError;
use iam_core::model::GroupSummary;
use iam_core::model::PageRequest;
use iam_service::ops::groups;
use iam_service::ops::users;

super::registry::actions! {
    "CreateGroup" => create_group,
    "ListGroups" => list_groups,
    "AddUserToGroup" => membership,
    "GetGroup" => get_group,
    "DeleteGroup" => delete_group,
    "RemoveUserFromGroup" => membership,
    "ListGroupsForUser" => list_groups_for_user,
}

pub(super) fn group_fields(g: &GroupSummary) -> String {
    format!(
        "{}{}{}{}{}",
        el("Path", &g.path),
        el("GroupName", &g.group_name),
        el("GroupId", &g.group_id),
        el("Arn", &g.arn),
        el("CreateDate", &time(g.created_at))
    )
}

/// `CreateGroup`.
async fn create_group(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let group = groups::create_group(
        pool,
        caller,
        params.required("GroupName")?,
        params.get("Path").unwrap_or("/"),
        &[],
    )
    .await?;
    Ok(format!("<Group>{}</Group>", group_fields(&group)))
}

/// `ListGroups`.
async fn list_groups(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let (offset, limit) = page(params)?;
    let request = PageRequest {
        offset,
        limit,
        path_prefix: path_prefix(params)?,
        ..Default::default()
    };
    let listed = groups::list_groups(pool, caller, &request).await?;
    let members: String = listed
        .items
        .iter()
        .map(|g| format!("<member>{}</member>", group_fields(g)))
        .collect();
    Ok(format!(
        "<Groups>{members}</Groups>{}",
        truncation(offset, listed.items.len(), listed.total)
    ))
}

/// `AddUserToGroup` / `RemoveUserFromGroup`.
async fn membership(cx: &Cx<'_>) -> Result<String, ApiError> {
    let (group, user) = (cx.params.required("GroupName")?, cx.params.required("UserName")?);
    if cx.action == "AddUserToGroup" {
        groups::add_user_to_group(cx.pool(), cx.caller, group, user).await?;
    } else {
        groups::remove_user_from_group(cx.pool(), cx.caller, group, user).await?;
    }
    Ok(String::new())
}

/// `GetGroup`.
async fn get_group(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let detail = groups::get_group(pool, caller, params.required("GroupName")?).await?;
    let g = &detail.summary;
    let users: String = detail
        .users
        .iter()
        .map(|u| format!("<member>{}</member>", el("UserName", u)))
        .collect();
    Ok(format!(
        "<Group>{}</Group><Users>{users}</Users><IsTruncated>false</IsTruncated>",
        group_fields(g)
    ))
}

/// `DeleteGroup`.
async fn delete_group(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    groups::delete_group(pool, caller, params.required("GroupName")?, false).await?;
    Ok(String::new())
}

/// `ListGroupsForUser`.
async fn list_groups_for_user(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let groups = users::list_groups_for_user(pool, caller, params.required("UserName")?).await?;
    paged_list("Groups", groups, params, group_fields)
}
