//! Temporary credentials' rules (STS): key IDs that name their account, role session names,
//! durations, session tags. Pure: randomness and time are passed in.

use super::sigv4::MAX_SKEW_SECONDS;
use crate::field::FieldError;
use rand_core::RngCore;

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// An access key ID (`AKIA` or `ASIA` + 16 characters) that carries its account, as AWS's do:
/// the 16 characters are 10 bytes in base32, whose first 6 bytes hold the account ID shifted
/// left by 7 bits (the top bit and the low 7 bits random), the last 4 random.
pub fn key_id_for_account(prefix: &str, account: &str, rng: &mut impl RngCore) -> String {
    let account: u64 = account.parse().unwrap_or(0);
    let mut random = [0u8; 5];
    rng.fill_bytes(&mut random);
    let head = ((account << 7) | u64::from(random[0] & 0x7f)) & 0x7fff_ffff_ffff;
    let mut bytes = [0u8; 10];
    bytes[..6].copy_from_slice(&head.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&random[1..]);
    let mut out = String::from(prefix);
    // 80 bits: sixteen 5-bit groups.
    let bits = bytes.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    for i in (0..16).rev() {
        out.push(char::from(BASE32[((bits >> (i * 5)) & 31) as usize]));
    }
    out
}

/// The account an access key ID names (AWS's encoding; see `key_id_for_account`).
pub fn account_of_key_id(key_id: &str) -> Option<String> {
    let tail = key_id.get(4..)?;
    if tail.len() != 16 {
        return None;
    }
    let mut bits = 0u128;
    for c in tail.bytes() {
        bits = (bits << 5) | BASE32.iter().position(|&b| b == c)? as u128;
    }
    let head = (bits >> 32) as u64;
    let account = (head & 0x7fff_ffff_ff80) >> 7;
    Some(format!("{account:012}"))
}

/// The shortest session (AWS: 15 minutes).
pub const MIN_DURATION: i64 = 900;
/// A session begun from another role session lasts at most an hour (role chaining).
pub const CHAINED_MAX_DURATION: i64 = 3600;
/// GetSessionToken's longest session, and the root user's.
pub const SESSION_TOKEN_MAX: i64 = 129_600;
pub const SESSION_TOKEN_ROOT_MAX: i64 = 3600;
pub const SESSION_TOKEN_DEFAULT: i64 = 43_200;
/// The inline session policy's size (AWS: 2,048 characters) and the managed ones' count.
pub const SESSION_POLICY_MAX_CHARS: usize = 2048;
pub const SESSION_POLICY_ARNS_MAX: usize = 10;
/// Session tags (AWS: 50, keys 128 and values 256 characters).
pub const SESSION_TAGS_MAX: usize = 50;

/// `RoleSessionName`: 2-64 characters of `[\w+=,.@-]`.
pub fn check_session_name(field: &str, name: &str) -> Result<(), FieldError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !(2..=64).contains(&name.chars().count()) {
        return Err(FieldError::new(
            field,
            format!("1 validation error detected: Value '{name}' at '{}' failed to satisfy constraint: Member must have length between 2 and 64", camel(field)),
        ));
    }
    if !ok_chars {
        return Err(FieldError::new(
            field,
            format!("1 validation error detected: Value '{name}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", camel(field)),
        ));
    }
    Ok(())
}

/// `roleSessionName` from `RoleSessionName`: the member name AWS's validation messages use.
fn camel(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `ExternalId` and `SourceIdentity`-like values: `min..=max` characters of
/// `[\w+=,.@:/-]`.
pub fn check_id_text(field: &str, value: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let len = value.chars().count();
    if !(min..=max).contains(&len) {
        return Err(FieldError::new(
            field,
            format!("1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length between {min} and {max}", camel(field)),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
    {
        return Err(FieldError::new(
            field,
            format!("1 validation error detected: Value at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*", camel(field)),
        ));
    }
    Ok(())
}

/// A DurationSeconds parameter outside `MIN_DURATION..=max`, in AWS's words.
pub fn check_duration_param(requested: Option<i64>, max: i64) -> Option<FieldError> {
    let s = requested.filter(|s| !(MIN_DURATION..=max).contains(s))?;
    Some(FieldError::new(
        "DurationSeconds",
        format!("1 validation error detected: Value '{s}' at 'durationSeconds' failed to satisfy constraint: Member must have value between {MIN_DURATION} and {max}"),
    ))
}

/// The session's length: `requested` (or `default`) within `MIN_DURATION..=max`, in AWS's
/// words when it is not.
pub fn duration(requested: Option<i64>, default: i64, max: i64, chained: bool) -> Result<i64, FieldError> {
    let seconds = requested.unwrap_or(default.min(max));
    if seconds < MIN_DURATION {
        return Err(FieldError::new(
            "DurationSeconds",
            format!("1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {MIN_DURATION}"),
        ));
    }
    if chained && seconds > CHAINED_MAX_DURATION {
        return Err(FieldError::new(
            "DurationSeconds",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if seconds > max {
        return Err(FieldError::new(
            "DurationSeconds",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(seconds)
}

/// Whether credentials issued at `issued` and expiring at `expires` are still good at `now`.
/// A request signed just before expiry may arrive a little later: no grace is given, as on
/// AWS; the skew constant only bounds how far ahead an issue time may be.
pub fn is_current(issued: i64, expires: i64, now: i64) -> bool {
    now < expires && issued <= now + MAX_SKEW_SECONDS
}

/// One session tag's key and value, as AWS bounds them.
pub fn check_session_tag(key: &str, value: &str) -> Result<(), FieldError> {
    let ok = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
    };
    if !(1..=128).contains(&key.chars().count()) || !ok(key) || key.to_ascii_lowercase().starts_with("aws:") {
        return Err(FieldError::new(
            "Tags",
            format!("the session tag key `{key}` is not valid"),
        ));
    }
    if value.chars().count() > 256 || !ok(value) {
        return Err(FieldError::new(
            "Tags",
            format!("the value of the session tag `{key}` is not valid"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_carry_their_account() {
        let mut rng = rand::rngs::OsRng;
        for account in ["123456789012", "000000000001", "999999999999"] {
            for _ in 0..50 {
                let id = key_id_for_account("ASIA", account, &mut rng);
                assert!(super::super::access_key::looks_like_key_id(&id), "{id}");
                assert_eq!(account_of_key_id(&id).as_deref(), Some(account), "{id}");
            }
        }
        // AWS's documented example decodes as AWS says.
        assert_eq!(
            account_of_key_id("ASIAY34FZKBOKMUTVV7A").as_deref(),
            Some("609629065308")
        );
        assert_eq!(account_of_key_id("ASIA"), None);
        assert_eq!(account_of_key_id("ASIA0000000000000000"), None);
    }

    #[test]
    fn session_names_durations_and_tags() {
        assert!(check_session_name("RoleSessionName", "ci-job@build.1").is_ok());
        assert!(check_session_name("RoleSessionName", "a").is_err());
        assert!(check_session_name("RoleSessionName", &"a".repeat(65)).is_err());
        let err = check_session_name("RoleSessionName", "has space").unwrap_err();
        assert!(err.message.contains("'roleSessionName'"), "{}", err.message);
        assert_eq!(duration(None, 3600, 43200, false), Ok(3600));
        assert_eq!(duration(None, 43200, 3600, false), Ok(3600));
        assert!(duration(Some(899), 3600, 3600, false).is_err());
        assert!(duration(Some(7200), 3600, 3600, false).is_err());
        assert!(duration(Some(7200), 3600, 43200, true).is_err());
        assert_eq!(duration(Some(7200), 3600, 43200, false), Ok(7200));
        assert!(is_current(100, 200, 199));
        assert!(!is_current(100, 200, 200));
        assert!(check_session_tag("team", "blue").is_ok());
        assert!(check_session_tag("aws:x", "blue").is_err());
        assert!(check_session_tag("", "blue").is_err());
        assert!(check_session_tag("k", &"v".repeat(257)).is_err());
        assert!(check_id_text("ExternalId", "a", 2, 1224).is_err());
        assert!(check_id_text("ExternalId", "abc:/=", 2, 1224).is_ok());
    }
}
