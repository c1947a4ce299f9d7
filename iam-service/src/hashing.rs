//! Password hashing: argon2id at OWASP's parameters, run off the async executor behind a
//! semaphore so a burst of sign-ins cannot starve the server of threads or memory.

use crate::error::ServiceError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password: verified against when no user matched, so a wrong
    /// email costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// `concurrency` hashes may run at once (each holds ~19 MiB).
    pub fn new(concurrency: usize) -> Result<Self, ServiceError> {
        let dummy_password = SaltString::generate(&mut OsRng);
        let dummy_hash = hash_blocking(dummy_password.as_str())?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: dummy_hash.into(),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, ServiceError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against `hash`, or against the dummy hash when `hash` is `None`
    /// (returning false), taking about the same time either way.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, ServiceError> {
        let real = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let matched = self.run(move || verify_blocking(&password, &hash)).await??;
        Ok(real && matched)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ServiceError::Internal("hashing semaphore closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))
    }
}

fn argon2() -> Result<Argon2<'static>, ServiceError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(|e| ServiceError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("argon2 hash: {e}")))
}

fn verify_blocking(password: &str, hash: &str) -> Result<bool, ServiceError> {
    let parsed = PasswordHash::new(hash)
        .map_err(|e| ServiceError::Internal(format!("stored hash unreadable: {e}")))?;
    // Verification uses the parameters recorded in the hash itself.
    match argon2()?.verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(ServiceError::Internal(format!("argon2 verify: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash("Correct-h0rse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify("Correct-h0rse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct-h0rse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("Correct-h0rse", None).await.unwrap());
        assert_ne!(
            hash,
            hasher.hash("Correct-h0rse").await.unwrap(),
            "salts must differ"
        );
    }
}
