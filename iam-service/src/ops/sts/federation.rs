//! `GetFederationToken`: temporary credentials a custom identity broker hands to a user it
//! has signed in (a federated user, `arn:aws:sts::ACCOUNT:federated-user/NAME`), with the
//! calling user's permissions narrowed by the session policies.

use super::assume::{check_extras, packed_percent, require_policy, tag_context, Extras};
use super::record;
use super::token::{self, Issued};
use crate::authz::Authorizer;
use crate::crypto::SecretBox;
use crate::identity::{FederatedSession, ParentUser};
use crate::ops::attachments::validate_document;
use crate::{Caller, Identity, ServiceError};
use iam_core::credentials::session::{self as rules, SESSION_TOKEN_MAX, SESSION_TOKEN_ROOT_MAX};
use iam_core::field::FieldError;
use iam_core::policy::PolicyKind;
use sqlx::PgPool;

const DEFAULT_SECONDS: i64 = 43_200;

/// What GetFederationToken is asked for.
#[derive(Debug, Clone, Default)]
pub struct FederationAsk<'a> {
    pub name: &'a str,
    pub duration: Option<i64>,
    pub policy: Option<&'a str>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<(String, String)>,
}

fn check(asked: &FederationAsk<'_>) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = asked.name;
    if name.chars().count() > 32 {
        errors.push(FieldError::new(
            "Name",
            format!("1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32"),
        ));
    } else {
        errors.extend(rules::check_session_name("Name", name).err());
    }
    errors.extend(rules::check_duration_param(asked.duration, SESSION_TOKEN_MAX));
    errors.extend(check_extras(&extras(asked)));
    errors
}

fn extras<'a>(asked: &'a FederationAsk<'a>) -> Extras<'a> {
    Extras {
        policy: asked.policy,
        policy_arns: &asked.policy_arns,
        tags: &asked.tags,
    }
}

/// `sts:GetFederationToken`, decided on the federated user's ARN (and `sts:TagSession` with
/// tags). Only long-term credentials may ask, as on AWS; the root user's sessions last at
/// most an hour.
pub async fn get_federation_token(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    asked: &FederationAsk<'_>,
) -> Result<Issued, ServiceError> {
    let parent = match caller.identity {
        _ if caller.meta.session_credentials => None,
        Identity::Root { .. } => Some(None),
        Identity::User {
            user_name,
            user_id,
            path,
            ..
        } => Some(Some(ParentUser {
            user_name: user_name.clone(),
            user_id: user_id.clone(),
            path: path.clone(),
        })),
        Identity::AssumedRole(_) | Identity::FederatedUser(_) => None,
    };
    let Some(parent) = parent else {
        return Err(ServiceError::AccessDenied(
            "Cannot call GetFederationToken with session credentials".into(),
        ));
    };
    let errors = check(asked);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Some(policy) = asked.policy {
        validate_document(policy, PolicyKind::Session)?;
    }
    let packed = packed_percent(&extras(asked), &[]);
    if packed > 100 {
        return Err(ServiceError::PackedPolicyTooLarge(format!(
            "Packed size of consumed provided policies exceeds the limit by {}%.",
            packed - 100
        )));
    }
    let account = caller.account().to_owned();
    let session = FederatedSession {
        account_id: caller.identity.account_id().clone(),
        name: asked.name.to_owned(),
        parent: parent.clone(),
        policy: asked.policy.map(str::to_owned),
        policy_arns: asked.policy_arns.clone(),
        tags: asked.tags.clone(),
    };
    let arn = session.arn();
    let mut tx = pool.begin().await?;
    let authz = Authorizer::load(&mut tx, caller.identity, caller.meta, caller.now).await?;
    let context = tag_context(&asked.tags);
    authz.check_with("sts:GetFederationToken", &arn, &context)?;
    if !asked.tags.is_empty() {
        authz.check_with("sts:TagSession", &arn, &context)?;
    }
    for policy_arn in &asked.policy_arns {
        require_policy(&mut tx, &account, policy_arn).await?;
    }
    let max = if parent.is_none() {
        SESSION_TOKEN_ROOT_MAX
    } else {
        SESSION_TOKEN_MAX
    };
    // The root user's sessions are cut to an hour, as GetSessionToken's, without an error.
    let seconds = asked.duration.unwrap_or(DEFAULT_SECONDS).min(max);
    let mut issued = token::issue(
        secrets,
        Identity::FederatedUser(Box::new(session)),
        caller.now,
        seconds,
        None,
    )?;
    issued.packed_percent =
        (asked.policy.is_some() || !asked.policy_arns.is_empty() || !asked.tags.is_empty()).then_some(packed);
    record(&mut tx, caller, &account, "sts:GetFederationToken", &arn, None).await?;
    tx.commit().await?;
    Ok(issued)
}
