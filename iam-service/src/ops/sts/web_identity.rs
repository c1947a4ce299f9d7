//! `AssumeRoleWithWebIdentity`: a role session for someone an OpenID Connect provider
//! vouches for. No credentials sign the call (as on AWS): the ID token is the proof. Its
//! signature is checked against the issuer's published keys, its claims against the
//! account's registered provider, and the role's trust policy decides with the claims as
//! condition keys.

use super::assume::{check_extras, packed_percent, require_policy, tag_context, Extras};
use super::federated::{invalid, provider_tags, record, refused, trusted, Attempt, SessionTags};
use super::token::{self, Issued};
use crate::crypto::SecretBox;
use crate::federation::keys::KeyCache;
use crate::identity::{FederatedBy, RoleSession};
use crate::ops::attachments::validate_document;
use crate::ops::{oidc_providers, roles};
use crate::{Identity, RequestMeta, ServiceError};
use iam_core::credentials::session as rules;
use iam_core::field::FieldError;
use iam_core::policy::{PolicyKind, PrincipalKind};
use iam_core::web_identity::{self as claims_rules, IdTokenClaims};
use sqlx::PgPool;
use time::OffsetDateTime;

const ACTION: &str = "sts:AssumeRoleWithWebIdentity";
/// AWS's upper bound for DurationSeconds here, whatever the role allows.
const DURATION_MAX: i64 = 43_200;

/// What AssumeRoleWithWebIdentity is asked for.
#[derive(Debug, Clone, Default)]
pub struct WebIdentityAsk<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub token: &'a str,
    pub provider_id: Option<&'a str>,
    pub duration: Option<i64>,
    pub policy: Option<&'a str>,
    pub policy_arns: Vec<String>,
}

/// The session and what the answer tells of the token.
#[derive(Debug)]
pub struct WebIdentityIssued {
    pub issued: Issued,
    pub subject: String,
    pub audience: String,
    pub provider_arn: String,
}

fn check_input(asked: &WebIdentityAsk<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(20..=2048).contains(&asked.role_arn.len()) {
        errors.push(FieldError::new(
            "RoleArn",
            "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048",
        ));
    }
    errors.extend(rules::check_session_name("RoleSessionName", asked.session_name).err());
    if !claims_rules::TOKEN_CHARS.contains(&asked.token.chars().count()) {
        errors.push(FieldError::new(
            "WebIdentityToken",
            "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000",
        ));
    }
    if let Some(id) = asked.provider_id {
        if !(4..=2048).contains(&id.len()) {
            errors.push(FieldError::new(
                "ProviderId",
                "1 validation error detected: Value at 'providerId' failed to satisfy constraint: Member must have length between 4 and 2048",
            ));
        }
    }
    errors.extend(rules::check_duration_param(asked.duration, DURATION_MAX));
    errors.extend(check_extras(&extras(asked)));
    errors
}

fn extras<'a>(asked: &'a WebIdentityAsk<'a>) -> Extras<'a> {
    Extras {
        policy: asked.policy,
        policy_arns: &asked.policy_arns,
        tags: &[],
    }
}

/// The token's claims once its signature holds against the issuer's keys.
async fn verified_claims(
    keys: &KeyCache,
    token: &str,
    host_path: &str,
) -> Result<IdTokenClaims, ServiceError> {
    use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
    // `alg: none` and unknown algorithms fail here: the library has no such algorithm.
    let header = decode_header(token).map_err(|_| refused(claims_rules::not_a_jwt()))?;
    let issuer_keys = keys
        .keys_for(host_path, header.kid.as_deref())
        .await
        .map_err(|_| ServiceError::Rejected {
            code: "IDPCommunicationError",
            message: "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements".into(),
        })?;
    if !issuer_keys.algorithms.contains(&header.alg) {
        return Err(invalid(format!(
            "The token is signed with {:?}, which the provider does not announce for ID tokens",
            header.alg
        )));
    }
    let jwk = issuer_keys
        .find(header.kid.as_deref())
        .ok_or_else(|| invalid("The token's key ID matches no key in the provider's JSON Web Key Set"))?;
    // A key published for one algorithm is used for that algorithm only.
    if jwk
        .common
        .key_algorithm
        .is_some_and(|a| a.to_string() != format!("{:?}", header.alg))
    {
        return Err(invalid(
            "The token's algorithm is not the one its key is published for",
        ));
    }
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|_| invalid("The provider's key for this token cannot be used"))?;
    let mut validation = Validation::new(header.alg);
    // Times and audience are checked by `check_claims` against the request's own clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    decode::<IdTokenClaims>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|_| invalid("The token's signature is not valid"))
}

/// The session tags and source identity the token carries, within AWS's rules.
fn token_extras(claims: &IdTokenClaims) -> Result<SessionTags, ServiceError> {
    let (tags, transitive) = claims_rules::session_tags(claims);
    let passed = provider_tags(tags, transitive)?;
    if let Some(source) = &claims.source_identity {
        rules::check_session_name("SourceIdentity", source)
            .map_err(|e| ServiceError::IdpRejectedClaim(e.message))?;
    }
    Ok(passed)
}

/// A token whose signature and claims hold for the account's provider (kept in the console's
/// session while its person picks a role).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerifiedToken {
    claims: IdTokenClaims,
    accepted: claims_rules::Accepted,
    host_path: String,
    provider_arn: String,
    account: String,
}

impl VerifiedToken {
    pub fn subject(&self) -> &str {
        &self.accepted.subject
    }
    /// The client the token was issued to.
    pub fn audience(&self) -> &str {
        &self.accepted.audience
    }
    /// The provider's issuer URL without `https://`.
    pub fn host_path(&self) -> &str {
        &self.host_path
    }
    pub fn nonce(&self) -> Option<&str> {
        self.claims.nonce.as_deref()
    }
    pub fn email(&self) -> Option<&str> {
        self.claims.email.as_deref()
    }
}

/// Verifies `token` as an ID token of one of `account`'s OpenID Connect providers.
pub async fn verify_token(
    pool: &PgPool,
    keys: &KeyCache,
    account: &str,
    token: &str,
    now: OffsetDateTime,
) -> Result<VerifiedToken, ServiceError> {
    let unverified: IdTokenClaims = jsonwebtoken::dangerous::insecure_decode(token)
        .map(|data| data.claims)
        .map_err(|_| refused(claims_rules::not_a_jwt()))?;
    // The issuer is echoed in the refusal, so only as much as a provider URL can be.
    let iss: String = unverified
        .iss
        .clone()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let no_provider = || {
        invalid(format!(
            "No OpenIDConnect provider found in your account for {iss}"
        ))
    };
    let host_path = claims_rules::issuer_host_path(&iss)
        .ok_or_else(no_provider)?
        .to_owned();
    let client_ids = {
        let mut conn = pool.acquire().await?;
        oidc_providers::client_ids(&mut conn, account, &host_path).await?
    }
    .ok_or_else(no_provider)?;
    let claims = verified_claims(keys, token, &host_path).await?;
    let accepted = claims_rules::check_claims(&claims, &host_path, &client_ids, now.unix_timestamp())
        .map_err(refused)?;
    Ok(VerifiedToken {
        provider_arn: iam_core::providers::oidc_arn(account, &host_path),
        claims,
        accepted,
        host_path,
        account: account.to_owned(),
    })
}

/// What a verified token's session is asked for.
#[derive(Debug, Clone, Default)]
pub struct TokenSessionAsk<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub duration: Option<i64>,
    pub policy: Option<&'a str>,
    pub policy_arns: &'a [String],
}

/// What the trust policy decides with: the claims' condition keys, the session's name, tags
/// and source identity, and the actions asked for.
struct Decision {
    claim_keys: Vec<(String, Vec<String>)>,
    context: Vec<(String, Vec<String>)>,
    actions: Vec<&'static str>,
    tags: Vec<(String, String)>,
    transitive: Vec<String>,
}

fn decision(verified: &VerifiedToken, session_name: &str) -> Result<Decision, ServiceError> {
    let (tags, transitive) = token_extras(&verified.claims)?;
    let claim_keys = claims_rules::condition_keys(
        &verified.host_path,
        &verified.provider_arn,
        &verified.claims,
        &verified.accepted,
    );
    let mut context = claim_keys.clone();
    context.push(("sts:RoleSessionName".into(), vec![session_name.to_owned()]));
    context.extend(tag_context(&tags));
    if let Some(source) = &verified.claims.source_identity {
        context.push(("sts:SourceIdentity".into(), vec![source.clone()]));
    }
    let mut actions = vec![ACTION];
    if !tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if verified.claims.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    Ok(Decision {
        claim_keys,
        context,
        actions,
        tags,
        transitive,
    })
}

/// The roles of the token's account whose trust policies let its holder in (the console's
/// role picker).
pub async fn roles_trusting(
    pool: &PgPool,
    verified: &VerifiedToken,
    session_name: &str,
    meta: &RequestMeta,
    now: OffsetDateTime,
) -> Result<Vec<String>, ServiceError> {
    let decided = decision(verified, session_name)?;
    let mut conn = pool.acquire().await?;
    let all = roles::find_many(&mut conn, &verified.account, None).await?;
    Ok(all
        .iter()
        .filter(|role| {
            trusted(
                PrincipalKind::WebIdentity,
                role,
                &verified.provider_arn,
                &decided.context,
                &decided.actions,
                meta,
                now,
            )
        })
        .map(|role| role.arn.clone())
        .collect())
}

/// Opens the role session `asked` for the verified token.
pub async fn open_token_session(
    pool: &PgPool,
    secrets: &SecretBox,
    meta: &RequestMeta,
    now: OffsetDateTime,
    verified: &VerifiedToken,
    asked: &TokenSessionAsk<'_>,
) -> Result<WebIdentityIssued, ServiceError> {
    let Some((role_account, role_path, role_name)) = iam_core::arn::parse_role_arn(asked.role_arn) else {
        return Err(ServiceError::field(
            "RoleArn",
            format!("the role ARN `{}` is not a valid role ARN", asked.role_arn),
        ));
    };
    let decided = decision(verified, asked.session_name)?;
    // CloudTrail's principal ID for a web identity: provider, audience, subject.
    let actor = format!(
        "{}:{}:{}",
        verified.host_path, verified.accepted.audience, verified.accepted.subject
    );
    let packed = packed_percent(
        &Extras {
            policy: asked.policy,
            policy_arns: asked.policy_arns,
            tags: &[],
        },
        &decided.tags,
    );
    let mut tx = pool.begin().await?;
    let role = roles::find(&mut tx, role_account, role_name)
        .await?
        .filter(|r| r.path == role_path && role_account == verified.account);
    let trusts = |role: &roles::Role| {
        trusted(
            PrincipalKind::WebIdentity,
            role,
            &verified.provider_arn,
            &decided.context,
            &decided.actions,
            meta,
            now,
        )
    };
    let Some(role) = role.filter(trusts) else {
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
        return Err(ServiceError::AccessDenied(format!(
            "Not authorized to perform {ACTION}"
        )));
    };
    let seconds = rules::duration(asked.duration, 3600, i64::from(role.max_session_duration), false)
        .map_err(|e| ServiceError::Invalid(vec![e]))?;
    if packed > 100 {
        return Err(ServiceError::PackedPolicyTooLarge(format!(
            "Packed size of consumed provided policies exceeds the limit by {}%.",
            packed - 100
        )));
    }
    for arn in asked.policy_arns {
        require_policy(&mut tx, role_account, arn).await?;
    }
    let session = RoleSession {
        account_id: iam_core::account::AccountId::parse(role_account).map_err(ServiceError::Internal)?,
        role_name: role.role_name.clone(),
        role_id: role.role_id.clone(),
        role_path: role.path.clone(),
        session_name: asked.session_name.to_owned(),
        policy: asked.policy.map(str::to_owned),
        policy_arns: asked.policy_arns.to_vec(),
        tags: decided.tags,
        transitive_tag_keys: decided.transitive,
        source_identity: verified.claims.source_identity.clone(),
        federation: Some(FederatedBy {
            provider_arn: verified.provider_arn.clone(),
            subject: verified.accepted.subject.clone(),
            keys: decided.claim_keys,
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
    Ok(WebIdentityIssued {
        issued,
        subject: verified.accepted.subject.clone(),
        audience: verified.accepted.audience.clone(),
        provider_arn: verified.provider_arn.clone(),
    })
}

/// Assumes a role with an OIDC ID token.
pub async fn assume_role_with_web_identity(
    pool: &PgPool,
    secrets: &SecretBox,
    keys: &KeyCache,
    meta: &RequestMeta,
    now: OffsetDateTime,
    asked: &WebIdentityAsk<'_>,
) -> Result<WebIdentityIssued, ServiceError> {
    let errors = check_input(asked);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let Some((role_account, ..)) = iam_core::arn::parse_role_arn(asked.role_arn) else {
        return Err(ServiceError::field(
            "RoleArn",
            format!("the role ARN `{}` is not a valid role ARN", asked.role_arn),
        ));
    };
    if asked.provider_id.is_some() {
        return Err(invalid(
            "ProviderId is for OAuth 2.0 access tokens of Login with Amazon and Facebook; ID tokens of OpenID Connect providers are sent without it",
        ));
    }
    if let Some(policy) = asked.policy {
        validate_document(policy, PolicyKind::Session)?;
    }
    let verified = verify_token(pool, keys, role_account, asked.token, now).await?;
    let session = TokenSessionAsk {
        role_arn: asked.role_arn,
        session_name: asked.session_name,
        duration: asked.duration,
        policy: asked.policy,
        policy_arns: &asked.policy_arns,
    };
    open_token_session(pool, secrets, meta, now, &verified, &session).await
}
