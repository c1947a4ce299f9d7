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
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Arc::new(Aes256Gcm::new(key.into())),
        }
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
}
