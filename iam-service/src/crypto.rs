//! Secrets at rest: AES-256-GCM under the master key. Each sealed value is bound to where it
//! is stored (associated data), so a sealed seed cannot be moved to another row and used there.

use crate::ServiceError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use std::sync::Arc;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct SecretBox {
    cipher: Arc<Aes256Gcm>,
    /// Session tokens' key, derived from the master key: a token never opens as a stored
    /// secret, nor a stored secret as a token.
    token_key: Arc<[u8; 32]>,
}

/// Session tokens: a version byte, a salt that picks a fresh key for each token (so no
/// number of tokens wears out the random nonces' margin), then the sealed claims.
const TOKEN_VERSION: u8 = 1;
const SALT_LEN: usize = 16;

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> Self {
        use sha2::{Digest, Sha256};
        let token_key: [u8; 32] = Sha256::new()
            .chain_update(key)
            .chain_update(b"sts session tokens")
            .finalize()
            .into();
        Self {
            cipher: Arc::new(Aes256Gcm::new(key.into())),
            token_key: Arc::new(token_key),
        }
    }

    fn token_cipher(&self, salt: &[u8]) -> Aes256Gcm {
        use sha2::{Digest, Sha256};
        let key: [u8; 32] = Sha256::new()
            .chain_update(self.token_key.as_slice())
            .chain_update(salt)
            .finalize()
            .into();
        Aes256Gcm::new(&key.into())
    }

    /// Seals a session token's claims: only a process with the same master key opens it.
    pub fn seal_token(&self, claims: &[u8]) -> Result<Vec<u8>, ServiceError> {
        let mut salt_nonce = [0u8; SALT_LEN + NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut salt_nonce);
        let (salt, nonce) = salt_nonce.split_at(SALT_LEN);
        let sealed = self
            .token_cipher(salt)
            .encrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: claims,
                    aad: &[TOKEN_VERSION],
                },
            )
            .map_err(|_| ServiceError::Internal("sealing a session token failed".into()))?;
        Ok([&[TOKEN_VERSION], salt_nonce.as_slice(), &sealed].concat())
    }

    /// A token's claims, or `None` when it is not one of ours or was altered.
    pub fn open_token(&self, token: &[u8]) -> Option<Vec<u8>> {
        let (&version, rest) = token.split_first()?;
        if version != TOKEN_VERSION || rest.len() < SALT_LEN + NONCE_LEN {
            return None;
        }
        let (salt, rest) = rest.split_at(SALT_LEN);
        let (nonce, body) = rest.split_at(NONCE_LEN);
        self.token_cipher(salt)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &[TOKEN_VERSION],
                },
            )
            .ok()
    }

    /// A fresh random key (first run, tests).
    pub fn generate_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        key
    }

    /// `nonce || ciphertext+tag`.
    pub fn seal(&self, plaintext: &[u8], bound_to: &str) -> Result<Vec<u8>, ServiceError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| ServiceError::Internal("sealing a secret failed".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub fn open(&self, sealed: &[u8], bound_to: &str) -> Result<Vec<u8>, ServiceError> {
        if sealed.len() < NONCE_LEN {
            return Err(ServiceError::Internal("sealed secret too short".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| {
                ServiceError::Internal("a sealed secret did not open: wrong master key or moved row".into())
            })
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_where_bound() {
        let b = SecretBox::new(&SecretBox::generate_key());
        let sealed = b.seal(b"seed", "mfa:1:a").unwrap();
        assert_ne!(&sealed[NONCE_LEN..], b"seed");
        assert_eq!(b.open(&sealed, "mfa:1:a").unwrap(), b"seed");
        assert!(b.open(&sealed, "mfa:1:b").is_err());
        let other = SecretBox::new(&SecretBox::generate_key());
        assert!(other.open(&sealed, "mfa:1:a").is_err());
        assert_ne!(
            b.seal(b"seed", "x").unwrap(),
            b.seal(b"seed", "x").unwrap(),
            "fresh nonce each time"
        );
    }

    #[test]
    fn tokens_open_only_unaltered_and_under_the_same_key() {
        let key = SecretBox::generate_key();
        let b = SecretBox::new(&key);
        let token = b.seal_token(b"claims").unwrap();
        assert_eq!(
            SecretBox::new(&key).open_token(&token).as_deref(),
            Some(&b"claims"[..])
        );
        let mut altered = token.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(b.open_token(&altered).is_none());
        assert!(SecretBox::new(&SecretBox::generate_key())
            .open_token(&token)
            .is_none());
        assert!(b.open_token(&token[..10]).is_none());
        // A stored secret is no token, and a token no stored secret.
        assert!(b.open_token(&b.seal(b"claims", "").unwrap()).is_none());
        assert!(b.open(&token[1..], "").is_err());
    }
}
