//! Managed policies and their versions, and who they are attached to.

use super::lists::page;
use super::lists::paged;
use super::lists::paged_list;
use super::lists::path_prefix;
use super::lists::truncation;
use super::lists::url_encode;
use super::registry::Cx;
use super::xml::el;
use super::xml::time;
use super::xml::ApiError;
use iam_core::model::PolicySummary;
use iam_core::model::PolicyType;
use iam_service::ops::policies;
use iam_service::ops::policies::PolicyFilter;
use iam_service::ops::policies::PolicyRead;

super::registry::actions! {
    "CreatePolicy" => create_policy,
    "GetPolicy" => get_policy,
    "ListPolicies" => list_policies,
    "DeletePolicy" => delete_policy,
    "CreatePolicyVersion" => create_policy_version,
    "GetPolicyVersion" => policy_versions,
    "ListPolicyVersions" => policy_versions,
    "SetDefaultPolicyVersion" => choose_version,
    "DeletePolicyVersion" => choose_version,
    "ListEntitiesForPolicy" => list_entities_for_policy,
}

pub(super) fn policy_xml(p: &PolicySummary, id: Option<&str>) -> String {
    let mut out = el("PolicyName", &p.policy_name);
    out += &el("Arn", &p.arn);
    if let Some(id) = id {
        out += &el("PolicyId", id);
    }
    out += &el("Path", &p.path);
    out += &el("DefaultVersionId", &p.default_version);
    out += &el("AttachmentCount", &p.attachments.to_string());
    out += &el("IsAttachable", "true");
    if !p.description.is_empty() {
        out += &el("Description", &p.description);
    }
    if let Some(updated) = p.updated_at {
        out += &el("UpdateDate", &time(updated));
    }
    out
}

/// A policy's path from its ARN (`arn:aws:iam::aws:policy/job-function/X` → `/job-function/`).
pub(super) fn policy_path(arn: &str) -> &str {
    let rest = arn.split_once(":policy").map_or("/", |(_, r)| r);
    rest.rfind('/').map_or("/", |i| &rest[..=i])
}

/// `CreatePolicy`.
async fn create_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let policy = policies::create_policy(
        pool,
        caller,
        params.required("PolicyName")?,
        params.get("Path").unwrap_or("/"),
        params.get("Description").unwrap_or(""),
        params.required("PolicyDocument")?,
    )
    .await?;
    Ok(format!(
        "<Policy>{}{}{}{}{}{}{}</Policy>",
        el("PolicyName", &policy.policy_name),
        el("Arn", &policy.arn),
        el("Path", &policy.path),
        el("DefaultVersionId", &policy.default_version),
        el("AttachmentCount", &policy.attachments.to_string()),
        el("IsAttachable", "true"),
        el(
            "CreateDate",
            &time(policy.updated_at.unwrap_or(caller.now.unix_timestamp()))
        )
    ))
}

/// `GetPolicy`.
async fn get_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let arn = params.required("PolicyArn")?;
    let detail = policies::read_policy(pool, caller, arn, PolicyRead::GetPolicy).await?;
    Ok(format!(
        "<Policy>{}</Policy>",
        policy_xml(&detail.summary, detail.policy_id.as_deref())
    ))
}

/// `ListPolicies`.
async fn list_policies(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let (offset, limit) = page(params)?;
    let types = match params.get("Scope").unwrap_or("All") {
        "All" => vec![],
        "AWS" => vec![PolicyType::AwsManaged, PolicyType::AwsManagedJobFunction],
        "Local" => vec![PolicyType::CustomerManaged],
        other => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
            )))
        }
    };
    let filter = PolicyFilter {
        types,
        path_prefix: path_prefix(params)?,
        only_attached: params.get("OnlyAttached") == Some("true"),
        ..PolicyFilter::default()
    };
    let listed = policies::list_policies(pool, caller, &filter, offset, limit).await?;
    let members: String = listed
        .items
        .iter()
        .map(|p| format!("<member>{}</member>", policy_xml(p, None)))
        .collect();
    Ok(format!(
        "<Policies>{members}</Policies>{}",
        truncation(offset, listed.items.len(), listed.total)
    ))
}

/// `DeletePolicy`.
async fn delete_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    policies::delete_policy(pool, caller, params.required("PolicyArn")?, false).await?;
    Ok(String::new())
}

/// `CreatePolicyVersion`.
async fn create_policy_version(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let id = policies::create_version(
        pool,
        caller,
        params.required("PolicyArn")?,
        params.required("PolicyDocument")?,
        params.get("SetAsDefault") == Some("true"),
    )
    .await?;
    Ok(format!("<PolicyVersion>{}</PolicyVersion>", el("VersionId", &id)))
}

/// `GetPolicyVersion` / `ListPolicyVersions`.
async fn policy_versions(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    let read = if action == "GetPolicyVersion" {
        PolicyRead::GetPolicyVersion
    } else {
        PolicyRead::ListPolicyVersions
    };
    let detail = policies::read_policy(pool, caller, params.required("PolicyArn")?, read).await?;
    let version = |v: &iam_core::model::PolicyVersionInfo, with_document: bool| {
        format!(
            "{}{}{}{}",
            if with_document {
                el("Document", &url_encode(&v.document))
            } else {
                String::new()
            },
            el("VersionId", &v.version_id),
            el("IsDefaultVersion", if v.is_default { "true" } else { "false" }),
            v.created_at
                .map(|t| el("CreateDate", &time(t)))
                .unwrap_or_default()
        )
    };
    Ok(if action == "GetPolicyVersion" {
        let wanted = params.required("VersionId")?;
        let v = detail
            .versions
            .iter()
            .find(|v| v.version_id == wanted)
            .ok_or_else(|| {
                ApiError::from(iam_service::ServiceError::NoSuchEntity(format!(
                    "Policy {} version {wanted} does not exist or is not attachable.",
                    detail.summary.arn
                )))
            })?;
        format!("<PolicyVersion>{}</PolicyVersion>", version(v, true))
    } else {
        paged_list("Versions", detail.versions, params, |v| version(v, false))?
    })
}

/// `SetDefaultPolicyVersion` / `DeletePolicyVersion`.
async fn choose_version(cx: &Cx<'_>) -> Result<String, ApiError> {
    let (arn, version) = (cx.params.required("PolicyArn")?, cx.params.required("VersionId")?);
    if cx.action == "SetDefaultPolicyVersion" {
        policies::set_default_version(cx.pool(), cx.caller, arn, version).await?;
    } else {
        policies::delete_version(cx.pool(), cx.caller, arn, version).await?;
    }
    Ok(String::new())
}

/// `ListEntitiesForPolicy`.
async fn list_entities_for_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let arn = params.required("PolicyArn")?;
    let detail = policies::read_policy(pool, caller, arn, PolicyRead::ListEntitiesForPolicy).await?;
    let mut entities = detail.entities;
    match params.get("EntityFilter") {
        None => {}
        Some(kind @ ("User" | "Group" | "Role")) => entities.retain(|e| e.kind == kind),
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]"
            )))
        }
    }
    let (shown, marker) = paged(entities, params)?;
    let of = |kind: &str, tag: &str| -> String {
        shown
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| format!("<member>{}</member>", el(tag, &e.name)))
            .collect()
    };
    Ok(format!(
        "<PolicyUsers>{}</PolicyUsers><PolicyGroups>{}</PolicyGroups><PolicyRoles>{}</PolicyRoles>{marker}",
        of("User", "UserName"),
        of("Group", "GroupName"),
        of("Role", "RoleName")
    ))
}
