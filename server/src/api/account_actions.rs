//! API actions on groups' members, login profiles, tags, the account (alias, password policy,
//! summary), one's own password, and the policy simulator.

use super::xml::{base64, el, time, ApiError};
use super::Params;
use crate::router::AppState;
use iam_core::credentials::password::PasswordPolicy;
use iam_core::policy::{Explanation, Outcome};
use iam_service::ops::simulate::{Paging, Scenario, Subject};
use iam_service::ops::virtual_mfa::{self, Assignment, VirtualDevice};
use iam_service::ops::{aliases, groups, passwords, simulate, summary, users};
use iam_service::Caller;

fn flag(params: &Params, name: &str) -> bool {
    params.get(name) == Some("true")
}

fn number<T: std::str::FromStr>(params: &Params, name: &str) -> Result<Option<T>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| ApiError::validation(format!("Value '{v}' at '{name}' is not a number")))
        })
        .transpose()
}

fn password_policy_xml(p: &PasswordPolicy) -> String {
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

fn virtual_device_xml(d: &VirtualDevice, account: &str) -> String {
    let mut out = el("SerialNumber", &d.serial);
    match (&d.user, &d.assigned_to) {
        (Some(u), Some(arn)) => {
            out += &format!(
                "<User>{}{}{}{}{}</User>",
                el("Path", &u.path),
                el("UserName", &u.user_name),
                el("UserId", &u.user_id),
                el("Arn", arn),
                el("CreateDate", &time(u.created_at.unix_timestamp()))
            );
        }
        // The root user's device: AWS names the root by its ARN and account.
        (None, Some(arn)) => {
            out += &format!("<User>{}{}</User>", el("UserId", account), el("Arn", arn));
        }
        _ => {}
    }
    if let Some(enabled) = d.enabled_at {
        out += &el("EnableDate", &time(enabled.unix_timestamp()));
    }
    out
}

fn evaluation_xml(e: &Explanation) -> String {
    let decision = match e.decision {
        Outcome::Allowed => "allowed",
        Outcome::ExplicitDeny => "explicitDeny",
        Outcome::ImplicitDeny => "implicitDeny",
    };
    let matched: String = e
        .matched_statements
        .iter()
        .map(|s| {
            format!(
                "<member>{}{}</member>",
                el("SourcePolicyId", &s.policy),
                el("SourcePolicyType", "IAM Policy")
            )
        })
        .collect();
    format!(
        "<member>{}{}{}<MatchedStatements>{matched}</MatchedStatements><MissingContextValues/></member>",
        el("EvalActionName", &e.action),
        el("EvalResourceName", &e.resource),
        el("EvalDecision", decision)
    )
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
        "GetGroup" => {
            let detail = groups::get_group(pool, caller, params.required("GroupName")?).await?;
            let g = &detail.summary;
            let users: String = detail
                .users
                .iter()
                .map(|u| format!("<member>{}</member>", el("UserName", u)))
                .collect();
            format!(
                "<Group>{}</Group><Users>{users}</Users><IsTruncated>false</IsTruncated>",
                super::actions::group_fields(g)
            )
        }
        "DeleteGroup" => {
            groups::delete_group(pool, caller, params.required("GroupName")?, false).await?;
            String::new()
        }
        "RemoveUserFromGroup" => {
            groups::remove_user_from_group(
                pool,
                caller,
                params.required("GroupName")?,
                params.required("UserName")?,
            )
            .await?;
            String::new()
        }
        "ListGroupsForUser" => {
            let groups = users::list_groups_for_user(pool, caller, params.required("UserName")?).await?;
            super::actions::paged_list("Groups", groups, params, super::actions::group_fields)?
        }
        "CreateLoginProfile" | "UpdateLoginProfile" => {
            let name = params.required("UserName")?;
            users::set_console_password(
                pool,
                &state.ctx.hasher,
                caller,
                name,
                params.required("Password")?,
                flag(params, "PasswordResetRequired"),
            )
            .await?;
            if action == "CreateLoginProfile" {
                format!(
                    "<LoginProfile>{}{}</LoginProfile>",
                    el("UserName", name),
                    el(
                        "PasswordResetRequired",
                        if flag(params, "PasswordResetRequired") {
                            "true"
                        } else {
                            "false"
                        }
                    )
                )
            } else {
                String::new()
            }
        }
        "DeleteLoginProfile" => {
            users::delete_console_password(pool, caller, params.required("UserName")?).await?;
            String::new()
        }
        "ListMFADevices" => {
            let own = match caller.identity {
                iam_service::Identity::User { user_name, .. } => Some(user_name.as_str()),
                iam_service::Identity::Root { .. } => None,
            };
            let devices: Vec<(String, String, Option<i64>)> = match params.get("UserName").or(own) {
                Some(name) => users::list_user_mfa(pool, caller, name)
                    .await?
                    .into_iter()
                    .map(|d| (name.to_owned(), d.serial, d.enabled_at))
                    .collect(),
                None => iam_service::ops::mfa::list_devices(pool, caller.identity)
                    .await?
                    .into_iter()
                    .map(|d| {
                        (
                            caller.account().to_owned(),
                            d.serial,
                            Some(d.enabled_at.unix_timestamp()),
                        )
                    })
                    .collect(),
            };
            let list: String = devices
                .iter()
                .map(|(user, serial, enabled)| {
                    format!(
                        "<member>{}{}{}</member>",
                        el("UserName", user),
                        el("SerialNumber", serial),
                        enabled
                            .map(|t| el("EnableDate", &super::xml::time(t)))
                            .unwrap_or_default()
                    )
                })
                .collect();
            format!("<MFADevices>{list}</MFADevices><IsTruncated>false</IsTruncated>")
        }
        "CreateVirtualMFADevice" => {
            let device = virtual_mfa::create(
                pool,
                &state.ctx.secrets,
                caller,
                params.required("VirtualMFADeviceName")?,
                params.get("Path").unwrap_or("/"),
            )
            .await?;
            // Blobs travel base64-encoded: the seed is the base32 text, the QR code a PNG.
            format!(
                "<VirtualMFADevice>{}{}{}</VirtualMFADevice>",
                el("SerialNumber", &device.serial),
                el("Base32StringSeed", &base64(device.seed_base32.as_bytes())),
                el("QRCodePNG", &base64(&device.qr_png))
            )
        }
        "EnableMFADevice" | "ResyncMFADevice" => {
            let (user, serial) = (params.required("UserName")?, params.required("SerialNumber")?);
            let codes = (
                params.required("AuthenticationCode1")?,
                params.required("AuthenticationCode2")?,
            );
            let secrets = &state.ctx.secrets;
            if action == "EnableMFADevice" {
                virtual_mfa::enable(pool, secrets, caller, user, serial, codes.0, codes.1).await?;
            } else {
                virtual_mfa::resync(pool, secrets, caller, user, serial, codes.0, codes.1).await?;
            }
            String::new()
        }
        "DeactivateMFADevice" => {
            virtual_mfa::deactivate(
                pool,
                caller,
                params.required("UserName")?,
                params.required("SerialNumber")?,
            )
            .await?;
            String::new()
        }
        "DeleteVirtualMFADevice" => {
            virtual_mfa::delete(pool, caller, params.required("SerialNumber")?).await?;
            String::new()
        }
        "ListVirtualMFADevices" => {
            let assignment = match params.get("AssignmentStatus").unwrap_or("Any") {
                "Assigned" => Assignment::Assigned,
                "Unassigned" => Assignment::Unassigned,
                "Any" => Assignment::Any,
                other => {
                    return Err(ApiError::validation(format!(
                        "1 validation error detected: Value '{other}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]"
                    )))
                }
            };
            let devices = virtual_mfa::list(pool, caller, assignment).await?;
            super::actions::paged_list("VirtualMFADevices", devices, params, |d| {
                virtual_device_xml(d, caller.account())
            })?
        }
        "TagUser" => {
            let tags = super::actions::tags(params);
            users::tag_user(pool, caller, params.required("UserName")?, &tags).await?;
            String::new()
        }
        "UntagUser" => {
            users::untag_user(
                pool,
                caller,
                params.required("UserName")?,
                &params.members("TagKeys"),
            )
            .await?;
            String::new()
        }
        "ListUserTags" => {
            let tags = users::list_user_tags(pool, caller, params.required("UserName")?).await?;
            super::actions::paged_list("Tags", tags, params, |t| {
                format!("{}{}", el("Key", &t.key), el("Value", &t.value))
            })?
        }
        "CreateAccountAlias" => {
            aliases::set_alias(
                pool,
                caller.identity,
                params.required("AccountAlias")?,
                caller.now,
                caller.meta,
            )
            .await?;
            String::new()
        }
        "DeleteAccountAlias" => {
            aliases::delete_alias(pool, caller.identity, caller.now, caller.meta).await?;
            String::new()
        }
        "ListAccountAliases" => {
            let list: String = aliases::list_aliases(pool, caller)
                .await?
                .iter()
                .map(|a| el("member", a))
                .collect();
            format!("<AccountAliases>{list}</AccountAliases><IsTruncated>false</IsTruncated>")
        }
        "GetAccountPasswordPolicy" => match passwords::read_policy(pool, caller).await? {
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
        },
        "UpdateAccountPasswordPolicy" => {
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
            String::new()
        }
        "DeleteAccountPasswordPolicy" => {
            passwords::delete_policy(pool, caller.identity, caller.now, caller.meta).await?;
            String::new()
        }
        "GetAccountSummary" => {
            let s = summary::account_summary(pool, caller).await?;
            let entry =
                |k: &str, v: i64| format!("<entry>{}{}</entry>", el("key", k), el("value", &v.to_string()));
            format!(
                "<SummaryMap>{}{}{}{}{}{}{}{}{}</SummaryMap>",
                entry("Users", s.users),
                entry("UsersQuota", iam_core::quotas::USERS_PER_ACCOUNT),
                entry("Groups", s.groups),
                entry("GroupsQuota", iam_core::quotas::GROUPS_PER_ACCOUNT),
                entry("Roles", s.roles),
                entry("Policies", s.customer_policies),
                entry("PoliciesQuota", iam_core::quotas::CUSTOMER_POLICIES_PER_ACCOUNT),
                entry("AccountMFAEnabled", i64::from(s.root_mfa)),
                entry("Providers", s.identity_providers)
            )
        }
        "ChangePassword" => {
            let new = params.required("NewPassword")?;
            passwords::change_own_password(
                pool,
                &state.ctx.hasher,
                caller.identity,
                params.required("OldPassword")?,
                new,
                new,
                false,
                caller.now,
                caller.meta,
                &state.ctx.settings.lockout,
            )
            .await?;
            String::new()
        }
        "GenerateCredentialReport" => {
            iam_service::ops::report::generate_credential_report(pool, caller).await?;
            format!(
                "{}{}",
                el("State", "COMPLETE"),
                el("Description", "The report is made when it is read.")
            )
        }
        "GetCredentialReport" => {
            let csv = iam_service::ops::report::credential_report(pool, caller).await?;
            format!(
                "{}{}{}",
                el("Content", &super::xml::base64(csv.as_bytes())),
                el("ReportFormat", "text/csv"),
                el("GeneratedTime", &super::xml::time(caller.now.unix_timestamp()))
            )
        }
        "SimulatePrincipalPolicy" | "SimulateCustomPolicy" => {
            simulation(pool, caller, action, params).await?
        }
        _ => return Ok(None),
    };
    Ok(Some(result))
}

/// One page of a simulation: AWS's MaxItems and Marker in, IsTruncated and Marker out.
async fn simulation(
    pool: &sqlx::PgPool,
    caller: &Caller<'_>,
    action: &str,
    params: &Params,
) -> Result<String, ApiError> {
    let subject = if action == "SimulateCustomPolicy" {
        Subject::Custom(params.members("PolicyInputList"))
    } else {
        let arn = params.required("PolicySourceArn")?;
        let name = arn.rsplit('/').next().unwrap_or(arn).to_owned();
        if arn.contains(":group/") {
            Subject::Group(name)
        } else {
            Subject::User(name)
        }
    };
    let context = (1..)
        .map_while(|i| {
            let key = params.get(&format!("ContextEntries.member.{i}.ContextKeyName"))?;
            let value = params
                .get(&format!("ContextEntries.member.{i}.ContextKeyValues.member.1"))
                .unwrap_or("");
            Some((key.to_owned(), value.to_owned()))
        })
        .collect();
    let scenario = Scenario {
        actions: params.members("ActionNames"),
        resources: params.members("ResourceArns"),
        context,
    };
    let paging = Paging {
        marker: params.get("Marker").map(str::to_owned),
        max_items: usize::try_from(super::actions::max_items(params)?).unwrap_or(simulate::DEFAULT_ITEMS),
    };
    let page = simulate::simulate(pool, caller, &subject, &scenario, &paging).await?;
    let results: String = page.results.iter().map(evaluation_xml).collect();
    let more = match &page.marker {
        Some(marker) => format!("<IsTruncated>true</IsTruncated>{}", el("Marker", marker)),
        None => "<IsTruncated>false</IsTruncated>".to_owned(),
    };
    Ok(format!("<EvaluationResults>{results}</EvaluationResults>{more}"))
}
