//! Temporary credentials as a sealed session token: the key ID, the secret and who the
//! session is travel inside the token, sealed under the deployment's master key, so every
//! server process can verify a request without shared state or a database row.

use crate::crypto::SecretBox;
use crate::{Identity, ServiceError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use iam_core::credentials::access_key::new_secret_access_key;
use iam_core::credentials::session::{is_current, key_id_for_account};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The longest session token accepted: larger input is refused before any work.
const MAX_TOKEN_CHARS: usize = 16 * 1024;

#[derive(Clone, Serialize, Deserialize)]
struct Claims {
    #[serde(rename = "k")]
    key_id: String,
    #[serde(rename = "s")]
    secret: String,
    #[serde(rename = "i")]
    identity: Identity,
    #[serde(rename = "t")]
    issued: i64,
    #[serde(rename = "e")]
    expires: i64,
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    mfa_at: Option<i64>,
}

/// Credentials just issued: shown once to whoever asked, never stored.
#[derive(Clone)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: OffsetDateTime,
    pub identity: Identity,
    /// AWS's PackedPolicySize, when session policies or tags were passed.
    pub packed_percent: Option<u32>,
}

/// A request's temporary credentials, opened and current.
#[derive(Clone)]
pub struct Session {
    pub identity: Identity,
    pub secret: String,
    pub issued: i64,
    pub expires: i64,
    pub mfa_at: Option<i64>,
}

// Debug output names who and until when, never the secret or the token.
impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("identity", &self.identity)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// Why temporary credentials were refused (AWS: InvalidClientTokenId or ExpiredToken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Invalid,
    Expired,
}

/// Issues credentials for `identity`, valid from `now` for `seconds`.
pub fn issue(
    secrets: &SecretBox,
    identity: Identity,
    now: OffsetDateTime,
    seconds: i64,
    mfa_at: Option<i64>,
) -> Result<Issued, ServiceError> {
    let mut rng = rand::rngs::OsRng;
    let claims = Claims {
        key_id: key_id_for_account("ASIA", identity.account_id().as_str(), &mut rng),
        secret: new_secret_access_key(&mut rng),
        identity,
        issued: now.unix_timestamp(),
        expires: now.unix_timestamp() + seconds,
        mfa_at,
    };
    let json = serde_json::to_vec(&claims).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let session_token = STANDARD.encode(secrets.seal_token(&json)?);
    Ok(Issued {
        access_key_id: claims.key_id,
        secret_access_key: claims.secret,
        session_token,
        expiration: now + time::Duration::seconds(seconds),
        identity: claims.identity,
        packed_percent: None,
    })
}

/// Opens the session token sent with `key_id`: it must be ours, unaltered, issued with this
/// key ID, and not expired at `now`.
pub fn open(secrets: &SecretBox, key_id: &str, token: &str, now: i64) -> Result<Session, TokenProblem> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(TokenProblem::Invalid);
    }
    let bytes = STANDARD.decode(token.trim()).map_err(|_| TokenProblem::Invalid)?;
    let json = secrets.open_token(&bytes).ok_or(TokenProblem::Invalid)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| TokenProblem::Invalid)?;
    if claims.key_id != key_id {
        return Err(TokenProblem::Invalid);
    }
    if !is_current(claims.issued, claims.expires, now) {
        return Err(TokenProblem::Expired);
    }
    Ok(Session {
        identity: claims.identity,
        secret: claims.secret,
        issued: claims.issued,
        expires: claims.expires,
        mfa_at: claims.mfa_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use iam_core::account::AccountId;

    #[test]
    fn tokens_verify_with_their_key_until_they_expire() {
        let secrets = SecretBox::new(&SecretBox::generate_key());
        let identity = Identity::Root {
            account_id: AccountId::parse("123456789012").unwrap(),
        };
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let issued = issue(&secrets, identity.clone(), now, 900, None).unwrap();
        assert!(issued.access_key_id.starts_with("ASIA"));
        let at = now.unix_timestamp();
        let session = open(&secrets, &issued.access_key_id, &issued.session_token, at + 899).unwrap();
        assert_eq!(session.identity, identity);
        assert_eq!(session.secret, issued.secret_access_key);
        assert_eq!(
            open(&secrets, &issued.access_key_id, &issued.session_token, at + 900).unwrap_err(),
            TokenProblem::Expired
        );
        let other = issue(&secrets, identity, now, 900, None).unwrap();
        assert_eq!(
            open(&secrets, &other.access_key_id, &issued.session_token, at).unwrap_err(),
            TokenProblem::Invalid,
            "a token works only with its own key ID"
        );
        assert_eq!(
            open(&secrets, &issued.access_key_id, "bm90IGEgdG9rZW4=", at).unwrap_err(),
            TokenProblem::Invalid
        );
        let elsewhere = SecretBox::new(&SecretBox::generate_key());
        assert_eq!(
            open(&elsewhere, &issued.access_key_id, &issued.session_token, at).unwrap_err(),
            TokenProblem::Invalid
        );
    }
}
