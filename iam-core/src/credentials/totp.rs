//! Virtual MFA: RFC 6238 time-based codes (SHA-1, 6 digits, 30 s), as AWS's virtual devices.
//! Time is passed in; the caller stores the last accepted step so a code is never used twice.

use totp_rs::{Builder, Totp};

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: usize = 6;
/// One step either side of now, for clocks that drift a little.
pub const SKEW_STEPS: i64 = 1;
/// Enrolment codes may be this many steps old (AWS accepts codes typed a few minutes late).
pub const ENROL_WINDOW_STEPS: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotpError {
    /// Not six digits.
    Malformed,
    /// Not a code of this device around now.
    Wrong,
    /// A correct code whose step was already used.
    Replayed,
}

impl std::fmt::Display for TotpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TotpError::Malformed => "an MFA code is six digits",
            TotpError::Wrong => "the MFA code is not valid",
            TotpError::Replayed => "this MFA code was already used; wait for the next one",
        })
    }
}

fn device(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_digits(DIGITS as u8)
        .build()
        .ok()
}

/// The code for `step` (time / 30).
pub fn code_at_step(secret: &[u8], step: i64) -> Option<String> {
    let time = u64::try_from(step.checked_mul(STEP_SECONDS)?).ok()?;
    Some(device(secret)?.generate(time).to_string())
}

pub fn step_of(now: i64) -> i64 {
    now.div_euclid(STEP_SECONDS)
}

fn well_formed(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a sign-in code. Returns the step it belongs to (to store as the last used one).
pub fn verify(secret: &[u8], code: &str, now: i64, last_used_step: Option<i64>) -> Result<i64, TotpError> {
    let code = code.trim();
    if !well_formed(code) {
        return Err(TotpError::Malformed);
    }
    let now_step = step_of(now);
    let step = (now_step - SKEW_STEPS..=now_step + SKEW_STEPS)
        .find(|&s| code_at_step(secret, s).as_deref() == Some(code))
        .ok_or(TotpError::Wrong)?;
    match last_used_step {
        Some(last) if step <= last => Err(TotpError::Replayed),
        _ => Ok(step),
    }
}

/// Checks the two consecutive codes of an enrolment: `first` then `second`, for steps `s`
/// and `s + 1`, not older than the enrolment window. Returns the step of the second.
pub fn verify_consecutive(secret: &[u8], first: &str, second: &str, now: i64) -> Result<i64, TotpError> {
    let (first, second) = (first.trim(), second.trim());
    if !well_formed(first) || !well_formed(second) {
        return Err(TotpError::Malformed);
    }
    let now_step = step_of(now);
    (now_step - ENROL_WINDOW_STEPS..=now_step + SKEW_STEPS - 1)
        .find(|&s| {
            code_at_step(secret, s).as_deref() == Some(first)
                && code_at_step(secret, s + 1).as_deref() == Some(second)
        })
        .map(|s| s + 1)
        .ok_or(TotpError::Wrong)
}

/// The secret back from its base32 text (as `base32` writes it, padding and case allowed),
/// or `None` for a character outside the alphabet: what an authenticator app does with it.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::with_capacity(text.len() * 5 / 8));
    for c in text.trim_end_matches('=').bytes() {
        let value = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        acc = (acc << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret typed by hand.
pub fn base32(secret: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(secret.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &byte in secret {
        acc = (acc << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key.
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_vectors() {
        // The RFC lists 8-digit codes; the last six digits are the 6-digit code.
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(
                code_at_step(RFC_KEY, step_of(time)).as_deref(),
                Some(&eight[2..]),
                "t={time}"
            );
        }
    }

    #[test]
    fn accepts_one_step_either_side_and_never_twice() {
        let now = 1_796_000_000;
        let step = step_of(now);
        let code = |s| code_at_step(RFC_KEY, s).unwrap();
        assert_eq!(verify(RFC_KEY, &code(step), now, None), Ok(step));
        assert_eq!(verify(RFC_KEY, &code(step - 1), now, None), Ok(step - 1));
        assert_eq!(verify(RFC_KEY, &code(step + 1), now, None), Ok(step + 1));
        assert_eq!(verify(RFC_KEY, &code(step - 2), now, None), Err(TotpError::Wrong));
        assert_eq!(
            verify(RFC_KEY, &code(step), now, Some(step)),
            Err(TotpError::Replayed)
        );
        assert_eq!(
            verify(RFC_KEY, &code(step - 1), now, Some(step)),
            Err(TotpError::Replayed)
        );
        assert_eq!(verify(RFC_KEY, &code(step + 1), now, Some(step)), Ok(step + 1));
        assert_eq!(verify(RFC_KEY, "12345", now, None), Err(TotpError::Malformed));
        assert_eq!(verify(RFC_KEY, "abcdef", now, None), Err(TotpError::Malformed));
    }

    #[test]
    fn enrolment_needs_two_consecutive_codes() {
        let now = 1_796_000_000;
        let step = step_of(now);
        let code = |s| code_at_step(RFC_KEY, s).unwrap();
        assert_eq!(
            verify_consecutive(RFC_KEY, &code(step - 1), &code(step), now),
            Ok(step)
        );
        assert_eq!(
            verify_consecutive(RFC_KEY, &code(step - 5), &code(step - 4), now),
            Ok(step - 4)
        );
        assert_eq!(
            verify_consecutive(RFC_KEY, &code(step), &code(step - 1), now),
            Err(TotpError::Wrong)
        );
        assert_eq!(
            verify_consecutive(RFC_KEY, &code(step - 2), &code(step), now),
            Err(TotpError::Wrong)
        );
        assert_eq!(
            verify_consecutive(RFC_KEY, &code(step - 30), &code(step - 29), now),
            Err(TotpError::Wrong)
        );
    }

    #[test]
    fn base32_and_uri() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base32_decode(&base32(RFC_KEY)).as_deref(), Some(RFC_KEY));
        assert_eq!(base32_decode("MZ1"), None);
        assert_eq!(base32(RFC_KEY), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = otpauth_uri(RFC_KEY, "IAM console", "root@123456789012");
        assert_eq!(
            uri,
            "otpauth://totp/IAM%20console:root@123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=IAM%20console&algorithm=SHA1&digits=6&period=30"
        );
    }
}
