//! Who is calling, and from where.

use iam_core::account::AccountId;
use serde::{Deserialize, Serialize};

/// A signed-in principal. Root for now; IAM users and assumed roles join later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    Root {
        account_id: AccountId,
    },
    User {
        account_id: AccountId,
        user_name: String,
        user_id: String,
    },
}

impl Identity {
    pub fn account_id(&self) -> &AccountId {
        match self {
            Identity::Root { account_id } | Identity::User { account_id, .. } => account_id,
        }
    }

    /// What MFA devices, recovery codes and password history are keyed by.
    pub fn principal_arn(&self) -> String {
        self.arn()
    }

    /// The name shown in an authenticator app.
    pub fn display_name(&self) -> String {
        match self {
            Identity::Root { account_id } => format!("root@{account_id}"),
            Identity::User {
                account_id,
                user_name,
                ..
            } => format!("{user_name}@{account_id}"),
        }
    }

    pub fn arn(&self) -> String {
        match self {
            Identity::Root { account_id } => iam_core::arn::root_arn(account_id),
            Identity::User {
                account_id,
                user_name,
                ..
            } => format!("arn:aws:iam::{account_id}:user/{user_name}"),
        }
    }
}

/// The request facts every audit event records.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
}
