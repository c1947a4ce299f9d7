//! The parts of a detail page, each authorized under AWS's own action for it (the action the
//! API reads the same part with): a part the caller may not read carries the engine's refusal
//! instead, and the page shows that in its place. The root user is allowed every part.

use crate::authz::Authorizer;
use crate::ops::attachments::{inline_of, Entity};
use crate::ServiceError;
use iam_core::model::{Denied, InlinePolicyEntry, Part};
use sqlx::PgConnection;
use std::future::Future;

/// `Ok(Ok(()))` when the caller may perform `action` on `resource`; `Ok(Err(..))` with AWS's
/// access-denied message when not.
pub(crate) fn may(authz: &Authorizer, action: &str, resource: &str) -> Result<Part<()>, ServiceError> {
    match authz.check(action, resource) {
        Ok(()) => Ok(Ok(())),
        Err(ServiceError::AccessDenied(message)) => Ok(Err(Denied { message })),
        Err(other) => Err(other),
    }
}

/// Reads one part when the caller may: `read` does not run otherwise.
pub(crate) async fn part<T>(
    authz: &Authorizer,
    action: &str,
    resource: &str,
    read: impl Future<Output = Result<T, ServiceError>>,
) -> Result<Part<T>, ServiceError> {
    match may(authz, action, resource)? {
        Ok(()) => Ok(Ok(read.await?)),
        Err(denied) => Ok(Err(denied)),
    }
}

/// An entity's inline policies: the names under `iam:List{User,Group}Policies`, each
/// document under `iam:Get{User,Group}Policy`, both on the entity's ARN.
pub(crate) async fn inline_policies(
    conn: &mut PgConnection,
    authz: &Authorizer,
    account: &str,
    entity: &Entity,
    arn: &str,
) -> Result<Part<Vec<InlinePolicyEntry>>, ServiceError> {
    let documents = may(authz, &entity.action("Get"), arn)?;
    let list = format!("iam:List{}Policies", entity.kind());
    let policies = part(authz, &list, arn, inline_of(conn, account, entity)).await?;
    Ok(policies.map(|all| {
        all.into_iter()
            .map(|p| InlinePolicyEntry {
                policy_name: p.policy_name,
                document: documents.clone().map(|()| p.document),
            })
            .collect()
    }))
}
