//! The API's actions: parameters in, the iam-service operation, AWS's XML out.

use super::xml::{el, success, time, ApiError, IAM_NS, STS_NS};
use super::Params;
use crate::router::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use iam_core::model::{GroupSummary, PageRequest, UserSummary};
use iam_service::ops::{access_keys, attachments, groups, policies, users};
use iam_service::{Caller, Identity};

/// ListUsers' markers: this, then the last user name of the page before.
const USER_MARKER: &str = "after:";

/// AWS's default and largest page for list actions.
const MAX_ITEMS: i64 = 1000;
const DEFAULT_ITEMS: i64 = 100;

/// A user's fields, without the enclosing element (`<User>` alone, `<member>` in lists).
fn user_fields(u: &UserSummary) -> String {
    let mut out = String::new();
    out += &el("Path", &u.path);
    out += &el("UserName", &u.user_name);
    out += &el("UserId", &u.user_id);
    out += &el("Arn", &u.arn);
    out += &el("CreateDate", &time(u.created_at));
    if let Some(used) = u.password_last_used {
        out += &el("PasswordLastUsed", &time(used));
    }
    out
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

/// Marker and MaxItems as an offset page. Markers are opaque to clients; these lists' is
/// the offset.
pub(super) fn page(params: &Params) -> Result<(i64, i64), ApiError> {
    let offset = match params.get("Marker") {
        None => 0,
        Some(m) => m
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| ApiError::validation(format!("Invalid Marker `{m}`")))?,
    };
    Ok((offset, max_items(params)?))
}

/// MaxItems: 1 to 1000, 100 when not given.
pub(super) fn max_items(params: &Params) -> Result<i64, ApiError> {
    match params.get("MaxItems") {
        None => Ok(DEFAULT_ITEMS),
        Some(n) => n
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_ITEMS).contains(n))
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
                ))
            }),
    }
}

pub(super) fn truncation(offset: i64, shown: usize, total: i64) -> String {
    let next = offset + shown as i64;
    if next < total {
        format!(
            "<IsTruncated>true</IsTruncated>{}",
            el("Marker", &next.to_string())
        )
    } else {
        "<IsTruncated>false</IsTruncated>".into()
    }
}

/// One page of a list that is already whole in memory (a user's groups, tags, policies:
/// at most a few dozen), with the same markers as the database's pages.
pub(super) fn paged<T>(items: Vec<T>, params: &Params) -> Result<(Vec<T>, String), ApiError> {
    let (offset, limit) = page(params)?;
    let total = items.len() as i64;
    let shown: Vec<T> = items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    let marker = truncation(offset, shown.len(), total);
    Ok((shown, marker))
}

/// `<{tag}><member>…</member>…</{tag}>` and its marker, for one page of an in-memory list;
/// `member` writes one item's fields.
pub(super) fn paged_list<T>(
    tag: &str,
    items: Vec<T>,
    params: &Params,
    member: impl Fn(&T) -> String,
) -> Result<String, ApiError> {
    let (shown, marker) = paged(items, params)?;
    let members: String = shown
        .iter()
        .map(|item| format!("<member>{}</member>", member(item)))
        .collect();
    Ok(format!("<{tag}>{members}</{tag}>{marker}"))
}

/// AWS's PathPrefix: `/` followed by printable ASCII, at most 512 characters.
pub(super) fn path_prefix(params: &Params) -> Result<String, ApiError> {
    let prefix = params.get("PathPrefix").unwrap_or("/");
    let ok =
        prefix.starts_with('/') && prefix.len() <= 512 && prefix.bytes().all(|b| (0x21..=0x7f).contains(&b));
    if ok {
        Ok(prefix.to_owned())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{prefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"
        )))
    }
}

fn caller_user_name<'a>(caller: &Caller<'a>) -> Option<&'a str> {
    match caller.identity {
        Identity::User { user_name, .. } => Some(user_name),
        Identity::Root { .. } => None,
    }
}

pub async fn dispatch(
    state: &AppState,
    caller: &Caller<'_>,
    action: &str,
    sts: bool,
    params: &Params,
    id: &str,
) -> Result<Response, ApiError> {
    let pool = &state.ctx.pool;
    let ok = |result: String| Ok(success(if sts { STS_NS } else { IAM_NS }, action, &result, id));
    if sts {
        return match action {
            "GetCallerIdentity" => {
                let user_id = match caller.identity {
                    Identity::User { user_id, .. } => user_id.clone(),
                    Identity::Root { account_id } => account_id.to_string(),
                };
                ok(format!(
                    "{}{}{}",
                    el("Arn", &caller.identity.arn()),
                    el("UserId", &user_id),
                    el("Account", caller.account())
                ))
            }
            other => Err(invalid_action(other, "2011-06-15")),
        };
    }
    match action {
        "GetUser" => {
            let name = match params.get("UserName").or_else(|| caller_user_name(caller)) {
                Some(name) => name.to_owned(),
                None => {
                    // The root user asking about itself.
                    let arn = caller.identity.arn();
                    return ok(format!(
                        "<User>{}{}{}</User>",
                        el("UserId", caller.account()),
                        el("Arn", &arn),
                        el("CreateDate", &time(caller.now.unix_timestamp()))
                    ));
                }
            };
            ok(format!(
                "<User>{}</User>",
                user_fields(&users::get_user_summary(pool, caller, &name).await?)
            ))
        }
        "ListUsers" => {
            // Our marker is the last name of the page before (opaque to clients).
            let after = match params.get("Marker") {
                None => None,
                Some(m) => Some(
                    m.strip_prefix(USER_MARKER)
                        .ok_or_else(|| ApiError::validation(format!("Invalid Marker `{m}`")))?,
                ),
            };
            let (users, more) =
                users::list_users_after(pool, caller, &path_prefix(params)?, after, max_items(params)?)
                    .await?;
            let members: String = users
                .iter()
                .map(|u| format!("<member>{}</member>", user_fields(u)))
                .collect();
            let marker = match users.last() {
                Some(last) if more => format!(
                    "<IsTruncated>true</IsTruncated>{}",
                    el("Marker", &format!("{USER_MARKER}{}", last.user_name))
                ),
                _ => "<IsTruncated>false</IsTruncated>".into(),
            };
            ok(format!("<Users>{members}</Users>{marker}"))
        }
        "CreateUser" => {
            let new = users::NewUser {
                user_name: params.required("UserName")?.to_owned(),
                path: params.get("Path").unwrap_or("/").to_owned(),
                tags: tags(params),
                ..Default::default()
            };
            let name = new.user_name.clone();
            users::create_user(pool, &state.ctx.hasher, caller, new).await?;
            ok(format!(
                "<User>{}</User>",
                user_fields(&users::get_user_summary(pool, caller, &name).await?)
            ))
        }
        "UpdateUser" | "UpdateGroup" => {
            let (entity, new_name) = if action == "UpdateUser" {
                (
                    attachments::Entity::User(params.required("UserName")?.to_owned()),
                    params.get("NewUserName"),
                )
            } else {
                (
                    attachments::Entity::Group(params.required("GroupName")?.to_owned()),
                    params.get("NewGroupName"),
                )
            };
            iam_service::ops::rename::update_entity(pool, caller, &entity, new_name, params.get("NewPath"))
                .await?;
            ok(String::new())
        }
        "DeleteUser" => {
            users::delete_user(pool, caller, params.required("UserName")?, false).await?;
            ok(String::new())
        }
        "CreateGroup" => {
            let group = groups::create_group(
                pool,
                caller,
                params.required("GroupName")?,
                params.get("Path").unwrap_or("/"),
                &[],
            )
            .await?;
            ok(format!("<Group>{}</Group>", group_fields(&group)))
        }
        "ListGroups" => {
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
            ok(format!(
                "<Groups>{members}</Groups>{}",
                truncation(offset, listed.items.len(), listed.total)
            ))
        }
        "AddUserToGroup" => {
            groups::add_user_to_group(
                pool,
                caller,
                params.required("GroupName")?,
                params.required("UserName")?,
            )
            .await?;
            ok(String::new())
        }
        "AttachUserPolicy" | "AttachGroupPolicy" | "DetachUserPolicy" | "DetachGroupPolicy" => {
            let entity = if action.contains("User") {
                attachments::Entity::User(params.required("UserName")?.to_owned())
            } else {
                attachments::Entity::Group(params.required("GroupName")?.to_owned())
            };
            let arn = params.required("PolicyArn")?;
            if action.starts_with("Attach") {
                attachments::attach(pool, caller, &entity, arn).await?;
            } else {
                attachments::detach(pool, caller, &entity, arn).await?;
            }
            ok(String::new())
        }
        "CreatePolicy" => {
            let policy = policies::create_policy(
                pool,
                caller,
                params.required("PolicyName")?,
                params.get("Path").unwrap_or("/"),
                params.get("Description").unwrap_or(""),
                params.required("PolicyDocument")?,
            )
            .await?;
            ok(format!(
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
        "CreateAccessKey" => {
            let key =
                access_keys::create_access_key(pool, &state.ctx.secrets, caller, params.get("UserName"))
                    .await?;
            ok(format!(
                "<AccessKey>{}{}{}{}{}</AccessKey>",
                el(
                    "UserName",
                    key.info.user_name.as_deref().unwrap_or(caller.account())
                ),
                el("AccessKeyId", &key.info.access_key_id),
                el("Status", &key.info.status),
                el("SecretAccessKey", &key.secret_access_key),
                el("CreateDate", &time(key.info.created_at))
            ))
        }
        "ListAccessKeys" => {
            let keys = access_keys::list_access_keys(pool, caller, params.get("UserName")).await?;
            let members: String = keys
                .iter()
                .map(|k| {
                    format!(
                        "<member>{}{}{}{}</member>",
                        el("UserName", k.user_name.as_deref().unwrap_or(caller.account())),
                        el("AccessKeyId", &k.access_key_id),
                        el("Status", &k.status),
                        el("CreateDate", &time(k.created_at))
                    )
                })
                .collect();
            ok(format!(
                "<AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
            ))
        }
        "UpdateAccessKey" => {
            access_keys::update_access_key(
                pool,
                caller,
                params.get("UserName"),
                params.required("AccessKeyId")?,
                params.required("Status")?,
            )
            .await?;
            ok(String::new())
        }
        "DeleteAccessKey" => {
            access_keys::delete_access_key(
                pool,
                caller,
                params.get("UserName"),
                params.required("AccessKeyId")?,
            )
            .await?;
            ok(String::new())
        }
        other => {
            if let Some(result) = super::policy_actions::dispatch(state, caller, other, params).await? {
                return ok(result);
            }
            match super::account_actions::dispatch(state, caller, other, params).await? {
                Some(result) => ok(result),
                None => Err(invalid_action(other, "2010-05-08")),
            }
        }
    }
}

pub(super) fn tags(params: &Params) -> Vec<iam_core::model::Tag> {
    (1..)
        .map_while(|i| {
            let key = params.get(&format!("Tags.member.{i}.Key"))?;
            Some(iam_core::model::Tag {
                key: key.to_owned(),
                value: params
                    .get(&format!("Tags.member.{i}.Value"))
                    .unwrap_or("")
                    .to_owned(),
            })
        })
        .collect()
}

fn invalid_action(action: &str, version: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidAction",
        format!("Could not find operation {action} for version {version}"),
    )
}
