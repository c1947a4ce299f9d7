//! STS: role sessions (AssumeRole), session tokens (GetSessionToken) and what an access
//! key ID tells (GetAccessKeyInfo). Credentials are sealed tokens (see `token`).

mod assume;
mod console_signin;
mod federated;
mod federation;
mod saml;
pub mod token;
mod web_identity;
pub mod workload;

pub use assume::{assume_role, AssumeRole};
pub use console_signin::{redeem_signin_token, signin_token, ConsoleSession};
pub use federation::{get_federation_token, FederationAsk};
pub use saml::{
    assume_role_with_saml, assume_verified, providers_named, verify as verify_saml, SamlAsk, SamlIssued,
    SessionAsk, VerifiedSaml,
};
pub use token::{Issued, Session, TokenProblem};
pub use web_identity::{
    assume_role_with_web_identity, open_token_session, roles_trusting, verify_token, TokenSessionAsk,
    VerifiedToken, WebIdentityAsk, WebIdentityIssued,
};

use crate::audit::{self, Event, Outcome};
use crate::crypto::SecretBox;
use crate::ops::{mfa, throttle};
use crate::{Caller, Identity, ServiceError};
use iam_core::credentials::lockout::LockoutPolicy;
use iam_core::credentials::session::{
    self as rules, SESSION_TOKEN_DEFAULT, SESSION_TOKEN_MAX, SESSION_TOKEN_ROOT_MAX,
};
use iam_core::field::FieldError;
use sqlx::PgPool;

/// AWS's words for a wrong MFA code given to STS.
const MFA_FAILED: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

/// A second factor offered with the request: the device's serial number and its code.
#[derive(Debug, Clone, Copy)]
pub struct MfaOffer<'a> {
    pub serial_number: &'a str,
    pub token_code: &'a str,
}

fn check_offer(offer: &MfaOffer<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let serial = offer.serial_number;
    if !(9..=256).contains(&serial.len())
        || !serial
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c))
    {
        errors.push(FieldError::new(
            "SerialNumber",
            "1 validation error detected: Value at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*",
        ));
    }
    let code = offer.token_code;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            "TokenCode",
            "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must have length between 6 and 6",
        ));
    }
    errors
}

/// Proves the caller's second factor now: a code from one of the caller's own devices, used
/// once, with guesses counted as at sign-in (the same budget: the API is no side door).
async fn prove_mfa(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    offer: &MfaOffer<'_>,
    lockout: &LockoutPolicy,
) -> Result<i64, ServiceError> {
    let identity = caller.identity;
    let device = iam_core::arn::mfa_name(caller.account(), offer.serial_number);
    let keys = throttle::Keys::new(
        &format!("mfa:{}", identity.arn()),
        caller.meta.source_ip.as_deref(),
    );
    let admitted = throttle::admit(pool, &keys, caller.now, lockout).await?;
    let mut tx = pool.begin().await?;
    let checked = match (identity, device) {
        (Identity::User { .. } | Identity::Root { .. }, Some(device)) => {
            mfa::verify_code(
                &mut tx,
                secrets,
                identity,
                Some(device),
                offer.token_code,
                caller.now,
            )
            .await
        }
        _ => Err(ServiceError::InvalidMfaCode),
    };
    match checked {
        Ok(()) => {
            throttle::record_success(&mut tx, &admitted, caller.now).await?;
            tx.commit().await?;
            Ok(caller.now.unix_timestamp())
        }
        Err(ServiceError::InvalidMfaCode) => {
            drop(tx);
            throttle::record_failure(pool, &admitted, caller.now, lockout).await?;
            Err(ServiceError::AccessDenied(MFA_FAILED.into()))
        }
        Err(other) => Err(other),
    }
}

/// Records an STS event in `account`'s history, with the caller as the actor.
pub(crate) async fn record(
    conn: &mut sqlx::PgConnection,
    caller: &Caller<'_>,
    account: &str,
    action: &str,
    resource: &str,
    refusal: Option<&str>,
) -> Result<(), ServiceError> {
    let actor = caller.identity.arn();
    let source = caller
        .identity
        .role_session()
        .and_then(|s| s.source_identity.as_deref());
    let event = Event {
        at: caller.now,
        account_id: Some(account),
        actor_arn: &actor,
        action,
        resource: Some(resource),
        outcome: Outcome::of(refusal),
        reason: refusal,
        source_identity: source,
    };
    audit::record(conn, &event, caller.meta).await?;
    Ok(())
}

/// `GetSessionToken`: temporary credentials for an IAM user or the root user, carrying
/// `aws:MultiFactorAuthPresent` when a code was given.
pub async fn get_session_token(
    pool: &PgPool,
    secrets: &SecretBox,
    lockout: &LockoutPolicy,
    caller: &Caller<'_>,
    duration: Option<i64>,
    mfa: Option<MfaOffer<'_>>,
) -> Result<Issued, ServiceError> {
    if caller.meta.session_credentials || caller.identity.role_session().is_some() {
        return Err(ServiceError::AccessDenied(
            "Cannot call GetSessionToken with session credentials".into(),
        ));
    }
    let root = matches!(caller.identity, Identity::Root { .. });
    let (default, max) = if root {
        (SESSION_TOKEN_ROOT_MAX, SESSION_TOKEN_ROOT_MAX)
    } else {
        (SESSION_TOKEN_DEFAULT, SESSION_TOKEN_MAX)
    };
    let mut errors: Vec<FieldError> = mfa.as_ref().map(check_offer).unwrap_or_default();
    errors.extend(rules::check_duration_param(duration, SESSION_TOKEN_MAX));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    // The root user's sessions are cut to an hour, as AWS does, without an error.
    let seconds = duration.unwrap_or(default).min(max);
    let mfa_at = match &mfa {
        Some(offer) => Some(prove_mfa(pool, secrets, caller, offer, lockout).await?),
        None => None,
    };
    // No permission is needed, as on AWS: the credentials carry the caller's own.
    let mut tx = pool.begin().await?;
    let issued = token::issue(secrets, caller.identity.clone(), caller.now, seconds, mfa_at)?;
    record(
        &mut tx,
        caller,
        caller.account(),
        "sts:GetSessionToken",
        &issued.access_key_id,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// `GetAccessKeyInfo`: the account an access key ID belongs to, whatever the key's state.
pub async fn access_key_info(
    pool: &PgPool,
    caller: &Caller<'_>,
    key_id: &str,
) -> Result<String, ServiceError> {
    if key_id.len() < 16 || key_id.len() > 128 || !key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ServiceError::field(
            "AccessKeyId",
            "1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]*",
        ));
    }
    let (mut conn, authz) = crate::ops::read(pool, caller).await?;
    authz.check("sts:GetAccessKeyInfo", "*")?;
    // Keys made before IDs carried their account are found by their row.
    let stored: Option<String> =
        sqlx::query_scalar("SELECT account_id FROM access_keys WHERE access_key_id = $1")
            .bind(key_id)
            .fetch_optional(&mut *conn)
            .await?;
    stored
        .or_else(|| rules::account_of_key_id(key_id))
        .ok_or_else(|| {
            ServiceError::field(
                "AccessKeyId",
                format!("the access key ID `{key_id}` is not valid"),
            )
        })
}
