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
        /// The user's path (`/` or `/division/`), part of its ARN.
        #[serde(default = "root_path")]
        path: String,
    },
}

fn root_path() -> String {
    "/".into()
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
                path,
                ..
            } => iam_core::arn::user_arn(account_id.as_str(), path, user_name),
        }
    }
}

/// The request facts every audit event records, and the session facts the engine's global
/// condition keys come from.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// When the caller's session began (console sessions are temporary credentials: the
    /// engine then sees `aws:MultiFactorAuthPresent` false unless MFA was used).
    pub session_started: Option<i64>,
    /// When the caller proved a second factor (`aws:MultiFactorAuthAge`).
    pub mfa_at: Option<i64>,
    pub secure_transport: bool,
}

/// Who calls an operation, with the request's facts and time: what every operation that the
/// engine authorizes takes.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub identity: &'a Identity,
    pub meta: &'a RequestMeta,
    pub now: time::OffsetDateTime,
}

impl Caller<'_> {
    pub fn account(&self) -> &str {
        self.identity.account_id().as_str()
    }
}
