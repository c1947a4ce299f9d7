//! API actions on managed policies, their versions, attachments and inline policies.

use super::xml::{el, time, ApiError};
use super::Params;
use crate::router::AppState;
use iam_core::model::{PolicySummary, PolicyType};
use iam_service::ops::attachments::{self, Entity};
use iam_service::ops::policies::{self, PolicyFilter, PolicyRead};
use iam_service::Caller;

/// AWS returns policy documents URL-encoded inside the XML.
fn url_encode(text: &str) -> String {
    iam_core::credentials::sigv4::encode_component(text)
}

fn policy_xml(p: &PolicySummary, id: Option<&str>) -> String {
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
fn policy_path(arn: &str) -> &str {
    let rest = arn.split_once(":policy").map_or("/", |(_, r)| r);
    rest.rfind('/').map_or("/", |i| &rest[..=i])
}

fn entity(action: &str, params: &Params) -> Result<Entity, ApiError> {
    Ok(if action.contains("User") {
        Entity::User(params.required("UserName")?.to_owned())
    } else {
        Entity::Group(params.required("GroupName")?.to_owned())
    })
}

/// `Ok(None)` when the action is not one of these.
pub async fn dispatch(
    state: &AppState,
    caller: &Caller<'_>,
    action: &str,
    params: &Params,
) -> Result<Option<String>, ApiError> {
    let pool = &state.ctx.pool;
    let result = match action {
        "GetPolicy" => {
            let arn = params.required("PolicyArn")?;
            let detail = policies::read_policy(pool, caller, arn, PolicyRead::GetPolicy).await?;
            format!(
                "<Policy>{}</Policy>",
                policy_xml(&detail.summary, detail.policy_id.as_deref())
            )
        }
        "ListPolicies" => {
            let (offset, limit) = super::actions::page(params)?;
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
                path_prefix: super::actions::path_prefix(params)?,
                only_attached: params.get("OnlyAttached") == Some("true"),
                ..PolicyFilter::default()
            };
            let listed = policies::list_policies(pool, caller, &filter, offset, limit).await?;
            let members: String = listed
                .items
                .iter()
                .map(|p| format!("<member>{}</member>", policy_xml(p, None)))
                .collect();
            format!(
                "<Policies>{members}</Policies>{}",
                super::actions::truncation(offset, listed.items.len(), listed.total)
            )
        }
        "DeletePolicy" => {
            policies::delete_policy(pool, caller, params.required("PolicyArn")?, false).await?;
            String::new()
        }
        "CreatePolicyVersion" => {
            let id = policies::create_version(
                pool,
                caller,
                params.required("PolicyArn")?,
                params.required("PolicyDocument")?,
                params.get("SetAsDefault") == Some("true"),
            )
            .await?;
            format!("<PolicyVersion>{}</PolicyVersion>", el("VersionId", &id))
        }
        "GetPolicyVersion" | "ListPolicyVersions" => {
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
            if action == "GetPolicyVersion" {
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
                super::actions::paged_list("Versions", detail.versions, params, |v| version(v, false))?
            }
        }
        "SetDefaultPolicyVersion" => {
            policies::set_default_version(
                pool,
                caller,
                params.required("PolicyArn")?,
                params.required("VersionId")?,
            )
            .await?;
            String::new()
        }
        "DeletePolicyVersion" => {
            policies::delete_version(
                pool,
                caller,
                params.required("PolicyArn")?,
                params.required("VersionId")?,
            )
            .await?;
            String::new()
        }
        "ListAttachedUserPolicies" | "ListAttachedGroupPolicies" => {
            let mut list = attachments::list_attached(pool, caller, &entity(action, params)?).await?;
            let prefix = super::actions::path_prefix(params)?;
            list.retain(|p| policy_path(&p.policy_arn).starts_with(&prefix));
            super::actions::paged_list("AttachedPolicies", list, params, |p| {
                format!(
                    "{}{}",
                    el("PolicyName", &p.policy_name),
                    el("PolicyArn", &p.policy_arn)
                )
            })?
        }
        "PutUserPolicy" | "PutGroupPolicy" => {
            let target = entity(action, params)?;
            attachments::put_inline(
                pool,
                caller,
                &target,
                params.required("PolicyName")?,
                params.required("PolicyDocument")?,
            )
            .await?;
            String::new()
        }
        "DeleteUserPolicy" | "DeleteGroupPolicy" => {
            let target = entity(action, params)?;
            attachments::delete_inline(pool, caller, &target, params.required("PolicyName")?).await?;
            String::new()
        }
        "ListUserPolicies" | "ListGroupPolicies" => {
            let names = attachments::list_inline(pool, caller, &entity(action, params)?).await?;
            super::actions::paged_list("PolicyNames", names, params, |n| super::xml::escape(n))?
        }
        "GetUserPolicy" | "GetGroupPolicy" => {
            let target = entity(action, params)?;
            let p = attachments::get_inline(pool, caller, &target, params.required("PolicyName")?).await?;
            let owner = match &target {
                Entity::User(n) => el("UserName", n),
                Entity::Group(n) => el("GroupName", n),
            };
            format!(
                "{owner}{}{}",
                el("PolicyName", &p.policy_name),
                el("PolicyDocument", &url_encode(&p.document))
            )
        }
        "ListEntitiesForPolicy" => {
            let arn = params.required("PolicyArn")?;
            let detail = policies::read_policy(pool, caller, arn, PolicyRead::ListEntitiesForPolicy).await?;
            let mut entities = detail.entities;
            match params.get("EntityFilter") {
                None => {}
                Some(kind @ ("User" | "Group")) => entities.retain(|e| e.kind == kind),
                Some("Role") => entities.clear(),
                Some(other) => {
                    return Err(ApiError::validation(format!(
                        "1 validation error detected: Value '{other}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]"
                    )))
                }
            }
            let (shown, marker) = super::actions::paged(entities, params)?;
            let of = |kind: &str, tag: &str| -> String {
                shown
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| format!("<member>{}</member>", el(tag, &e.name)))
                    .collect()
            };
            format!(
                "<PolicyUsers>{}</PolicyUsers><PolicyGroups>{}</PolicyGroups><PolicyRoles/>{marker}",
                of("User", "UserName"),
                of("Group", "GroupName")
            )
        }
        "GetAccountAuthorizationDetails" => {
            authorization_details_xml(&iam_service::ops::details::authorization_details(pool, caller).await?)
        }
        _ => return Ok(None),
    };
    Ok(Some(result))
}

fn pairs_xml(list: &[(String, String)], first: &str, second: &str, encode_second: bool) -> String {
    list.iter()
        .map(|(a, b)| {
            let b = if encode_second { url_encode(b) } else { b.clone() };
            format!("<member>{}{}</member>", el(first, a), el(second, &b))
        })
        .collect()
}

fn authorization_details_xml(d: &iam_service::ops::details::AuthorizationDetails) -> String {
    let users: String = d
        .users
        .iter()
        .map(|u| {
            format!(
                "<member>{}{}{}{}{}<GroupList>{}</GroupList><AttachedManagedPolicies>{}</AttachedManagedPolicies><UserPolicyList>{}</UserPolicyList><Tags>{}</Tags></member>",
                el("Path", &u.path),
                el("UserName", &u.user_name),
                el("UserId", &u.user_id),
                el("Arn", &u.arn),
                el("CreateDate", &time(u.created_at)),
                u.groups.iter().map(|g| el("member", g)).collect::<String>(),
                pairs_xml(&u.attached, "PolicyName", "PolicyArn", false),
                pairs_xml(&u.inline, "PolicyName", "PolicyDocument", true),
                pairs_xml(&u.tags, "Key", "Value", false)
            )
        })
        .collect();
    let groups: String = d
        .groups
        .iter()
        .map(|g| {
            format!(
                "<member>{}{}{}{}{}<GroupPolicyList>{}</GroupPolicyList><AttachedManagedPolicies>{}</AttachedManagedPolicies></member>",
                el("Path", &g.path),
                el("GroupName", &g.group_name),
                el("GroupId", &g.group_id),
                el("Arn", &g.arn),
                el("CreateDate", &time(g.created_at)),
                pairs_xml(&g.inline, "PolicyName", "PolicyDocument", true),
                pairs_xml(&g.attached, "PolicyName", "PolicyArn", false)
            )
        })
        .collect();
    let policies: String = d
        .policies
        .iter()
        .map(|p| {
            let versions: String = p
                .versions
                .iter()
                .map(|(id, document, default, created)| {
                    format!(
                        "<member>{}{}{}{}</member>",
                        el("Document", &url_encode(document)),
                        el("VersionId", id),
                        el("IsDefaultVersion", if *default { "true" } else { "false" }),
                        el("CreateDate", &time(*created))
                    )
                })
                .collect();
            format!(
                "<member>{}{}{}{}{}{}<IsAttachable>true</IsAttachable>{}{}<PolicyVersionList>{versions}</PolicyVersionList></member>",
                el("PolicyName", &p.policy_name),
                el("PolicyId", &p.policy_id),
                el("Arn", &p.arn),
                el("Path", &p.path),
                el("DefaultVersionId", &p.default_version),
                el("AttachmentCount", &p.attachments.to_string()),
                el("CreateDate", &time(p.created_at)),
                el("UpdateDate", &time(p.updated_at))
            )
        })
        .collect();
    format!(
        "<UserDetailList>{users}</UserDetailList><GroupDetailList>{groups}</GroupDetailList><RoleDetailList/><Policies>{policies}</Policies><IsTruncated>false</IsTruncated>"
    )
}
