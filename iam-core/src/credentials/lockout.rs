//! Brute-force protection: a failure counter per (account, user) and per source address,
//! with growing waits, after Keycloak's defaults (30 failures; wait from 1 minute, growing to
//! 15 minutes). Pure: the state is stored by the caller (in Postgres, shared by every server).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Failures allowed before the first wait.
    pub max_failures: u32,
    /// The first wait, in seconds; each further lock adds as much again.
    pub wait_increment: i64,
    /// The longest wait, in seconds.
    pub max_wait: i64,
    /// Failures older than this (seconds) are forgotten.
    pub reset_after: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 30,
            wait_increment: 60,
            max_wait: 900,
            reset_after: 12 * 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutState {
    /// Failures since the last lock ended (or since the counter was reset).
    pub failures: u32,
    /// Locks so far in this streak: each one waits longer.
    pub locks: u32,
    pub last_failure: Option<i64>,
    pub locked_until: Option<i64>,
}

impl LockoutState {
    /// Seconds left before another attempt is allowed, if locked at `now`.
    pub fn wait_left(&self, now: i64) -> Option<i64> {
        self.locked_until
            .filter(|&until| until > now)
            .map(|until| until - now)
    }

    /// The state after a failed attempt at `now` (or an attempt counted before it is
    /// checked). When a lock has ended, a whole new batch of attempts is allowed, so one
    /// guess per wait cannot keep an identifier locked forever.
    pub fn after_failure(self, now: i64, policy: &LockoutPolicy) -> Self {
        let stale = self
            .last_failure
            .is_some_and(|last| now - last >= policy.reset_after);
        let mut next = if stale { Self::default() } else { self };
        if next.locked_until.is_some_and(|until| until <= now) {
            next.failures = 0;
            next.locked_until = None;
        }
        next.failures = next.failures.saturating_add(1);
        next.last_failure = Some(now);
        if next.failures >= policy.max_failures.max(1) {
            next.locks = next.locks.saturating_add(1);
            let wait = policy.wait_increment.saturating_mul(i64::from(next.locks));
            next.locked_until = Some(now + wait.min(policy.max_wait));
            next.failures = 0;
        }
        next
    }

    /// A successful sign-in clears the counter.
    pub fn after_success(self) -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(state: LockoutState, now: i64, times: u32, policy: &LockoutPolicy) -> LockoutState {
        (0..times).fold(state, |s, _| s.after_failure(now, policy))
    }

    #[test]
    fn locks_after_the_allowed_failures_with_growing_waits() {
        let policy = LockoutPolicy::default();
        let s = fail(LockoutState::default(), 1000, 29, &policy);
        assert_eq!(s.wait_left(1000), None, "29 failures do not lock");
        let s = s.after_failure(1000, &policy);
        assert_eq!(s.wait_left(1000), Some(60));
        assert_eq!(s.wait_left(1059), Some(1));
        assert_eq!(s.wait_left(1060), None, "the lock lifts after the wait");
        let s = fail(s, 1100, 30, &policy);
        assert_eq!(s.wait_left(1100), Some(120), "the next lock waits longer");
        let s = (0..20).fold(s, |s, i| fail(s, 2000 + i * 1000, 30, &policy));
        assert_eq!(s.wait_left(21_000), Some(900), "never longer than the maximum");
    }

    #[test]
    fn one_guess_per_wait_cannot_keep_the_lock() {
        let policy = LockoutPolicy::default();
        let s = fail(LockoutState::default(), 0, 30, &policy);
        assert_eq!(s.wait_left(0), Some(60));
        // A guess each time the lock lifts starts a new batch: no new lock.
        let s = s.after_failure(60, &policy);
        assert_eq!(s.wait_left(60), None);
        let s = s.after_failure(61, &policy);
        assert_eq!(s.wait_left(61), None, "two guesses after the lock do not lock");
        assert_eq!(s.failures, 2);
    }

    #[test]
    fn success_and_time_reset_the_counter() {
        let policy = LockoutPolicy::default();
        let s = fail(LockoutState::default(), 0, 29, &policy);
        assert_eq!(s.after_success(), LockoutState::default());
        let later = s.after_failure(12 * 3600, &policy);
        assert_eq!(
            later.failures, 1,
            "failures older than the reset period are forgotten"
        );
        assert_eq!(later.wait_left(12 * 3600), None);
    }

    #[test]
    fn short_policies_for_tests() {
        let policy = LockoutPolicy {
            max_failures: 3,
            wait_increment: 2,
            max_wait: 10,
            reset_after: 60,
        };
        let s = fail(LockoutState::default(), 0, 3, &policy);
        assert_eq!(s.wait_left(0), Some(2));
        assert_eq!(s.wait_left(2), None);
    }
}
