//! Who is calling, and from where.

use iam_core::account::AccountId;
use serde::{Deserialize, Serialize};

/// A signed-in principal: the root user, an IAM user, or a role session.
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
    /// Temporary credentials of a role (AssumeRole, switch role).
    AssumedRole(Box<RoleSession>),
    /// Temporary credentials of a federated user (GetFederationToken): the permissions of
    /// the user who asked, narrowed by the session policies.
    FederatedUser(Box<FederatedSession>),
}

/// A federated user's session: who asked for it, under which name, and its session policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederatedSession {
    pub account_id: AccountId,
    pub name: String,
    /// The IAM user who asked for it; `None` when it was the root user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentUser {
    pub user_name: String,
    pub user_id: String,
    pub path: String,
}

impl FederatedSession {
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    pub fn arn(&self) -> String {
        format!("arn:aws:sts::{}:federated-user/{}", self.account_id, self.name)
    }

    /// `aws:userid` and GetCallerIdentity's UserId: `ACCOUNT:NAME`.
    pub fn user_id(&self) -> String {
        format!("{}:{}", self.account_id, self.name)
    }
}

/// A role session: which role, under which session name, and what the session carries
/// beyond the role's own policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSession {
    pub account_id: AccountId,
    pub role_name: String,
    pub role_id: String,
    pub role_path: String,
    pub session_name: String,
    /// The inline session policy, as passed: it can only narrow the role's permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Managed session policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
    /// Session tags (`aws:PrincipalTag/...`), over the role's own tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// The session tags that pass on when this session assumes another role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitive_tag_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// For a session from federation: who vouched for it and what it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation: Option<FederatedBy>,
    /// For a session a federated session assumed (role chaining, switch role): the person
    /// behind the chain, for the audit log only (the provider's condition keys do not pass on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_user: Option<String>,
}

/// The identity provider behind a role session and the condition keys its token or
/// assertion gave (`<provider>:sub`, `SAML:aud`, `aws:FederatedProvider`, ...), which every
/// request of the session carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederatedBy {
    pub provider_arn: String,
    /// The federated identity's name at the provider (`sub`, or the SAML NameID).
    pub subject: String,
    pub keys: Vec<(String, Vec<String>)>,
}

impl RoleSession {
    /// Who an identity provider vouched for behind this session, as the audit log names it:
    /// `subject (provider ARN)`.
    pub fn federated_user(&self) -> Option<String> {
        match &self.federation {
            Some(f) => Some(format!("{} ({})", f.subject, f.provider_arn)),
            None => self.federated_user.clone(),
        }
    }

    pub fn role_arn(&self) -> String {
        iam_core::arn::role_arn(self.account_id.as_str(), &self.role_path, &self.role_name)
    }

    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (no path, as AWS writes it).
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            self.account_id, self.role_name, self.session_name
        )
    }

    /// `aws:userid` and GetCallerIdentity's UserId: `ROLEID:SESSION`.
    pub fn user_id(&self) -> String {
        format!("{}:{}", self.role_id, self.session_name)
    }
}

fn root_path() -> String {
    "/".into()
}

impl Identity {
    pub fn account_id(&self) -> &AccountId {
        match self {
            Identity::Root { account_id } | Identity::User { account_id, .. } => account_id,
            Identity::AssumedRole(session) => &session.account_id,
            Identity::FederatedUser(session) => &session.account_id,
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
            Identity::AssumedRole(s) => format!("{}/{}@{}", s.role_name, s.session_name, s.account_id),
            Identity::FederatedUser(s) => format!("{}@{}", s.name, s.account_id),
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
            Identity::AssumedRole(session) => session.arn(),
            Identity::FederatedUser(session) => session.arn(),
        }
    }

    /// The unique ID AWS reports for the caller (GetCallerIdentity's UserId).
    pub fn unique_id(&self) -> String {
        match self {
            Identity::Root { account_id } => account_id.to_string(),
            Identity::User { user_id, .. } => user_id.clone(),
            Identity::AssumedRole(session) => session.user_id(),
            Identity::FederatedUser(session) => session.user_id(),
        }
    }

    pub fn role_session(&self) -> Option<&RoleSession> {
        match self {
            Identity::AssumedRole(session) => Some(session),
            _ => None,
        }
    }

    pub fn federated(&self) -> Option<&FederatedSession> {
        match self {
            Identity::FederatedUser(session) => Some(session),
            _ => None,
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
    /// Signed with temporary credentials from STS (GetSessionToken, AssumeRole).
    pub session_credentials: bool,
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
