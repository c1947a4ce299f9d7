//! What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share: their refusals in AWS's
//! codes, the session tags an identity provider passes, the trust policy's decision for a
//! federated caller, and the event each attempt records.

use super::assume::{check_extras, same_key, Extras};
use crate::audit::{self, Event, Outcome};
use crate::ops::roles;
use crate::{RequestMeta, ServiceError};
use iam_core::policy::{GlobalFacts, Principal, PrincipalKind};
use iam_core::web_identity::TokenRefusal;
use time::OffsetDateTime;

/// A refusal of what the provider signed, as AWS answers it (IDPRejectedClaim is a 403).
pub(super) fn refused(refusal: TokenRefusal) -> ServiceError {
    match refusal {
        TokenRefusal::Rejected(m) => ServiceError::IdpRejectedClaim(m),
        other => ServiceError::Rejected {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

/// InvalidIdentityToken with `message`.
pub(super) fn invalid(message: impl Into<String>) -> ServiceError {
    refused(TokenRefusal::Invalid(message.into()))
}

/// Session tags, and the keys of those that pass on.
pub(super) type SessionTags = (Vec<(String, String)>, Vec<String>);

/// The provider's session tags within AssumeRole's rules, and the keys of those that pass
/// on (each once, only for tags the session carries).
pub(super) fn provider_tags(
    tags: Vec<(String, String)>,
    transitive: Vec<String>,
) -> Result<SessionTags, ServiceError> {
    let checked = check_extras(&Extras {
        policy: None,
        policy_arns: &[],
        tags: &tags,
    });
    if let Some(error) = checked.into_iter().next() {
        return Err(ServiceError::IdpRejectedClaim(error.message));
    }
    let mut transitive: Vec<String> = transitive
        .into_iter()
        .filter(|k| tags.iter().any(|(t, _)| same_key(t, k)))
        .collect();
    transitive.sort_by_key(|k| k.to_lowercase());
    transitive.dedup_by_key(|k| k.to_lowercase());
    Ok((tags, transitive))
}

/// The trust policy's decision for someone the provider `provider_arn` vouches for: only a
/// `Federated` entry naming the provider reaches them.
pub(super) fn trusted(
    kind: PrincipalKind,
    role: &roles::Role,
    provider_arn: &str,
    context: &[(String, Vec<String>)],
    actions: &[&str],
    meta: &RequestMeta,
    now: OffsetDateTime,
) -> bool {
    let mut principal = Principal::new(kind, provider_arn, role.account());
    principal.federated = Some(provider_arn.to_owned());
    let facts = GlobalFacts {
        now: now.unix_timestamp(),
        source_ip: meta.source_ip.clone(),
        user_agent: meta.user_agent.clone(),
        secure_transport: meta.secure_transport,
        ..Default::default()
    };
    roles::trust_allows(role, &principal, &facts, context, actions)
}

/// What one attempt at `action` records: who the provider named, which role, and why it was
/// refused, if it was.
pub(super) struct Attempt<'a> {
    pub action: &'a str,
    pub account: &'a str,
    pub actor: &'a str,
    pub resource: &'a str,
    pub refusal: Option<&'a str>,
}

pub(super) async fn record(
    conn: &mut sqlx::PgConnection,
    meta: &RequestMeta,
    now: OffsetDateTime,
    attempt: &Attempt<'_>,
) -> Result<(), ServiceError> {
    let event = Event {
        at: now,
        account_id: Some(attempt.account),
        actor_arn: attempt.actor,
        action: attempt.action,
        resource: Some(attempt.resource),
        outcome: Outcome::of(attempt.refusal),
        reason: attempt.refusal,
        source_identity: None,
    };
    audit::record(conn, &event, meta).await?;
    Ok(())
}
