//! Accounts: the 12-digit account ID, the account name and the root user's email address.

use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// A 12-digit account ID, e.g. `123456789012`. Leading zeros are significant, as on AWS.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountId(String);

impl AccountId {
    pub const LEN: usize = 12;

    /// Draws a uniformly random ID. Uniqueness is the store's job (a unique key and a retry).
    pub fn generate(rng: &mut impl RngCore) -> Self {
        const SPAN: u64 = 1_000_000_000_000;
        // Rejection sampling keeps every ID equally likely (no modulo bias).
        let zone = u64::MAX - u64::MAX % SPAN;
        let n = loop {
            let candidate = rng.next_u64();
            if candidate < zone {
                break candidate % SPAN;
            }
        };
        Self(format!("{n:012}"))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() == Self::LEN && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!("account ID `{text}` must be exactly 12 digits"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The account's display name, as AWS's "AWS account name": 1-50 characters.
pub fn validate_account_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let chars = name.chars().count();
    if chars == 0 {
        return Err("enter an account name".into());
    }
    if chars > 50 {
        return Err(format!(
            "account name must be at most 50 characters; it has {chars}"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("account name must not contain control characters".into());
    }
    Ok(name.to_owned())
}

/// A root user's email address. Deliberately modest: one `@`, a dotted domain, no spaces,
/// at most 254 characters (RFC 5321's path limit). Stored lower-cased so sign-in ignores case.
pub fn validate_email(text: &str) -> Result<String, String> {
    let email = text.trim();
    if email.is_empty() {
        return Err("enter an email address".into());
    }
    if email.len() > 254 {
        return Err("email address must be at most 254 characters".into());
    }
    let shown = email;
    let Some((local, domain)) = email.split_once('@') else {
        return Err(format!("`{shown}` is not an email address: it has no `@`"));
    };
    let well_formed = !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(format!("`{shown}` is not a valid email address"));
    }
    Ok(email.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};
    use std::collections::HashSet;

    #[test]
    fn generated_ids_are_twelve_digits() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let id = AccountId::generate(&mut rng);
            assert_eq!(id.as_str().len(), 12, "{id}");
            assert!(id.as_str().bytes().all(|b| b.is_ascii_digit()), "{id}");
            assert_eq!(AccountId::parse(id.as_str()), Ok(id.clone()));
        }
    }

    #[test]
    fn generated_ids_do_not_repeat() {
        let mut rng = StdRng::seed_from_u64(42);
        let ids: HashSet<_> = (0..50_000).map(|_| AccountId::generate(&mut rng)).collect();
        assert_eq!(ids.len(), 50_000);
    }

    #[test]
    fn generated_ids_use_every_leading_digit() {
        let mut rng = StdRng::seed_from_u64(1);
        let leading: HashSet<u8> = (0..2000)
            .map(|_| AccountId::generate(&mut rng).as_str().as_bytes()[0])
            .collect();
        assert_eq!(leading.len(), 10, "leading digits seen: {leading:?}");
    }

    #[test]
    fn account_id_parse_rejects_other_shapes() {
        for bad in ["", "12345678901", "1234567890123", "12345678901a", " 23456789012"] {
            let err = AccountId::parse(bad).unwrap_err();
            assert!(err.contains("12 digits"), "{bad}: {err}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            validate_email(" Ann@Example.COM ").as_deref(),
            Ok("ann@example.com")
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "a@b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert!(validate_email(bad).is_err(), "{bad} accepted");
        }
        assert!(validate_email("ann").unwrap_err().contains("`ann`"));
    }

    #[test]
    fn account_names() {
        assert_eq!(validate_account_name("  Acme prod ").as_deref(), Ok("Acme prod"));
        assert!(validate_account_name("   ").is_err());
        assert!(validate_account_name(&"x".repeat(51)).unwrap_err().contains("51"));
        assert!(validate_account_name(&"é".repeat(50)).is_ok());
        assert!(validate_account_name("a\u{7}b").is_err());
    }
}

/// An account alias: 3-63 characters of `a-z`, `0-9` and `-`, not starting or ending with a
/// hyphen, no two hyphens in a row, and not 12 digits (that would read as an account ID).
pub fn validate_alias(text: &str) -> Result<String, String> {
    let alias = text.trim();
    let len = alias.chars().count();
    if !(3..=63).contains(&len) {
        return Err(format!(
            "account alias `{alias}` must be 3 to 63 characters; it has {len}"
        ));
    }
    if !alias
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "account alias `{alias}` may contain only lowercase letters, digits and hyphens"
        ));
    }
    if alias.starts_with('-') || alias.ends_with('-') || alias.contains("--") {
        return Err(format!(
            "account alias `{alias}` must not start or end with a hyphen or have two in a row"
        ));
    }
    if AccountId::parse(alias).is_ok() {
        return Err(format!(
            "account alias `{alias}` must not be 12 digits: that reads as an account ID"
        ));
    }
    Ok(alias.to_owned())
}

#[cfg(test)]
mod alias_tests {
    use super::validate_alias;

    #[test]
    fn aliases() {
        for good in [
            "acme",
            "acme-prod-2",
            "a1b",
            &"x".repeat(63),
            "12345678901",
            "1234567890123",
        ] {
            assert_eq!(validate_alias(good).as_deref(), Ok(good), "{good}");
        }
        for (bad, why) in [
            ("ab", "3 to 63"),
            (&"x".repeat(64) as &str, "3 to 63"),
            ("Acme", "lowercase"),
            ("acme_prod", "lowercase"),
            ("-acme", "hyphen"),
            ("acme-", "hyphen"),
            ("ac--me", "hyphen"),
            ("123456789012", "12 digits"),
        ] {
            let err = validate_alias(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
