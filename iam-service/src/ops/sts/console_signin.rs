//! The console federation endpoint of custom identity brokers (AWS's
//! `/federation?Action=getSigninToken` then `Action=login`): temporary credentials from
//! AssumeRole* or GetFederationToken become a sign-in token, good for 15 minutes and once,
//! which opens a console session as those credentials' identity. Long-term keys and
//! GetSessionToken's credentials are refused, as on AWS.

use super::token;
use crate::crypto::SecretBox;
use crate::{Identity, RequestMeta, ServiceError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use time::OffsetDateTime;

/// A sign-in token is redeemed within this many seconds, as AWS's.
const TOKEN_SECONDS: i64 = 900;
const BOUND_TO: &str = "console-signin-token";
/// The longest token accepted: larger input is refused before any work.
const MAX_TOKEN_CHARS: usize = 24 * 1024;
const SESSION_MAX: i64 = 43_200;

/// The `Session` parameter: the temporary credentials, as AWS's JSON names them.
#[derive(Debug, Deserialize)]
pub struct SessionCredentials {
    #[serde(rename = "sessionId")]
    pub access_key_id: String,
    #[serde(rename = "sessionKey")]
    pub secret_access_key: String,
    #[serde(rename = "sessionToken")]
    pub session_token: String,
}

#[derive(Serialize, Deserialize)]
struct SigninClaims {
    #[serde(rename = "j")]
    id: String,
    #[serde(rename = "i")]
    identity: Identity,
    /// When the credentials were issued (the console session's aws:TokenIssueTime).
    #[serde(rename = "t")]
    issued: i64,
    /// When the console session ends.
    #[serde(rename = "e")]
    ends: i64,
    #[serde(rename = "m")]
    minted: i64,
}

/// A console session to open.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    pub identity: Identity,
    pub issued: OffsetDateTime,
    pub ends: OffsetDateTime,
}

fn refused(message: &str) -> ServiceError {
    ServiceError::Rejected {
        code: "InvalidRequest",
        message: message.to_owned(),
    }
}

/// `getSigninToken`: checks the credentials (their secret must match, as a signature would
/// prove) and seals who they are into a sign-in token.
pub async fn signin_token(
    pool: &PgPool,
    secrets: &SecretBox,
    session_json: &str,
    duration: Option<i64>,
    now: OffsetDateTime,
) -> Result<String, ServiceError> {
    if session_json.len() > MAX_TOKEN_CHARS {
        return Err(refused("the Session parameter is too long"));
    }
    let credentials: SessionCredentials = serde_json::from_str(session_json).map_err(|_| {
        refused("the Session parameter must be JSON with sessionId, sessionKey and sessionToken")
    })?;
    let invalid =
        || refused("the credentials in Session are not valid temporary credentials of this service");
    let session = token::open(
        secrets,
        &credentials.access_key_id,
        &credentials.session_token,
        now.unix_timestamp(),
    )
    .map_err(|_| invalid())?;
    if !crate::crypto::constant_time_eq(
        session.secret.as_bytes(),
        credentials.secret_access_key.as_bytes(),
    ) {
        return Err(invalid());
    }
    let ends = match (&session.identity, duration) {
        (Identity::AssumedRole(role_session), Some(seconds)) => {
            if !(900..=SESSION_MAX).contains(&seconds) {
                return Err(refused("SessionDuration must be from 900 to 43200 seconds"));
            }
            // No longer than the role allows a session to last.
            let mut conn = pool.acquire().await?;
            let role = crate::ops::roles::find(&mut conn, role_session.account_id.as_str(), &role_session.role_name)
                .await?
                .filter(|r| r.role_id == role_session.role_id)
                .ok_or_else(invalid)?;
            if seconds > i64::from(role.max_session_duration) {
                return Err(refused(
                    "The requested SessionDuration exceeds the MaxSessionDuration set for this role.",
                ));
            }
            now.unix_timestamp() + seconds
        }
        (Identity::AssumedRole(_) | Identity::FederatedUser(_), None) => session.expires,
        (Identity::FederatedUser(_), Some(_)) => {
            return Err(refused(
                "SessionDuration cannot be used with GetFederationToken credentials: the console session lasts as long as they do",
            ))
        }
        _ => {
            return Err(refused(
                "only credentials from AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity or GetFederationToken open a console session",
            ))
        }
    };
    let claims = SigninClaims {
        id: random_id(),
        identity: session.identity,
        issued: session.issued,
        ends,
        minted: now.unix_timestamp(),
    };
    let json = serde_json::to_vec(&claims).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(secrets.seal(&json, BOUND_TO)?))
}

fn random_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `login`: redeems a sign-in token once, within its 15 minutes, and records the console
/// sign-in.
pub async fn redeem_signin_token(
    pool: &PgPool,
    secrets: &SecretBox,
    meta: &RequestMeta,
    signin_token: &str,
    now: OffsetDateTime,
) -> Result<ConsoleSession, ServiceError> {
    let expired = || {
        ServiceError::AccessDenied(
        "the sign-in token is not valid, has expired or was already used; ask your identity broker for a new one".into(),
    )
    };
    if signin_token.len() > MAX_TOKEN_CHARS {
        return Err(expired());
    }
    let sealed = URL_SAFE_NO_PAD
        .decode(signin_token.trim())
        .map_err(|_| expired())?;
    let json = secrets.open(&sealed, BOUND_TO).map_err(|_| expired())?;
    let claims: SigninClaims = serde_json::from_slice(&json).map_err(|_| expired())?;
    let at = now.unix_timestamp();
    if !(0..TOKEN_SECONDS).contains(&(at - claims.minted)) || at >= claims.ends {
        return Err(expired());
    }
    let time_of =
        |t: i64| OffsetDateTime::from_unix_timestamp(t).map_err(|e| ServiceError::Internal(e.to_string()));
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM signin_tokens_used WHERE ctid IN (SELECT ctid FROM signin_tokens_used WHERE expires_at < $1 LIMIT 20)")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let first = sqlx::query(
        "INSERT INTO signin_tokens_used (token_id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(&claims.id)
    .bind(time_of(claims.minted + TOKEN_SECONDS)?)
    .execute(&mut *tx)
    .await?;
    if first.rows_affected() != 1 {
        return Err(expired());
    }
    crate::ops::signin::record_session_sign_in(&mut tx, &claims.identity, now, meta).await?;
    tx.commit().await?;
    Ok(ConsoleSession {
        issued: time_of(claims.issued)?,
        ends: time_of(claims.ends)?,
        identity: claims.identity,
    })
}
