//! A validated policy. Strings that match are compiled (`Template`); the text as written is
//! kept beside them for printing and explanations.

use super::condition::Operator;
use super::diag::Loc;
use super::pattern::{Part, Template};

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
    pub pattern: Template,
    /// The text as written, kept only when the parts cannot give it back (`${...}`).
    pub written: Option<String>,
}

impl Item {
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.written {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(self.pattern.to_text()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    /// The key as written, e.g. `aws:MultiFactorAuthPresent`.
    pub key: String,
    pub key_lower: String,
    pub values: Vec<ConditionValue>,
}

impl ConditionValue {
    /// The value to compare as text, when it has no variables to resolve.
    pub fn plain(&self) -> Option<&str> {
        if let Some(fixed) = &self.fixed {
            return Some(fixed);
        }
        match self.template.parts.as_slice() {
            [] => Some(""),
            [Part::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// The value as written in the policy.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.written {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(self.template.to_text()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionValue {
    pub template: Template,
    /// The text as written, kept only when the parts cannot give it back (`${...}`).
    pub written: Option<String>,
    /// The compared text when it is not simply the one literal part (wildcards or escapes
    /// in a value compared as text).
    pub fixed: Option<String>,
}
