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

pub fn group_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "group", path, name)
}

pub fn policy_arn(account: &str, path: &str, name: &str) -> String {
    entity_arn(account, "policy", path, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root() {
        let account = AccountId::parse("012345678901").unwrap();
        assert_eq!(root_arn(&account), "arn:aws:iam::012345678901:root");
        assert_eq!(
            user_arn("012345678901", "/ops/", "alice"),
            "arn:aws:iam::012345678901:user/ops/alice"
        );
    }
}
