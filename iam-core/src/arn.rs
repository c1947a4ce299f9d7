//! ARNs of the principals and resources this product knows. IAM is global: no region.

use crate::account::AccountId;

/// `arn:aws:iam::ACCOUNT:root`, the root user of an account.
pub fn root_arn(account: &AccountId) -> String {
    format!("arn:aws:iam::{account}:root")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root() {
        let account = AccountId::parse("012345678901").unwrap();
        assert_eq!(root_arn(&account), "arn:aws:iam::012345678901:root");
    }
}
