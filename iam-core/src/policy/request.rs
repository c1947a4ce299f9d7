//! What is being asked: who, which action, on which resource, in which context.

use super::context::Context;
use super::values::format_iso8601;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Root,
    User,
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    AssumedRole,
    FederatedUser,
    Service,
    /// Someone an OIDC provider vouches for (AssumeRoleWithWebIdentity).
    WebIdentity,
    /// Someone a SAML identity provider vouches for (AssumeRoleWithSAML).
    Saml,
    Anonymous,
}

impl PrincipalKind {
    /// The value of `aws:PrincipalType`.
    pub fn aws_name(self) -> &'static str {
        match self {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Service => "Service",
            PrincipalKind::WebIdentity => "WebIdentityUser",
            PrincipalKind::Saml => "SAMLUser",
            PrincipalKind::Anonymous => "Anonymous",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The caller's ARN (a role session's `sts` ARN for assumed roles).
    pub arn: String,
    /// The account the caller belongs to.
    pub account: String,
    /// For a role session: the role's IAM ARN (resource policies naming the role match it).
    pub role_arn: Option<String>,
    /// For a service principal: e.g. `ec2.amazonaws.com`.
    pub service: Option<String>,
    /// For a federated principal: the identity provider.
    pub federated: Option<String>,
}

impl Principal {
    /// The principal an ARN names, with its user or session name: a user, a role (as a
    /// session of it), a role session, or an account's root user.
    pub fn from_arn(arn: &str) -> Option<(Self, Option<String>)> {
        let parts = super::pattern::split_arn(arn)?;
        let account = parts[4];
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let resource = parts[5];
        let last = |path: &str| path.rsplit('/').next().map(str::to_owned);
        match (parts[2], resource) {
            ("iam", "root") => Some((Self::new(PrincipalKind::Root, arn, account), None)),
            ("iam", r) if r.starts_with("user/") => {
                Some((Self::new(PrincipalKind::User, arn, account), last(r)))
            }
            ("iam", r) if r.starts_with("role/") => {
                let role = last(r)?;
                let session = format!("arn:aws:sts::{account}:assumed-role/{role}/simulated");
                let mut p = Self::new(PrincipalKind::AssumedRole, session, account);
                p.role_arn = Some(arn.to_owned());
                Some((p, Some("simulated".into())))
            }
            ("sts", r) if r.starts_with("assumed-role/") => {
                let mut it = r.split('/').skip(1);
                let (role, session) = (it.next()?, it.next()?);
                let mut p = Self::new(PrincipalKind::AssumedRole, arn, account);
                p.role_arn = Some(format!("arn:aws:iam::{account}:role/{role}"));
                Some((p, Some(session.to_owned())))
            }
            _ => None,
        }
    }

    pub fn new(kind: PrincipalKind, arn: impl Into<String>, account: impl Into<String>) -> Self {
        Self {
            kind,
            arn: arn.into(),
            account: account.into(),
            role_arn: None,
            service: None,
            federated: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub principal: Principal,
    /// `service:Action`, e.g. `iam:CreateUser`.
    pub action: String,
    /// The resource's ARN (or `*` for actions without one).
    pub resource: String,
    pub context: Context,
}

/// Facts about the caller and the call that fill AWS's global condition keys.
#[derive(Debug, Clone, Default)]
pub struct GlobalFacts {
    /// The time of the request, in seconds since the Unix epoch (passed in: no clock here).
    pub now: i64,
    pub user_name: Option<String>,
    /// `aws:userid`: a user's unique ID, or `ROLEID:session` for a role session.
    pub user_id: Option<String>,
    pub principal_tags: BTreeMap<String, String>,
    /// Seconds since MFA authentication, when the caller used MFA.
    pub mfa_age: Option<i64>,
    /// `Some` for temporary credentials: when they were issued (epoch seconds).
    pub token_issued_at: Option<i64>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub secure_transport: bool,
}

impl Request {
    pub fn new(principal: Principal, action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            principal,
            action: action.into(),
            resource: resource.into(),
            context: Context::default(),
        }
    }

    /// Sets the global keys AWS provides on every request, from `facts`.
    pub fn with_globals(mut self, facts: &GlobalFacts) -> Self {
        let c = &mut self.context;
        c.set("aws:CurrentTime", format_iso8601(facts.now));
        c.set("aws:EpochTime", facts.now.to_string());
        // A federated caller (web identity, SAML) belongs to no account and has no ARN.
        if !matches!(
            self.principal.kind,
            PrincipalKind::WebIdentity | PrincipalKind::Saml
        ) {
            c.set(
                "aws:PrincipalArn",
                self.principal
                    .role_arn
                    .clone()
                    .unwrap_or_else(|| self.principal.arn.clone()),
            );
            c.set("aws:PrincipalAccount", self.principal.account.clone());
        }
        c.set("aws:PrincipalType", self.principal.kind.aws_name());
        c.set("aws:SecureTransport", facts.secure_transport.to_string());
        if let Some(name) = &facts.user_name {
            c.set("aws:username", name.clone());
        }
        if let Some(id) = &facts.user_id {
            c.set("aws:userid", id.clone());
        }
        for (key, value) in &facts.principal_tags {
            c.set(&format!("aws:PrincipalTag/{key}"), value.clone());
        }
        // Long-term credentials carry no MFA facts at all: the keys are absent, not false
        // (which is why AWS's examples use BoolIfExists).
        match (facts.mfa_age, facts.token_issued_at) {
            (Some(age), _) => {
                c.set("aws:MultiFactorAuthPresent", "true");
                c.set("aws:MultiFactorAuthAge", age.to_string());
            }
            (None, Some(_)) => {
                c.set("aws:MultiFactorAuthPresent", "false");
            }
            (None, None) => {}
        }
        if let Some(issued) = facts.token_issued_at {
            c.set("aws:TokenIssueTime", format_iso8601(issued));
        }
        if let Some(ip) = &facts.source_ip {
            c.set("aws:SourceIp", ip.clone());
        }
        if let Some(agent) = &facts.user_agent {
            c.set("aws:UserAgent", agent.clone());
        }
        self
    }
}
