//! A validated policy. Strings that match are compiled (`Template`); the text as written is
//! kept beside them for printing and explanations.

use super::condition::Operator;
use super::diag::Loc;
use super::pattern::Template;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2012_10_17,
    V2008_10_17,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `None` when the document has no Version: read as 2008-10-17.
    pub version: Option<Version>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

impl Policy {
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalClause>,
    pub action: ActionClause,
    pub resource: Option<ResourceClause>,
    pub conditions: Vec<Condition>,
    pub loc: Loc,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalClause {
    pub negated: bool,
    pub spec: PrincipalSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalSpec {
    /// `"*"`: everyone, signed or anonymous.
    Any,
    /// `{"AWS": [...], "Service": [...]}`, in document order.
    Entries(Vec<PrincipalEntry>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "AWS" => PrincipalType::Aws,
            "Service" => PrincipalType::Service,
            "Federated" => PrincipalType::Federated,
            "CanonicalUser" => PrincipalType::CanonicalUser,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    pub kind: PrincipalType,
    /// As written: `*`, an account ID, an ARN, a service or provider name.
    pub value: String,
    /// AWS entries in canonical ARN form (`123456789012` becomes its root ARN).
    pub normalized: String,
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionClause {
    pub negated: bool,
    pub items: Vec<Item>,
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceClause {
    pub negated: bool,
    pub items: Vec<Item>,
}

/// One string of an Action or Resource list.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub text: String,
    /// Actions: lower-cased (they match case-insensitively). Resources: as written.
    pub pattern: Template,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    /// The key as written, e.g. `aws:MultiFactorAuthPresent`.
    pub key: String,
    pub key_lower: String,
    pub values: Vec<ConditionValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionValue {
    /// As written (numbers and booleans as their JSON text).
    pub text: String,
    pub template: Template,
    /// The value when it has no variables (most do): compared without resolving.
    pub fixed: Option<String>,
}
