//! Password hashing: argon2id at OWASP's parameters, run off the async executor behind a
//! semaphore so a burst of sign-ins cannot starve the server of threads or memory. The queue
//! for that semaphore is bounded: when it is full, an attempt is answered "try again" at once
//! instead of waiting behind a flood.

use crate::error::ServiceError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Tasks waiting for a permit now, and the most that may wait.
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    /// argon2 computations finished (hashes and verifications), for tests and metrics.
    done: Arc<AtomicU64>,
    /// A real hash of a random password: verified against when no user matched, so a wrong
    /// email costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// `concurrency` hashes may run at once (each holds ~19 MiB); sixteen times as many may
    /// wait for a turn.
    pub fn new(concurrency: usize) -> Result<Self, ServiceError> {
        Self::with_queue(concurrency, concurrency.max(1).saturating_mul(16))
    }

    pub fn with_queue(concurrency: usize, max_waiting: usize) -> Result<Self, ServiceError> {
        let dummy_password = SaltString::generate(&mut OsRng);
        let dummy_hash = hash_blocking(dummy_password.as_str())?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
            done: Arc::new(AtomicU64::new(0)),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// argon2 computations finished so far by this hasher (and its clones).
    pub fn hashes_done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// A turn to hash: at once if one is free, after a wait in a bounded queue otherwise.
    /// A full queue answers `Throttled` at once ("try again").
    pub async fn permit(&self) -> Result<HashPermit, ServiceError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(HashPermit { _held: permit });
        }
        // Counted while waiting, and uncounted however the wait ends (a cancelled request
        // included), so the queue's count cannot drift.
        let waiter = Waiter::join(&self.waiting);
        if waiter.ahead >= self.max_waiting {
            return Err(ServiceError::Throttled { seconds: 1 });
        }
        let permit = self.permits.clone().acquire_owned().await;
        drop(waiter);
        permit
            .map(|held| HashPermit { _held: held })
            .map_err(|_| ServiceError::Internal("hashing semaphore closed".into()))
    }

    pub async fn hash(&self, password: &str) -> Result<String, ServiceError> {
        let permit = self.permit().await?;
        let password = password.to_owned();
        self.run(permit, move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against `hash`, or against the dummy hash when `hash` is `None`
    /// (returning false), taking about the same time either way.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, ServiceError> {
        let permit = self.permit().await?;
        self.verify_with(permit, password, hash).await
    }

    /// `verify` with a permit already taken (so the caller can check something between).
    pub async fn verify_with(
        &self,
        permit: HashPermit,
        password: &str,
        hash: Option<&str>,
    ) -> Result<bool, ServiceError> {
        let real = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let matched = self
            .run(permit, move || verify_blocking(&password, &hash))
            .await??;
        Ok(real && matched)
    }

    async fn run<T: Send + 'static>(
        &self,
        permit: HashPermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let done = self.done.clone();
        // The permit goes with the work: a cancelled request does not free it while the
        // hash still runs.
        let work = move || {
            let _permit = permit;
            let out = work();
            done.fetch_add(1, Ordering::Relaxed);
            out
        };
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))
    }
}

/// One place in the queue for a permit, given back when dropped.
struct Waiter<'a> {
    count: &'a AtomicUsize,
    /// How many were waiting before this one.
    ahead: usize,
}

impl<'a> Waiter<'a> {
    fn join(count: &'a AtomicUsize) -> Self {
        let ahead = count.fetch_add(1, Ordering::AcqRel);
        Self { count, ahead }
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A turn to run one argon2 computation.
pub struct HashPermit {
    _held: OwnedSemaphorePermit,
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

    #[tokio::test]
    async fn a_cancelled_wait_gives_its_place_back() {
        let hasher = PasswordHasher::with_queue(1, 1).unwrap();
        let held = hasher.permit().await.unwrap();
        // Waiters that give up (a request cancelled by a timeout) leave no count behind.
        for _ in 0..5 {
            let waiting = tokio::time::timeout(std::time::Duration::from_millis(10), hasher.permit()).await;
            assert!(waiting.is_err(), "the only permit is held");
        }
        assert_eq!(hasher.waiting.load(Ordering::Acquire), 0);
        drop(held);
        assert!(hasher.permit().await.is_ok());
    }
}
