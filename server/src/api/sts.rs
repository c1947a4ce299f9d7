//! STS (version 2011-06-15).

use super::registry::Cx;
use super::xml::{el, ApiError};
use iam_service::Identity;

super::registry::actions! {
    "GetCallerIdentity" => get_caller_identity,
}

/// `GetCallerIdentity`: who signed the request.
async fn get_caller_identity(cx: &Cx<'_>) -> Result<String, ApiError> {
    let caller = cx.caller;
    let user_id = match caller.identity {
        Identity::User { user_id, .. } => user_id.clone(),
        Identity::Root { account_id } => account_id.to_string(),
    };
    Ok(format!(
        "{}{}{}",
        el("Arn", &caller.identity.arn()),
        el("UserId", &user_id),
        el("Account", caller.account())
    ))
}
