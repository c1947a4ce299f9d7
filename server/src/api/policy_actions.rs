//! API actions on managed policies, their versions, attachments and inline policies.

use super::xml::{el, time, ApiError};
use super::Params;
use crate::router::AppState;
use iam_core::model::{AttachedPolicy, PolicySummary, PolicyType};
use iam_service::ops::attachments::{self, Entity};
use iam_service::ops::policies;
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

fn attached_xml(list: &[AttachedPolicy]) -> String {
    list.iter()
        .map(|p| {
            format!(
                "<member>{}{}</member>",
                el("PolicyName", &p.policy_name),
                el("PolicyArn", &p.policy_arn)
            )
        })
        .collect()
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
            let detail = policies::get_policy(pool, caller, params.required("PolicyArn")?).await?;
            format!(
                "<Policy>{}</Policy>",
                policy_xml(&detail.summary, detail.policy_id.as_deref())
            )
        }
        "ListPolicies" => {
            let (offset, limit) = super::actions::page(params)?;
            let filter = match params.get("Scope") {
                Some("Local") => Some(PolicyType::CustomerManaged),
                _ => None,
            };
            let listed = policies::list_policies(pool, caller, filter, "", offset, limit).await?;
            let mut items = listed.items;
            if params.get("Scope") == Some("AWS") {
                items.retain(|p| p.policy_type != PolicyType::CustomerManaged);
            }
            let members: String = items
                .iter()
                .map(|p| format!("<member>{}</member>", policy_xml(p, None)))
                .collect();
            format!(
                "<Policies>{members}</Policies>{}",
                super::actions::truncation(offset, items.len(), listed.total)
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
            let detail = policies::get_policy(pool, caller, params.required("PolicyArn")?).await?;
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
                let members: String = detail
                    .versions
                    .iter()
                    .map(|v| format!("<member>{}</member>", version(v, false)))
                    .collect();
                format!("<Versions>{members}</Versions><IsTruncated>false</IsTruncated>")
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
            let target = entity(action, params)?;
            let list = match &target {
                Entity::User(name) => iam_service::ops::users::get_user(pool, caller, name)
                    .await?
                    .policies
                    .into_iter()
                    .filter(|p| p.attached_via == "Directly")
                    .collect::<Vec<_>>(),
                Entity::Group(name) => {
                    iam_service::ops::groups::get_group(pool, caller, name)
                        .await?
                        .policies
                }
            };
            format!(
                "<AttachedPolicies>{}</AttachedPolicies><IsTruncated>false</IsTruncated>",
                attached_xml(&list)
            )
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
        "GetUserPolicy" | "GetGroupPolicy" | "ListUserPolicies" | "ListGroupPolicies" => {
            let target = entity(action, params)?;
            let inline = match &target {
                Entity::User(name) => {
                    iam_service::ops::users::get_user(pool, caller, name)
                        .await?
                        .inline_policies
                }
                Entity::Group(name) => {
                    iam_service::ops::groups::get_group(pool, caller, name)
                        .await?
                        .inline_policies
                }
            };
            if action.starts_with("List") {
                let names: String = inline.iter().map(|p| el("member", &p.policy_name)).collect();
                format!("<PolicyNames>{names}</PolicyNames><IsTruncated>false</IsTruncated>")
            } else {
                let wanted = params.required("PolicyName")?;
                let p = inline.iter().find(|p| p.policy_name == wanted).ok_or_else(|| {
                    ApiError::from(iam_service::ServiceError::NoSuchEntity(format!(
                        "The {} policy with name {wanted} cannot be found.",
                        if action.contains("User") { "user" } else { "group" }
                    )))
                })?;
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
        }
        "ListEntitiesForPolicy" => {
            let detail = policies::get_policy(pool, caller, params.required("PolicyArn")?).await?;
            let of = |kind: &str, tag: &str| -> String {
                detail
                    .entities
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| format!("<member>{}</member>", el(tag, &e.name)))
                    .collect()
            };
            format!(
                "<PolicyUsers>{}</PolicyUsers><PolicyGroups>{}</PolicyGroups><PolicyRoles/><IsTruncated>false</IsTruncated>",
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
