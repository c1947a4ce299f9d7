//! IAM users: reading, listing, creating, renaming, deleting; login profiles and one's own
//! password. (Their tags are in `tags`, their policies in `attached`.)

use super::lists::flag;
use super::lists::max_items;
use super::lists::path_prefix;
use super::lists::tags;
use super::registry::Cx;
use super::xml::el;
use super::xml::time;
use super::xml::ApiError;
use iam_core::model::UserSummary;
use iam_service::ops::attachments;
use iam_service::ops::passwords;
use iam_service::ops::users;
use iam_service::Caller;
use iam_service::Identity;

super::registry::actions! {
    "GetUser" => get_user,
    "ListUsers" => list_users,
    "CreateUser" => create_user,
    "UpdateUser" => update_user_or_group,
    "UpdateGroup" => update_user_or_group,
    "DeleteUser" => delete_user,
    "CreateLoginProfile" => set_login_profile,
    "UpdateLoginProfile" => set_login_profile,
    "DeleteLoginProfile" => delete_login_profile,
    "ChangePassword" => change_password,
}

/// ListUsers' markers: this, then the last user name of the page before.
pub(super) const USER_MARKER: &str = "after:";

/// A user's fields, without the enclosing element (`<User>` alone, `<member>` in lists).
pub(super) fn user_fields(u: &UserSummary) -> String {
    let mut out = String::new();
    out += &el("Path", &u.path);
    out += &el("UserName", &u.user_name);
    out += &el("UserId", &u.user_id);
    out += &el("Arn", &u.arn);
    out += &el("CreateDate", &time(u.created_at));
    out += &super::boundaries::field(u.permissions_boundary.as_deref());
    if let Some(used) = u.password_last_used {
        out += &el("PasswordLastUsed", &time(used));
    }
    out
}

/// The caller's own user name when an action's UserName is left out: none for the root
/// user; a role session must name the user (AWS's words).
pub(super) fn caller_user_name<'a>(caller: &Caller<'a>) -> Result<Option<&'a str>, ApiError> {
    match caller.identity {
        Identity::User { user_name, .. } => Ok(Some(user_name)),
        Identity::Root { .. } => Ok(None),
        Identity::AssumedRole(_) | Identity::FederatedUser(_) => Err(ApiError::validation(
            "Must specify userName when calling with non-User credentials",
        )),
    }
}

/// `GetUser`.
async fn get_user(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let own = match params.get("UserName") {
        Some(_) => None,
        None => caller_user_name(caller)?,
    };
    let name = match params.get("UserName").or(own) {
        Some(name) => name.to_owned(),
        None => {
            // The root user asking about itself.
            let arn = caller.identity.arn();
            return Ok(format!(
                "<User>{}{}{}</User>",
                el("UserId", caller.account()),
                el("Arn", &arn),
                el("CreateDate", &time(caller.now.unix_timestamp()))
            ));
        }
    };
    Ok(format!(
        "<User>{}</User>",
        user_fields(&users::get_user_summary(pool, caller, &name).await?)
    ))
}

/// `ListUsers`.
async fn list_users(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    // Our marker is the last name of the page before (opaque to clients).
    let after = match params.get("Marker") {
        None => None,
        Some(m) => Some(
            m.strip_prefix(USER_MARKER)
                .ok_or_else(|| ApiError::validation(format!("Invalid Marker `{m}`")))?,
        ),
    };
    let (users, more) =
        users::list_users_after(pool, caller, &path_prefix(params)?, after, max_items(params)?).await?;
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
    Ok(format!("<Users>{members}</Users>{marker}"))
}

/// `CreateUser`.
async fn create_user(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let state = cx.state;
    let caller = cx.caller;
    let params = cx.params;
    let new = users::NewUser {
        user_name: params.required("UserName")?.to_owned(),
        path: params.get("Path").unwrap_or("/").to_owned(),
        tags: tags(params),
        permissions_boundary: params.get("PermissionsBoundary").map(str::to_owned),
        ..Default::default()
    };
    let name = new.user_name.clone();
    users::create_user(pool, &state.ctx.hasher, caller, new).await?;
    Ok(format!(
        "<User>{}</User>",
        user_fields(&users::get_user_summary(pool, caller, &name).await?)
    ))
}

/// `UpdateUser` / `UpdateGroup`.
async fn update_user_or_group(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
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
    iam_service::ops::rename::update_entity(pool, caller, &entity, new_name, params.get("NewPath")).await?;
    Ok(String::new())
}

/// `DeleteUser`.
async fn delete_user(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    users::delete_user(pool, caller, params.required("UserName")?, false).await?;
    Ok(String::new())
}

/// `CreateLoginProfile` / `UpdateLoginProfile`.
async fn set_login_profile(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let state = cx.state;
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
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
    Ok(if action == "CreateLoginProfile" {
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
    })
}

/// `DeleteLoginProfile`.
async fn delete_login_profile(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    users::delete_console_password(pool, caller, params.required("UserName")?).await?;
    Ok(String::new())
}

/// `ChangePassword`.
async fn change_password(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let state = cx.state;
    let caller = cx.caller;
    let params = cx.params;
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
    Ok(String::new())
}
