//! Instance profiles: the container of one role that a workload receives credentials of.

use super::lists::{path_prefix, tags};
use super::registry::Cx;
use super::roles::role_fields;
use super::xml::{el, time, ApiError};
use iam_service::ops::instance_profiles::{self, InstanceProfile};

super::registry::actions! {
    "CreateInstanceProfile" => create_instance_profile,
    "GetInstanceProfile" => get_instance_profile,
    "ListInstanceProfiles" => list_instance_profiles,
    "ListInstanceProfilesForRole" => list_instance_profiles,
    "AddRoleToInstanceProfile" => add_role,
    "RemoveRoleFromInstanceProfile" => remove_role,
    "DeleteInstanceProfile" => delete_instance_profile,
}

fn profile_fields(p: &InstanceProfile) -> String {
    let roles: String = p
        .roles
        .iter()
        .map(|r| format!("<member>{}</member>", role_fields(r, false)))
        .collect();
    format!(
        "{}{}{}{}{}<Roles>{roles}</Roles>{}",
        el("Path", &p.path),
        el("InstanceProfileName", &p.profile_name),
        el("InstanceProfileId", &p.profile_id),
        el("Arn", &p.arn),
        el("CreateDate", &time(p.created_at.unix_timestamp())),
        super::tags::field(&p.tags),
    )
}

/// `CreateInstanceProfile`.
async fn create_instance_profile(cx: &Cx<'_>) -> Result<String, ApiError> {
    let name = cx.params.required("InstanceProfileName")?;
    let path = cx.params.get("Path").unwrap_or("/");
    let created = instance_profiles::create(cx.pool(), cx.caller, name, path, &tags(cx.params)).await?;
    Ok(format!(
        "<InstanceProfile>{}</InstanceProfile>",
        profile_fields(&created)
    ))
}

/// `GetInstanceProfile`.
async fn get_instance_profile(cx: &Cx<'_>) -> Result<String, ApiError> {
    let found =
        instance_profiles::get(cx.pool(), cx.caller, cx.params.required("InstanceProfileName")?).await?;
    Ok(format!(
        "<InstanceProfile>{}</InstanceProfile>",
        profile_fields(&found)
    ))
}

/// `ListInstanceProfiles` and `ListInstanceProfilesForRole` (every profile in one page: an
/// account has at most 1,000).
async fn list_instance_profiles(cx: &Cx<'_>) -> Result<String, ApiError> {
    let role = if cx.action == "ListInstanceProfilesForRole" {
        Some(cx.params.required("RoleName")?)
    } else {
        None
    };
    let listed = instance_profiles::list(cx.pool(), cx.caller, &path_prefix(cx.params)?, role).await?;
    let members: String = listed
        .iter()
        .map(|p| format!("<member>{}</member>", profile_fields(p)))
        .collect();
    Ok(format!(
        "<InstanceProfiles>{members}</InstanceProfiles><IsTruncated>false</IsTruncated>"
    ))
}

/// `AddRoleToInstanceProfile`.
async fn add_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let (name, role) = (
        cx.params.required("InstanceProfileName")?,
        cx.params.required("RoleName")?,
    );
    instance_profiles::add_role(cx.pool(), cx.caller, name, role).await?;
    Ok(String::new())
}

/// `RemoveRoleFromInstanceProfile`.
async fn remove_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let (name, role) = (
        cx.params.required("InstanceProfileName")?,
        cx.params.required("RoleName")?,
    );
    instance_profiles::remove_role(cx.pool(), cx.caller, name, role).await?;
    Ok(String::new())
}

/// `DeleteInstanceProfile`.
async fn delete_instance_profile(cx: &Cx<'_>) -> Result<String, ApiError> {
    instance_profiles::delete(cx.pool(), cx.caller, cx.params.required("InstanceProfileName")?).await?;
    Ok(String::new())
}
