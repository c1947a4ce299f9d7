//! The account: alias, password policy, summary, credential report, authorization details.

use super::lists::flag;
use super::lists::number;
use super::lists::url_encode;
use super::registry::Cx;
use super::xml::el;
use super::xml::time;
use super::xml::ApiError;
use iam_core::credentials::password::PasswordPolicy;
use iam_service::ops::aliases;
use iam_service::ops::passwords;
use iam_service::ops::summary;

super::registry::actions! {
    "CreateAccountAlias" => create_account_alias,
    "DeleteAccountAlias" => delete_account_alias,
    "ListAccountAliases" => list_account_aliases,
    "GetAccountPasswordPolicy" => get_account_password_policy,
    "UpdateAccountPasswordPolicy" => update_account_password_policy,
    "DeleteAccountPasswordPolicy" => delete_account_password_policy,
    "GetAccountSummary" => get_account_summary,
    "GenerateCredentialReport" => generate_credential_report,
    "GetCredentialReport" => get_credential_report,
    "GetAccountAuthorizationDetails" => get_account_authorization_details,
}

pub(super) fn password_policy_xml(p: &PasswordPolicy) -> String {
    let b = |v: bool| if v { "true" } else { "false" };
    let mut out = el("MinimumPasswordLength", &p.minimum_length.to_string());
    out += &el("RequireSymbols", b(p.require_symbols));
    out += &el("RequireNumbers", b(p.require_numbers));
    out += &el("RequireUppercaseCharacters", b(p.require_uppercase));
    out += &el("RequireLowercaseCharacters", b(p.require_lowercase));
    out += &el("AllowUsersToChangePassword", b(p.allow_users_to_change_password));
    out += &el("ExpirePasswords", b(p.max_password_age.is_some()));
    if let Some(age) = p.max_password_age {
        out += &el("MaxPasswordAge", &age.to_string());
    }
    if let Some(n) = p.password_reuse_prevention {
        out += &el("PasswordReusePrevention", &n.to_string());
    }
    out + &el("HardExpiry", b(p.hard_expiry))
}

pub(super) fn pairs_xml(list: &[(String, String)], first: &str, second: &str, encode_second: bool) -> String {
    list.iter()
        .map(|(a, b)| {
            let b = if encode_second { url_encode(b) } else { b.clone() };
            format!("<member>{}{}</member>", el(first, a), el(second, &b))
        })
        .collect()
}

pub(super) fn authorization_details_xml(d: &iam_service::ops::details::AuthorizationDetails) -> String {
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
    let roles: String = d.roles.iter().map(role_detail_xml).collect();
    format!(
        "<UserDetailList>{users}</UserDetailList><GroupDetailList>{groups}</GroupDetailList><RoleDetailList>{roles}</RoleDetailList><Policies>{policies}</Policies><IsTruncated>false</IsTruncated>"
    )
}

/// One RoleDetailList member: the role as GetRole shows it, with its instance profiles and
/// policies.
fn role_detail_xml(r: &iam_service::ops::details::RoleDetails) -> String {
    let profiles: String = r
        .instance_profiles
        .iter()
        .map(|(name, id, path, created)| {
            format!(
                "<member>{}{}{}{}{}<Roles/></member>",
                el("Path", path),
                el("InstanceProfileName", name),
                el("InstanceProfileId", id),
                el(
                    "Arn",
                    &iam_core::arn::entity_arn(r.role.account(), "instance-profile", path, name)
                ),
                el("CreateDate", &time(*created))
            )
        })
        .collect();
    format!(
        "<member>{}<InstanceProfileList>{profiles}</InstanceProfileList><RolePolicyList>{}</RolePolicyList><AttachedManagedPolicies>{}</AttachedManagedPolicies><Tags>{}</Tags></member>",
        super::roles::role_fields(&r.role, true),
        pairs_xml(&r.inline, "PolicyName", "PolicyDocument", true),
        pairs_xml(&r.attached, "PolicyName", "PolicyArn", false),
        pairs_xml(&r.tags, "Key", "Value", false)
    )
}

/// `CreateAccountAlias`.
async fn create_account_alias(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    aliases::set_alias(
        pool,
        caller.identity,
        params.required("AccountAlias")?,
        caller.now,
        caller.meta,
    )
    .await?;
    Ok(String::new())
}

/// `DeleteAccountAlias`.
async fn delete_account_alias(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    aliases::delete_alias(pool, caller.identity, caller.now, caller.meta).await?;
    Ok(String::new())
}

/// `ListAccountAliases`.
async fn list_account_aliases(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let list: String = aliases::list_aliases(pool, caller)
        .await?
        .iter()
        .map(|a| el("member", a))
        .collect();
    Ok(format!(
        "<AccountAliases>{list}</AccountAliases><IsTruncated>false</IsTruncated>"
    ))
}

/// `GetAccountPasswordPolicy`.
async fn get_account_password_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    Ok(match passwords::read_policy(pool, caller).await? {
        Some(policy) => format!(
            "<PasswordPolicy>{}</PasswordPolicy>",
            password_policy_xml(&policy)
        ),
        None => {
            return Err(ApiError::from(iam_service::ServiceError::NoSuchEntity(format!(
                "The Password Policy with domain name {} cannot be found.",
                caller.account()
            ))))
        }
    })
}

/// `UpdateAccountPasswordPolicy`.
async fn update_account_password_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    // Ours beyond AWS, and not a parameter of AWS's API: kept as the console set it.
    let stored = passwords::get_policy(pool, caller.identity.account_id()).await?;
    let policy = PasswordPolicy {
        minimum_length: number(params, "MinimumPasswordLength")?.unwrap_or(6),
        require_symbols: flag(params, "RequireSymbols"),
        require_numbers: flag(params, "RequireNumbers"),
        require_uppercase: flag(params, "RequireUppercaseCharacters"),
        require_lowercase: flag(params, "RequireLowercaseCharacters"),
        allow_users_to_change_password: flag(params, "AllowUsersToChangePassword"),
        max_password_age: number(params, "MaxPasswordAge")?,
        password_reuse_prevention: number(params, "PasswordReusePrevention")?,
        hard_expiry: flag(params, "HardExpiry"),
        refuse_guessable: stored.as_ref().is_none_or(|p| p.refuse_guessable),
    };
    passwords::set_policy(pool, caller.identity, &policy, caller.now, caller.meta).await?;
    Ok(String::new())
}

/// `DeleteAccountPasswordPolicy`.
async fn delete_account_password_policy(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    passwords::delete_policy(pool, caller.identity, caller.now, caller.meta).await?;
    Ok(String::new())
}

/// `GetAccountSummary`.
async fn get_account_summary(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let s = summary::account_summary(pool, caller).await?;
    let entry = |k: &str, v: i64| format!("<entry>{}{}</entry>", el("key", k), el("value", &v.to_string()));
    Ok(format!(
        "<SummaryMap>{}{}{}{}{}{}{}{}{}{}</SummaryMap>",
        entry("Users", s.users),
        entry("UsersQuota", iam_core::quotas::USERS_PER_ACCOUNT),
        entry("Groups", s.groups),
        entry("GroupsQuota", iam_core::quotas::GROUPS_PER_ACCOUNT),
        entry("Roles", s.roles),
        entry("RolesQuota", iam_core::quotas::ROLES_PER_ACCOUNT),
        entry("Policies", s.customer_policies),
        entry("PoliciesQuota", iam_core::quotas::CUSTOMER_POLICIES_PER_ACCOUNT),
        entry("AccountMFAEnabled", i64::from(s.root_mfa)),
        entry("Providers", s.identity_providers)
    ))
}

/// `GenerateCredentialReport`.
async fn generate_credential_report(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    iam_service::ops::report::generate_credential_report(pool, caller).await?;
    Ok(format!(
        "{}{}",
        el("State", "COMPLETE"),
        el("Description", "The report is made when it is read.")
    ))
}

/// `GetCredentialReport`.
async fn get_credential_report(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let csv = iam_service::ops::report::credential_report(pool, caller).await?;
    Ok(format!(
        "{}{}{}",
        el("Content", &super::xml::base64(csv.as_bytes())),
        el("ReportFormat", "text/csv"),
        el("GeneratedTime", &super::xml::time(caller.now.unix_timestamp()))
    ))
}

/// `GetAccountAuthorizationDetails`.
async fn get_account_authorization_details(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let details = iam_service::ops::details::authorization_details(pool, caller).await?;
    Ok(authorization_details_xml(&details))
}
