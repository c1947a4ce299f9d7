//! ARNs of the principals and resources this product knows. IAM is global: no region.

use crate::account::AccountId;

/// `arn:aws:iam::ACCOUNT:root`, the root user of an account.
pub fn root_arn(account: &AccountId) -> String {
    format!("arn:aws:iam::{account}:root")
}

/// `arn:aws:iam::ACCOUNT:KIND{path}NAME`, e.g. `...:user/division/alice`.
pub fn entity_arn(account: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:{kind}{path}{name}")
}

pub fn user_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "user", path, name)
}

pub fn role_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "role", path, name)
}

/// A role ARN's account, path and name: `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
pub fn parse_role_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, rest) = rest.split_once(':')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix("role")?;
    let cut = rest.rfind('/')?;
    let (path, name) = (&rest[..=cut], &rest[cut + 1..]);
    (path.starts_with('/') && !name.is_empty()).then_some((account, path, name))
}

pub fn group_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "group", path, name)
}

pub fn policy_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "policy", path, name)
}

/// A virtual MFA device's serial number, e.g. `arn:aws:iam::ACCOUNT:mfa/alice-phone`.
pub fn mfa_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "mfa", path, name)
}

/// The device name in a serial number of `account`, if it is one.
pub fn mfa_name<'a>(account: &str, serial: &'a str) -> Option<&'a str> {
    let rest = serial
        .strip_prefix("arn:aws:iam::")?
        .strip_prefix(account)?
        .strip_prefix(":mfa/")?;
    let name = rest.rsplit('/').next()?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_parse() {
        assert_eq!(
            parse_role_arn("arn:aws:iam::123456789012:role/ops/deploy"),
            Some(("123456789012", "/ops/", "deploy"))
        );
        assert_eq!(
            parse_role_arn("arn:aws:iam::123456789012:role/deploy"),
            Some(("123456789012", "/", "deploy"))
        );
        assert_eq!(parse_role_arn("arn:aws:iam::123456789012:role/"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::12345:role/x"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::123456789012:user/x"), None);
    }

    #[test]
    fn root() {
        let account = AccountId::parse("012345678901").unwrap();
        assert_eq!(root_arn(&account), "arn:aws:iam::012345678901:root");
        assert_eq!(
            user_arn("012345678901", "/ops/", "alice"),
            "arn:aws:iam::012345678901:user/ops/alice"
        );
    }

    #[test]
    fn mfa_serials() {
        let serial = mfa_arn("012345678901", "/team/", "phone");
        assert_eq!(serial, "arn:aws:iam::012345678901:mfa/team/phone");
        assert_eq!(mfa_name("012345678901", &serial), Some("phone"));
        assert_eq!(
            mfa_name("012345678901", "arn:aws:iam::012345678901:mfa/phone"),
            Some("phone")
        );
        assert_eq!(
            mfa_name("999999999999", &serial),
            None,
            "another account's device"
        );
        assert_eq!(mfa_name("012345678901", "arn:aws:iam::012345678901:mfa/"), None);
        assert_eq!(mfa_name("012345678901", "phone"), None);
    }
}
