//! `AssumeRoleWithSAML`: a role session for someone a SAML 2.0 identity provider vouches for,
//! with no credentials on the call (as on AWS): the signed response is the proof. Its
//! signature is checked against the provider's metadata certificates, its assertion against
//! this service's SAML endpoint and the clock, and the role's trust policy decides with the
//! assertion's `SAML:` condition keys. An assertion opens one session only. The console's
//! sign-in at `/saml` goes through the same steps.

use super::assume::{check_extras, packed_percent, require_policy, tag_context, Extras};
use super::federated::{invalid, provider_tags, record, refused, trusted, Attempt};
use super::token::{self, Issued};
use crate::crypto::SecretBox;
use crate::federation::saml as response;
use crate::identity::{FederatedBy, RoleSession};
use crate::ops::attachments::validate_document;
use crate::ops::{roles, saml_providers};
use crate::{Identity, RequestMeta, ServiceError};
use iam_core::credentials::session as rules;
use iam_core::field::FieldError;
use iam_core::policy::{PolicyKind, PrincipalKind};
use iam_core::saml::{self as assertion_rules, Accepted, Assertion, ProviderFacts};
use iam_core::web_identity::TokenRefusal;
use sqlx::PgPool;
use time::OffsetDateTime;

const ACTION: &str = "sts:AssumeRoleWithSAML";

/// What AssumeRoleWithSAML is asked for.
#[derive(Debug, Clone, Default)]
pub struct SamlAsk<'a> {
    pub role_arn: &'a str,
    pub principal_arn: &'a str,
    pub assertion: &'a str,
    pub duration: Option<i64>,
    pub policy: Option<&'a str>,
    pub policy_arns: Vec<String>,
}

/// A response whose signature holds for the provider it was checked against (kept in the
/// console's session while its person picks a role).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerifiedSaml {
    assertion: Assertion,
    accepted: Accepted,
    account: String,
    provider_name: String,
    provider_arn: String,
    name_qualifier: String,
    /// The roles the assertion offers through this provider.
    pub roles: Vec<String>,
    /// The session length the provider asks for (the console's; SessionDuration).
    pub session_duration: Option<i64>,
}

impl VerifiedSaml {
    pub fn subject(&self) -> &str {
        &self.accepted.subject
    }
    pub fn provider_arn(&self) -> &str {
        &self.provider_arn
    }
    pub fn issuer(&self) -> &str {
        &self.assertion.issuer
    }
}

/// The session and what the answer tells of the assertion.
#[derive(Debug)]
pub struct SamlIssued {
    pub issued: Issued,
    pub subject: String,
    pub subject_type: String,
    pub issuer: String,
    pub audience: String,
    pub name_qualifier: String,
}

fn length_error(field: &str, member: &str, min: usize, max: usize) -> FieldError {
    FieldError::new(
        field,
        format!("1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length between {min} and {max}"),
    )
}

fn check_input(asked: &SamlAsk<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(20..=2048).contains(&asked.role_arn.len()) {
        errors.push(length_error("RoleArn", "roleArn", 20, 2048));
    }
    if !(20..=2048).contains(&asked.principal_arn.len()) {
        errors.push(length_error("PrincipalArn", "principalArn", 20, 2048));
    }
    if !assertion_rules::ASSERTION_CHARS.contains(&asked.assertion.chars().count()) {
        errors.push(length_error("SAMLAssertion", "sAMLAssertion", 4, 100_000));
    }
    errors.extend(rules::check_duration_param(asked.duration, 43_200));
    errors.extend(check_extras(&extras(asked)));
    errors
}

fn extras<'a>(asked: &'a SamlAsk<'a>) -> Extras<'a> {
    Extras {
        policy: asked.policy,
        policy_arns: &asked.policy_arns,
        tags: &[],
    }
}

fn not_authorized() -> ServiceError {
    ServiceError::AccessDenied(format!("Not authorized to perform {ACTION}"))
}

/// The providers the (unverified) response's Role attribute names: whose keys to try.
pub async fn providers_named(encoded: &str) -> Result<Vec<String>, ServiceError> {
    let xml = response::decode(encoded).map_err(refused)?;
    let unverified = off_thread(move || response::check_shape(&xml))
        .await?
        .map_err(refused)?;
    let mut providers: Vec<String> = assertion_rules::roles(&unverified)
        .map_err(refused)?
        .into_iter()
        .map(|(_, provider)| provider)
        .collect();
    providers.sort();
    providers.dedup();
    Ok(providers)
}

/// Verifies the base64 response `encoded` as coming from the provider `provider_arn`, for
/// this service's SAML endpoint `recipient_url`.
pub async fn verify(
    pool: &PgPool,
    encoded: &str,
    provider_arn: &str,
    recipient_url: &str,
    now: OffsetDateTime,
) -> Result<VerifiedSaml, ServiceError> {
    // What the response is, before anything about the provider is looked up or told.
    let xml = response::decode(encoded).map_err(refused)?;
    let (xml, unverified) = off_thread(move || response::check_shape(&xml).map(|a| (xml, a)))
        .await?
        .map_err(refused)?;
    let provider_missing = || invalid("Specified provider doesn't exist.");
    let account = provider_arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split(':').next())
        .ok_or_else(provider_missing)?;
    let provider_name = iam_core::providers::parse_saml_arn(account, provider_arn)
        .ok_or_else(provider_missing)?
        .to_owned();
    let keys = {
        let mut conn = pool.acquire().await?;
        saml_providers::signing_keys(&mut conn, account, &provider_name).await?
    }
    .ok_or_else(provider_missing)?;
    if keys.valid_until <= now {
        return Err(invalid(
            "The SAML provider's metadata has expired (validUntil); update it with new metadata",
        ));
    }
    // A response from another issuer is refused before any signature work.
    if unverified.issuer != keys.entity_id {
        return Err(invalid("Issuer not present in specified provider"));
    }
    let assertion = off_thread(move || {
        let certificates = keys.certificates()?;
        Ok::<_, ServiceError>(response::read(&xml, &certificates).map_err(refused))
    })
    .await??;
    let assertion = assertion?;
    if assertion.id.is_empty() || assertion.id.len() > 256 {
        return Err(invalid(
            "Invalid SAML response: the assertion's ID is missing or too long",
        ));
    }
    if assertion.name_id.is_none() {
        // AWS's answer when the subject has no NameID.
        return Err(not_authorized());
    }
    let accepted =
        assertion_rules::check(&assertion, recipient_url, now.unix_timestamp()).map_err(refused)?;
    let roles = assertion_rules::roles(&assertion).map_err(refused)?;
    if roles.is_empty() {
        return Err(invalid("Your request included an invalid SAML response: it has no https://aws.amazon.com/SAML/Attributes/Role attribute"));
    }
    let session_duration = assertion_rules::session_duration(&assertion).map_err(refused)?;
    let name_qualifier = name_qualifier(&assertion.issuer, account, &provider_name);
    Ok(VerifiedSaml {
        roles: roles
            .into_iter()
            .filter(|(_, p)| p == provider_arn)
            .map(|(r, _)| r)
            .collect(),
        assertion,
        accepted,
        account: account.to_owned(),
        provider_arn: provider_arn.to_owned(),
        provider_name,
        name_qualifier,
        session_duration,
    })
}

/// Signature checks at once: each is CPU work on a blocking thread, so a flood of responses
/// queues here instead of stalling the server's async threads.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ServiceError> {
    let _permit = VERIFYING
        .acquire()
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::Internal(format!("verifying a SAML response: {e}")))
}

/// AWS's NameQualifier: base64 of SHA-1 over issuer, account ID, `/` and provider name.
fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    use base64::Engine;
    use sha1::{Digest, Sha1};
    let input = assertion_rules::name_qualifier_input(issuer, account, provider_name);
    base64::engine::general_purpose::STANDARD.encode(Sha1::digest(input.as_bytes()))
}

/// Session tags and source identity from the assertion, within AWS's rules.
type SessionExtras = (Vec<(String, String)>, Vec<String>, Option<String>);

fn assertion_extras(assertion: &Assertion) -> Result<SessionExtras, ServiceError> {
    let (tags, transitive) = assertion_rules::session_tags(assertion);
    let (tags, transitive) = provider_tags(tags, transitive)?;
    let source = assertion_rules::source_identity(assertion).map_err(refused)?;
    Ok((tags, transitive, source))
}

/// Marks the assertion used; false when it already was (a replay).
async fn first_use(
    conn: &mut sqlx::PgConnection,
    verified: &VerifiedSaml,
    now: OffsetDateTime,
) -> Result<bool, ServiceError> {
    // Expired records go a few at a time, so no request pays for a backlog.
    sqlx::query(
        "DELETE FROM saml_assertions_used WHERE ctid IN
           (SELECT ctid FROM saml_assertions_used WHERE expires_at < $1 LIMIT 20)",
    )
    // An hour's margin: another server whose clock is behind may still accept it.
    .bind(now - time::Duration::hours(1))
    .execute(&mut *conn)
    .await?;
    let keep_until =
        OffsetDateTime::from_unix_timestamp(verified.accepted.expires + assertion_rules::SKEW_SECONDS)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let inserted = sqlx::query(
        "INSERT INTO saml_assertions_used (account_id, provider_name, assertion_id, expires_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(&verified.account)
    .bind(&verified.provider_name)
    .bind(&verified.assertion.id)
    .bind(keep_until)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// What a verified assertion's session is asked for beyond the role.
#[derive(Debug, Clone, Default)]
pub struct SessionAsk<'a> {
    pub role_arn: &'a str,
    /// The session's length; absent, an hour (or the role's maximum, if shorter).
    pub duration: Option<i64>,
    pub policy: Option<&'a str>,
    pub policy_arns: &'a [String],
}

/// Opens the role session `asked` for the verified assertion.
pub async fn assume_verified(
    pool: &PgPool,
    secrets: &SecretBox,
    meta: &RequestMeta,
    now: OffsetDateTime,
    verified: &VerifiedSaml,
    asked: &SessionAsk<'_>,
) -> Result<SamlIssued, ServiceError> {
    let Some((role_account, role_path, role_name)) = iam_core::arn::parse_role_arn(asked.role_arn) else {
        return Err(ServiceError::field(
            "RoleArn",
            format!("the role ARN `{}` is not a valid role ARN", asked.role_arn),
        ));
    };
    // Checked again: a response may wait in the console's role picker.
    if now.unix_timestamp() >= verified.accepted.expires + assertion_rules::SKEW_SECONDS {
        return Err(refused(TokenRefusal::Expired("Response has expired".into())));
    }
    let session_name = assertion_rules::session_name(&verified.assertion).map_err(refused)?;
    let (tags, transitive, source) = assertion_extras(&verified.assertion)?;
    let facts = ProviderFacts {
        account: &verified.account,
        provider_name: &verified.provider_name,
        name_qualifier: &verified.name_qualifier,
    };
    let claim_keys = assertion_rules::condition_keys(&verified.assertion, &verified.accepted, &facts);
    let mut context = claim_keys.clone();
    context.push(("sts:RoleSessionName".into(), vec![session_name.clone()]));
    context.extend(tag_context(&tags));
    if let Some(source) = &source {
        context.push(("sts:SourceIdentity".into(), vec![source.clone()]));
    }
    let mut actions = vec![ACTION];
    if !tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if source.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    let actor = format!("{}:{}", verified.provider_arn, verified.accepted.subject);
    let packed = packed_percent(
        &Extras {
            policy: asked.policy,
            policy_arns: asked.policy_arns,
            tags: &[],
        },
        &tags,
    );
    let offered = verified.roles.iter().any(|r| r == asked.role_arn);
    let mut tx = pool.begin().await?;
    let role = roles::find(&mut tx, role_account, role_name)
        .await?
        .filter(|r| r.path == role_path && offered && role_account == verified.account);
    let Some(role) = role.filter(|role| {
        trusted(
            PrincipalKind::Saml,
            role,
            &verified.provider_arn,
            &context,
            &actions,
            meta,
            now,
        )
    }) else {
        // Recorded in the provider's account: the caller names the role, and must not be
        // able to write into any account's history.
        record(
            &mut tx,
            meta,
            now,
            &Attempt {
                action: ACTION,
                account: &verified.account,
                actor: &actor,
                resource: asked.role_arn,
                refusal: Some("access denied"),
            },
        )
        .await?;
        tx.commit().await?;
        return Err(not_authorized());
    };
    let max = i64::from(role.max_session_duration);
    let mut seconds =
        rules::duration(asked.duration, 3600, max, false).map_err(|e| ServiceError::Invalid(vec![e]))?;
    // The provider's end of the session caps it, as on AWS.
    if let Some(ends) = verified.accepted.session_ends {
        seconds = seconds.min(ends - now.unix_timestamp()).max(1);
    }
    if packed > 100 {
        return Err(ServiceError::PackedPolicyTooLarge(format!(
            "Packed size of consumed provided policies exceeds the limit by {}%.",
            packed - 100
        )));
    }
    for arn in asked.policy_arns {
        require_policy(&mut tx, role_account, arn).await?;
    }
    if !first_use(&mut tx, verified, now).await? {
        return Err(invalid(
            "This SAML assertion has already been used; sign in at the identity provider again",
        ));
    }
    let session = RoleSession {
        account_id: iam_core::account::AccountId::parse(role_account).map_err(ServiceError::Internal)?,
        role_name: role.role_name.clone(),
        role_id: role.role_id.clone(),
        role_path: role.path.clone(),
        session_name,
        policy: asked.policy.map(str::to_owned),
        policy_arns: asked.policy_arns.to_vec(),
        tags,
        transitive_tag_keys: transitive,
        source_identity: source,
        federation: Some(FederatedBy {
            provider_arn: verified.provider_arn.clone(),
            subject: verified.accepted.subject.clone(),
            keys: claim_keys,
        }),
        federated_user: None,
    };
    let mut issued = token::issue(
        secrets,
        Identity::AssumedRole(Box::new(session)),
        now,
        seconds,
        None,
    )?;
    issued.packed_percent = (asked.policy.is_some() || !asked.policy_arns.is_empty()).then_some(packed);
    record(
        &mut tx,
        meta,
        now,
        &Attempt {
            action: ACTION,
            account: role_account,
            actor: &actor,
            resource: &issued.identity.arn(),
            refusal: None,
        },
    )
    .await?;
    roles::record_use(&mut tx, role_account, &role.role_name, now).await?;
    tx.commit().await?;
    Ok(SamlIssued {
        issued,
        subject: verified.accepted.subject.clone(),
        subject_type: verified.accepted.subject_type.clone(),
        issuer: verified.assertion.issuer.clone(),
        audience: verified.accepted.recipient.clone(),
        name_qualifier: verified.name_qualifier.clone(),
    })
}

/// Assumes a role with a SAML response (the API's action).
pub async fn assume_role_with_saml(
    pool: &PgPool,
    secrets: &SecretBox,
    meta: &RequestMeta,
    now: OffsetDateTime,
    recipient_url: &str,
    asked: &SamlAsk<'_>,
) -> Result<SamlIssued, ServiceError> {
    let errors = check_input(asked);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Some(policy) = asked.policy {
        validate_document(policy, PolicyKind::Session)?;
    }
    let verified = verify(pool, asked.assertion, asked.principal_arn, recipient_url, now).await?;
    let session = SessionAsk {
        role_arn: asked.role_arn,
        duration: asked.duration,
        policy: asked.policy,
        policy_arns: &asked.policy_arns,
    };
    assume_verified(pool, secrets, meta, now, &verified, &session).await
}
