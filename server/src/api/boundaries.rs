//! Permissions boundaries of users and roles.

use super::registry::Cx;
use super::xml::{el, ApiError};
use iam_service::ops::attachments::Entity;
use iam_service::ops::boundaries;

super::registry::actions! {
    "PutUserPermissionsBoundary" => put_boundary,
    "PutRolePermissionsBoundary" => put_boundary,
    "DeleteUserPermissionsBoundary" => delete_boundary,
    "DeleteRolePermissionsBoundary" => delete_boundary,
}

fn entity(cx: &Cx<'_>) -> Result<Entity, ApiError> {
    Ok(if cx.action.contains("Role") {
        Entity::Role(cx.params.required("RoleName")?.to_owned())
    } else {
        Entity::User(cx.params.required("UserName")?.to_owned())
    })
}

/// `PutUserPermissionsBoundary`, `PutRolePermissionsBoundary`.
async fn put_boundary(cx: &Cx<'_>) -> Result<String, ApiError> {
    let arn = cx.params.required("PermissionsBoundary")?;
    boundaries::put(cx.pool(), cx.caller, &entity(cx)?, arn).await?;
    Ok(String::new())
}

/// `DeleteUserPermissionsBoundary`, `DeleteRolePermissionsBoundary`.
async fn delete_boundary(cx: &Cx<'_>) -> Result<String, ApiError> {
    boundaries::delete(cx.pool(), cx.caller, &entity(cx)?).await?;
    Ok(String::new())
}

/// `<PermissionsBoundary>` as GetUser and GetRole write it.
pub(super) fn field(boundary: Option<&str>) -> String {
    match boundary {
        Some(arn) => format!(
            "<PermissionsBoundary>{}{}</PermissionsBoundary>",
            el("PermissionsBoundaryType", "PermissionsBoundaryPolicy"),
            el("PermissionsBoundaryArn", arn)
        ),
        None => String::new(),
    }
}
