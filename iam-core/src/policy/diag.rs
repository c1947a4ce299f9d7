//! Diagnostics: every problem in a policy, with where it is and how bad.

use serde::{Deserialize, Serialize};

/// A place in the policy text: 1-based line and column (in characters), 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub loc: Loc,
    /// AWS's words where AWS has them (MalformedPolicyDocument), ours otherwise.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {kind}: {}",
            self.loc.line, self.loc.column, self.message
        )
    }
}

#[derive(Debug, Default)]
pub(crate) struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.0.push(Diagnostic {
            severity: Severity::Error,
            loc,
            message: message.into(),
        });
    }

    pub fn warning(&mut self, loc: Loc, message: impl Into<String>) {
        self.0.push(Diagnostic {
            severity: Severity::Warning,
            loc,
            message: message.into(),
        });
    }
}
