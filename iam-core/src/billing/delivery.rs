//! Retrying alert emails: how long to wait after each failed attempt, and when to give up.

/// Attempts before a notification's email is given up (it stays in the console).
pub const MAX_ATTEMPTS: i32 = 6;

/// Seconds to wait after the `attempts`-th failure (1-based): 30 s, then four times longer
/// each time (2 min, 8 min, 32 min, about 2 h); `None` once it is time to give up.
pub fn retry_delay(attempts: i32) -> Option<i64> {
    (1..MAX_ATTEMPTS)
        .contains(&attempts)
        .then(|| 30 * 4i64.pow((attempts - 1) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_four_times_longer_then_gives_up() {
        let delays: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_delay).collect();
        assert_eq!(
            delays,
            [Some(30), Some(120), Some(480), Some(1920), Some(7680), None]
        );
        assert_eq!(retry_delay(0), None);
    }
}
