//! The API as a registry: each resource's module lists the actions it answers (grep an
//! action's name and you land on its handler), and one dispatcher looks them up.

use super::xml::{success, ApiError, IAM_NS, STS_NS};
use super::Params;
use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use iam_service::Caller;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

/// What a handler gets: the server's state, the authenticated caller, the request's
/// parameters, and the action's name (one handler may answer a pair, as AttachUserPolicy
/// and AttachGroupPolicy).
#[derive(Clone, Copy)]
pub(super) struct Cx<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller<'a>,
    pub params: &'a Params,
    pub action: &'a str,
}

impl Cx<'_> {
    pub fn pool(&self) -> &sqlx::PgPool {
        &self.state.ctx.pool
    }
}

/// The XML inside `<{Action}Result>`, or AWS's error.
pub(super) type Reply<'a> = Pin<Box<dyn Future<Output = Result<String, ApiError>> + Send + 'a>>;
pub(super) type Handler = for<'a> fn(&'a Cx<'a>) -> Reply<'a>;

/// `actions! { "Name" => handler, ... }`: the module's `ACTIONS` table.
macro_rules! actions {
    ($($name:literal => $handler:ident),* $(,)?) => {
        pub(super) const ACTIONS: &[(&str, super::registry::Handler)] = &[
            $(($name, {
                fn boxed<'a>(cx: &'a super::registry::Cx<'a>) -> super::registry::Reply<'a> {
                    Box::pin($handler(cx))
                }
                boxed
            })),*
        ];
    };
}
pub(super) use actions;

fn table(modules: &[&[(&'static str, Handler)]]) -> HashMap<&'static str, Handler> {
    let mut all = HashMap::new();
    for (name, handler) in modules.iter().flat_map(|m| m.iter()) {
        let earlier = all.insert(*name, *handler);
        debug_assert!(earlier.is_none(), "{name} is registered twice");
    }
    all
}

/// Every IAM module's actions: the one list the dispatcher and its test read.
const IAM_MODULES: &[&[(&str, Handler)]] = &[
    super::users::ACTIONS,
    super::groups::ACTIONS,
    super::roles::ACTIONS,
    super::instance_profiles::ACTIONS,
    super::providers::ACTIONS,
    super::policies::ACTIONS,
    super::attached::ACTIONS,
    super::boundaries::ACTIONS,
    super::tags::ACTIONS,
    super::keys::ACTIONS,
    super::mfa::ACTIONS,
    super::account::ACTIONS,
    super::simulator::ACTIONS,
];

fn iam() -> &'static HashMap<&'static str, Handler> {
    static IAM: OnceLock<HashMap<&'static str, Handler>> = OnceLock::new();
    IAM.get_or_init(|| table(IAM_MODULES))
}

fn sts() -> &'static HashMap<&'static str, Handler> {
    static STS: OnceLock<HashMap<&'static str, Handler>> = OnceLock::new();
    STS.get_or_init(|| table(&[super::sts::ACTIONS]))
}

/// Runs `action` of IAM (or of STS) and wraps its result in AWS's response.
pub(super) async fn dispatch(
    state: &AppState,
    caller: &Caller<'_>,
    action: &str,
    sts_version: bool,
    params: &Params,
    id: &str,
) -> Result<Response, ApiError> {
    let (handlers, version, namespace) = if sts_version {
        (sts(), "2011-06-15", STS_NS)
    } else {
        (iam(), "2010-05-08", IAM_NS)
    };
    let handler = handlers.get(action).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {action} for version {version}"),
        )
    })?;
    // A federated user's credentials reach no STS operation but GetCallerIdentity (AWS's rule).
    if sts_version && caller.identity.federated().is_some() && action != "GetCallerIdentity" {
        return Err(ApiError::from(iam_service::ServiceError::AccessDenied(format!(
            "User: {} is not authorized to perform: sts:{action}",
            caller.identity.arn()
        ))));
    }
    let cx = Cx {
        state,
        caller,
        params,
        action,
    };
    let result = handler(&cx).await?;
    Ok(success(namespace, action, &result, id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_action_has_one_handler() {
        let iam = super::iam();
        let listed: usize = super::IAM_MODULES.iter().map(|m| m.len()).sum();
        assert_eq!(iam.len(), listed, "an action is listed twice");
        for name in [
            "GetUser",
            "AttachGroupPolicy",
            "DeactivateMFADevice",
            "SimulateCustomPolicy",
        ] {
            assert!(iam.contains_key(name), "{name}");
        }
        assert!(super::sts().contains_key("GetCallerIdentity"));
    }
}
