//! Console sign-in through an OpenID Connect provider: an administrator opens a provider for
//! it (the console becomes one of the provider's clients: a client ID among its audiences and
//! a secret, sealed like other secrets); the account's sign-in page then offers it. The
//! authorization code flow with PKCE, state and nonce brings back an ID token, which is
//! verified as AssumeRoleWithWebIdentity verifies one; the role's trust policy decides.
//!
//! IAM has no actions of its own for this setting: turning it on is authorized as
//! `iam:AddClientIDToOpenIDConnectProvider` on the provider (it lets a client's tokens in),
//! turning it off as `iam:RemoveClientIDFromOpenIDConnectProvider`, reading it as
//! `iam:GetOpenIDConnectProvider`.

use crate::crypto::SecretBox;
use crate::federation::keys::KeyCache;
use crate::ops::sts::{verify_token, VerifiedToken};
use crate::ops::{audited, begin as begin_tx};
use crate::{Caller, ServiceError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use iam_core::field::FieldError;
use iam_core::providers as rules;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::OffsetDateTime;

const ENABLE: &str = "iam:AddClientIDToOpenIDConnectProvider";
const DISABLE: &str = "iam:RemoveClientIDFromOpenIDConnectProvider";
/// The flow must come back within this many seconds of its start.
pub const PENDING_SECONDS: i64 = 600;
const TOKEN_RESPONSE_MAX_BYTES: usize = 64 * 1024;

fn bound_to(account: &str, url: &str) -> String {
    format!("oidc-console-client:{account}:{url}")
}

fn provider_url<'a>(account: &str, arn: &'a str) -> Result<&'a str, ServiceError> {
    rules::parse_oidc_arn(account, arn).ok_or_else(|| crate::ops::oidc_providers::no_such(arn))
}

/// The client ID the console signs in with, if the provider is open for console sign-in.
pub async fn console_client(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
) -> Result<Option<String>, ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin_tx(pool, caller).await?;
    authz.check("iam:GetOpenIDConnectProvider", arn)?;
    let url = provider_url(account, arn)?;
    let id =
        sqlx::query_scalar("SELECT client_id FROM oidc_console_signin WHERE account_id = $1 AND url = $2")
            .bind(account)
            .bind(url)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(id)
}

/// Opens the provider for console sign-in with the client `client_id` (one of its
/// audiences) and its secret.
pub async fn enable(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    arn: &str,
    client_id: &str,
    client_secret: &str,
) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    if client_id.is_empty() || client_id.len() > 255 {
        errors.push(FieldError::new(
            "client_id",
            "choose the client ID the console signs in as",
        ));
    }
    if client_secret.is_empty() || client_secret.len() > 512 {
        errors.push(FieldError::new(
            "client_secret",
            "enter the client's secret (1 to 512 characters)",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account();
    let (mut tx, authz) = begin_tx(pool, caller).await?;
    authz.check(ENABLE, arn)?;
    let url = provider_url(account, arn)?;
    let client_ids: Option<Vec<String>> = sqlx::query_scalar(
        "SELECT client_ids FROM oidc_providers WHERE account_id = $1 AND url = $2 FOR UPDATE",
    )
    .bind(account)
    .bind(url)
    .fetch_optional(&mut *tx)
    .await?;
    let client_ids = client_ids.ok_or_else(|| crate::ops::oidc_providers::no_such(arn))?;
    if !client_ids.iter().any(|c| c == client_id) {
        return Err(ServiceError::field(
            "client_id",
            format!("`{client_id}` is not an audience of this provider: add it as an audience first"),
        ));
    }
    let sealed = secrets.seal(client_secret.as_bytes(), &bound_to(account, url))?;
    sqlx::query(
        "INSERT INTO oidc_console_signin (account_id, url, client_id, client_secret, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id, url) DO UPDATE SET client_id = $3, client_secret = $4, updated_at = $5",
    )
    .bind(account)
    .bind(url)
    .bind(client_id)
    .bind(&sealed)
    .bind(caller.now)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, ENABLE, arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the provider for console sign-in.
pub async fn disable(pool: &PgPool, caller: &Caller<'_>, arn: &str) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin_tx(pool, caller).await?;
    authz.check(DISABLE, arn)?;
    let url = provider_url(account, arn)?;
    sqlx::query("DELETE FROM oidc_console_signin WHERE account_id = $1 AND url = $2")
        .bind(account)
        .bind(url)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, DISABLE, arn).await?;
    tx.commit().await?;
    Ok(())
}

/// The providers the account's sign-in page offers (their issuer URLs without `https://`).
/// Anyone may ask: the sign-in page shows them before anyone signs in.
pub async fn signin_choices(pool: &PgPool, account: &str) -> Result<Vec<String>, ServiceError> {
    Ok(
        sqlx::query_scalar("SELECT url FROM oidc_console_signin WHERE account_id = $1 ORDER BY url LIMIT 20")
            .bind(account)
            .fetch_all(pool)
            .await?,
    )
}

/// A sign-in under way: what the provider's answer must match. Kept in the browser's
/// session, never shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignin {
    pub account: String,
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub since: i64,
}

fn random(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

fn unavailable() -> ServiceError {
    ServiceError::Rejected {
        code: "IDPCommunicationError",
        message: "the identity provider could not be reached or answered in a way the console cannot use; try again later".into(),
    }
}

async fn client(
    pool: &PgPool,
    secrets: &SecretBox,
    account: &str,
    url: &str,
) -> Result<(String, String), ServiceError> {
    let row: Option<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT client_id, client_secret FROM oidc_console_signin WHERE account_id = $1 AND url = $2",
    )
    .bind(account)
    .bind(url)
    .fetch_optional(pool)
    .await?;
    let (client_id, sealed) = row.ok_or_else(|| {
        ServiceError::AccessDenied(
            "this identity provider is not open for console sign-in to this account".into(),
        )
    })?;
    let secret = secrets.open(&sealed, &bound_to(account, url))?;
    let secret =
        String::from_utf8(secret).map_err(|_| ServiceError::Internal("client secret is not UTF-8".into()))?;
    Ok((client_id, secret))
}

/// Starts a sign-in at the provider `url` for `account`: the address to send the browser to,
/// and what to keep until it comes back to `redirect_uri`.
pub async fn start(
    pool: &PgPool,
    secrets: &SecretBox,
    keys: &KeyCache,
    account: &str,
    url: &str,
    redirect_uri: &str,
    now: OffsetDateTime,
) -> Result<(String, PendingSignin), ServiceError> {
    let (client_id, _) = client(pool, secrets, account, url).await?;
    let issuer = keys.keys_for(url, None).await.map_err(|_| unavailable())?;
    let endpoint = issuer
        .authorization_endpoint
        .as_deref()
        .filter(|e| e.starts_with("https://"))
        .ok_or_else(unavailable)?;
    let pending = PendingSignin {
        account: account.to_owned(),
        url: url.to_owned(),
        state: random(24),
        nonce: random(24),
        verifier: random(48),
        since: now.unix_timestamp(),
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
    let mut target = url::Url::parse(endpoint).map_err(|_| unavailable())?;
    target
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", "openid email")
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    Ok((target.into(), pending))
}

/// Finishes the sign-in: the state must be the one sent, the code is traded for an ID token
/// (with the PKCE verifier and the client's secret), and the token must verify, be for the
/// console's client and carry the nonce sent.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    pool: &PgPool,
    secrets: &SecretBox,
    keys: &KeyCache,
    pending: &PendingSignin,
    code: &str,
    state: &str,
    redirect_uri: &str,
    now: OffsetDateTime,
) -> Result<VerifiedToken, ServiceError> {
    let stale = || {
        ServiceError::AccessDenied(
        "this sign-in was not started here, took too long or was already finished; start again from the sign-in page".into(),
    )
    };
    let age = now.unix_timestamp() - pending.since;
    if !(0..PENDING_SECONDS).contains(&age)
        || !crate::crypto::constant_time_eq(state.as_bytes(), pending.state.as_bytes())
    {
        return Err(stale());
    }
    if code.is_empty() || code.len() > 2048 {
        return Err(stale());
    }
    let (client_id, secret) = client(pool, secrets, &pending.account, &pending.url).await?;
    let issuer = keys
        .keys_for(&pending.url, None)
        .await
        .map_err(|_| unavailable())?;
    let endpoint = issuer.token_endpoint.as_deref().ok_or_else(unavailable)?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", pending.verifier.as_str()),
    ];
    let answer = keys
        .fetcher()
        .post_form(endpoint, &form, (&client_id, &secret), TOKEN_RESPONSE_MAX_BYTES)
        .await
        .map_err(|_| unavailable())?;
    let id_token = answer
        .get("id_token")
        .and_then(|t| t.as_str())
        .ok_or_else(unavailable)?;
    let verified = verify_token(pool, keys, &pending.account, id_token, now).await?;
    // The token must come from the provider the flow began at (no mix-up between providers).
    if verified.host_path() != pending.url {
        return Err(ServiceError::Rejected {
            code: "InvalidIdentityToken",
            message: format!("the token's issuer is not https://{}", pending.url),
        });
    }
    if verified.audience() != client_id {
        return Err(ServiceError::Rejected {
            code: "InvalidIdentityToken",
            message: "Incorrect token audience".into(),
        });
    }
    if !verified
        .nonce()
        .is_some_and(|n| crate::crypto::constant_time_eq(n.as_bytes(), pending.nonce.as_bytes()))
    {
        return Err(stale());
    }
    Ok(verified)
}

/// The console session's name for the token's holder: its subject, as far as a session
/// name's characters allow (never the email, which a provider may let people set freely).
pub fn session_name(verified: &VerifiedToken) -> String {
    let source = verified.subject();
    let name: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if name.len() < 2 {
        format!("{name}--")
    } else {
        name
    }
}
