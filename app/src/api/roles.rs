//! Roles in the console, and switching to one: thin calls into iam-service.

use crate::error::AppError;
use iam_core::model::{Page, RoleDetail, RoleSummary, Tag};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// What the create-role wizard sends: the trust policy it built (or the one typed), the
/// policies to attach, and the role's name and settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRoleInput {
    pub role_name: String,
    pub description: String,
    pub trust_policy: String,
    /// Hours, 1 to 12.
    pub max_session_hours: i32,
    pub policy_arns: Vec<String>,
    pub tags: Vec<Tag>,
}

#[server(endpoint = "list_roles")]
pub async fn list_roles(search: String, page: i64) -> Result<Page<RoleSummary>, AppError> {
    use iam_core::model::PageRequest;
    let (ctx, who) = crate::ssr::caller().await?;
    let request = PageRequest {
        search,
        offset: (page.max(1) - 1) * super::iam::PAGE_SIZE,
        limit: super::iam::PAGE_SIZE,
        ..PageRequest::default()
    };
    Ok(iam_service::ops::role_views::list_page(&ctx.pool, &who.caller(), &request).await?)
}

#[server(endpoint = "get_role")]
pub async fn get_role(role_name: String) -> Result<RoleDetail, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::role_views::detail(&ctx.pool, &who.caller(), &role_name).await?)
}

/// Creates the role with its policies, all or nothing.
#[server(endpoint = "create_role", input = Json)]
pub async fn create_role(input: CreateRoleInput) -> Result<String, AppError> {
    use iam_service::ops::roles::{create_role, NewRole};
    let (ctx, who) = crate::ssr::caller().await?;
    let new = NewRole {
        role_name: input.role_name.trim().to_owned(),
        path: "/".into(),
        trust_policy: input.trust_policy,
        description: input.description.trim().to_owned(),
        max_session_duration: Some(input.max_session_hours.saturating_mul(3600)),
        tags: input.tags.into_iter().filter(|t| !t.key.is_empty()).collect(),
        permissions_boundary: None,
        policy_arns: input.policy_arns,
    };
    Ok(create_role(&ctx.pool, &who.caller(), &new).await?.role_name)
}

#[server(endpoint = "update_trust_policy")]
pub async fn update_trust_policy(role_name: String, document: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::roles::update_trust_policy(&ctx.pool, &who.caller(), &role_name, &document).await?;
    Ok(())
}

#[server(endpoint = "revoke_role_sessions")]
pub async fn revoke_role_sessions(role_name: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::role_views::revoke_sessions(&ctx.pool, &who.caller(), &role_name).await?)
}

/// Deletes a role after its name was typed; its policies go with it, each one authorized.
#[server(endpoint = "delete_role")]
pub async fn delete_role(role_name: String, confirm: String, service_linked: bool) -> Result<(), AppError> {
    if confirm.trim() != role_name {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "confirm",
            format!("type `{role_name}` to confirm"),
        )]));
    }
    let (ctx, who) = crate::ssr::caller().await?;
    // A service-linked role goes through AWS's own action for it; each refuses the other kind.
    if service_linked {
        iam_service::ops::service_linked::delete(&ctx.pool, &who.caller(), &role_name).await?;
    } else {
        iam_service::ops::roles::delete_role(&ctx.pool, &who.caller(), &role_name, true).await?;
    }
    leptos_axum::redirect("/roles");
    Ok(())
}

/// Switch role: the console then acts as a session of the role, decided by its trust policy
/// as AssumeRole is, until the session ends or the person switches back.
#[server(endpoint = "switch_role")]
pub async fn switch_role(
    account: String,
    role_name: String,
    display_name: String,
    color: String,
) -> Result<(), AppError> {
    // Always from the signed-in identity: a switched role does not switch on from itself.
    let (ctx, session, who) = crate::ssr::signed_in_parts().await?;
    let request = crate::switched::SwitchRequest {
        account: account.trim(),
        role_name: role_name.trim(),
        display_name: display_name.trim(),
        color: color.trim(),
    };
    crate::switched::switch_role(&ctx, &session, &who, &request).await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "switch_back")]
pub async fn switch_back() -> Result<(), AppError> {
    crate::switched::switch_back().await?;
    leptos_axum::redirect("/");
    Ok(())
}
