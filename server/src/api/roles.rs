//! Roles: created with a trust policy, read, listed, updated, deleted. Their permissions
//! policies are in `attached` (AttachRolePolicy, PutRolePolicy, ...).

use super::lists::{max_items, number, path_prefix, tags, url_encode};
use super::registry::Cx;
use super::xml::{el, time, ApiError};
use iam_service::ops::roles::{self, NewRole, Role, RoleUpdate};
use iam_service::ops::service_linked;

super::registry::actions! {
    "CreateRole" => create_role,
    "GetRole" => get_role,
    "ListRoles" => list_roles,
    "UpdateRole" => update_role,
    "UpdateRoleDescription" => update_role,
    "UpdateAssumeRolePolicy" => update_assume_role_policy,
    "DeleteRole" => delete_role,
    "CreateServiceLinkedRole" => create_service_linked_role,
    "DeleteServiceLinkedRole" => delete_service_linked_role,
    "GetServiceLinkedRoleDeletionStatus" => service_linked_role_deletion_status,
}

/// ListRoles' markers: this, then the last role name of the page before.
const ROLE_MARKER: &str = "after:";

/// A role's fields as AWS writes them (the trust policy URL-encoded, as AWS returns it).
pub(super) fn role_fields(r: &Role, last_used: bool) -> String {
    let mut out = el("Path", &r.path);
    out += &el("RoleName", &r.role_name);
    out += &el("RoleId", &r.role_id);
    out += &el("Arn", &r.arn);
    out += &el("CreateDate", &time(r.created_at.unix_timestamp()));
    out += &el("AssumeRolePolicyDocument", &url_encode(&r.assume_role_policy));
    if !r.description.is_empty() {
        out += &el("Description", &r.description);
    }
    out += &el("MaxSessionDuration", &r.max_session_duration.to_string());
    out += &super::boundaries::field(r.permissions_boundary.as_deref());
    out += &super::tags::field(&r.tags);
    if last_used {
        let mut used = String::new();
        if let Some(at) = r.last_used_at {
            used += &el("LastUsedDate", &time(at.unix_timestamp()));
        }
        if let Some(region) = &r.last_used_region {
            used += &el("Region", region);
        }
        out += &format!("<RoleLastUsed>{used}</RoleLastUsed>");
    }
    out
}

/// `CreateRole`.
async fn create_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let params = cx.params;
    let new = NewRole {
        role_name: params.required("RoleName")?.to_owned(),
        path: params.get("Path").unwrap_or("/").to_owned(),
        trust_policy: params.required("AssumeRolePolicyDocument")?.to_owned(),
        description: params.get("Description").unwrap_or("").to_owned(),
        max_session_duration: number(cx.params, "MaxSessionDuration")?,
        tags: tags(params),
        permissions_boundary: params.get("PermissionsBoundary").map(str::to_owned),
        policy_arns: Vec::new(),
    };
    let role = roles::create_role(cx.pool(), cx.caller, &new).await?;
    Ok(format!("<Role>{}</Role>", role_fields(&role, false)))
}

/// `GetRole`.
async fn get_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let role = roles::get_role(cx.pool(), cx.caller, cx.params.required("RoleName")?).await?;
    Ok(format!("<Role>{}</Role>", role_fields(&role, true)))
}

/// `ListRoles`.
async fn list_roles(cx: &Cx<'_>) -> Result<String, ApiError> {
    let params = cx.params;
    let after = match params.get("Marker") {
        None => None,
        Some(m) => Some(
            m.strip_prefix(ROLE_MARKER)
                .ok_or_else(|| ApiError::validation(format!("Invalid Marker `{m}`")))?,
        ),
    };
    let (listed, more) = roles::list_roles(
        cx.pool(),
        cx.caller,
        &path_prefix(params)?,
        after,
        max_items(params)?,
    )
    .await?;
    let members: String = listed
        .iter()
        .map(|r| format!("<member>{}</member>", role_fields(r, false)))
        .collect();
    let marker = match listed.last() {
        Some(last) if more => format!(
            "<IsTruncated>true</IsTruncated>{}",
            el("Marker", &format!("{ROLE_MARKER}{}", last.role_name))
        ),
        _ => "<IsTruncated>false</IsTruncated>".into(),
    };
    Ok(format!("<Roles>{members}</Roles>{marker}"))
}

/// `UpdateRole` / `UpdateRoleDescription` (which answers with the role).
async fn update_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    // UpdateRoleDescription exists to set the description: AWS requires it there.
    let description = if cx.action == "UpdateRoleDescription" {
        Some(cx.params.required("Description")?)
    } else {
        cx.params.get("Description")
    };
    let update = RoleUpdate {
        description,
        max_session_duration: if cx.action == "UpdateRole" {
            number(cx.params, "MaxSessionDuration")?
        } else {
            None
        },
    };
    let name = cx.params.required("RoleName")?;
    let action = format!("iam:{}", cx.action);
    let role = roles::update_role(cx.pool(), cx.caller, name, &action, &update).await?;
    Ok(if cx.action == "UpdateRoleDescription" {
        format!("<Role>{}</Role>", role_fields(&role, true))
    } else {
        String::new()
    })
}

/// `UpdateAssumeRolePolicy`.
async fn update_assume_role_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let params = cx.params;
    let (name, document) = (params.required("RoleName")?, params.required("PolicyDocument")?);
    roles::update_trust_policy(cx.pool(), cx.caller, name, document).await?;
    Ok(String::new())
}

/// `DeleteRole`.
async fn delete_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    roles::delete_role(cx.pool(), cx.caller, cx.params.required("RoleName")?, false).await?;
    Ok(String::new())
}

/// `CreateServiceLinkedRole`.
async fn create_service_linked_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let params = cx.params;
    let role = service_linked::create(
        cx.pool(),
        cx.caller,
        params.required("AWSServiceName")?,
        params.get("Description"),
        params.get("CustomSuffix"),
    )
    .await?;
    Ok(format!("<Role>{}</Role>", role_fields(&role, false)))
}

/// `DeleteServiceLinkedRole`: the deletion task to ask about.
async fn delete_service_linked_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let task = service_linked::delete(cx.pool(), cx.caller, cx.params.required("RoleName")?).await?;
    Ok(el("DeletionTaskId", &task))
}

/// `GetServiceLinkedRoleDeletionStatus`.
async fn service_linked_role_deletion_status(cx: &Cx<'_>) -> Result<String, ApiError> {
    let status =
        service_linked::deletion_status(cx.pool(), cx.caller, cx.params.required("DeletionTaskId")?).await?;
    Ok(el("Status", &status))
}
