//! From policy text to a validated `Policy`, collecting every problem with its place.

use super::ast::*;
use super::condition::{Base, Operator};
use super::diag::{Diagnostic, Diagnostics, Loc};
use super::json::{self, LineIndex, Member, Node, Value};
use super::pattern::{split_arn, Part, Template};
use super::values::{parse_base64, parse_cidr, parse_date_millis, parse_number};
use serde::{Deserialize, Serialize};
use smallvec::{smallvec, SmallVec};

/// What a policy document is for: it decides which elements are required or refused and
/// the size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// Attached to users, groups and roles (managed or inline).
    Identity,
    /// Attached to a resource; names its principals.
    Resource,
    /// A role's trust policy: who may assume the role.
    Trust,
    /// A permissions boundary.
    Boundary,
    /// A session policy passed when assuming a role.
    Session,
    /// An identity policy AWS wrote and ships: no customer size quota applies to it.
    AwsManaged,
}

impl PolicyKind {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "identity" => Self::Identity,
            "resource" => Self::Resource,
            "trust" => Self::Trust,
            "boundary" => Self::Boundary,
            "session" => Self::Session,
            _ => return None,
        })
    }

    /// The most characters (whitespace not counted) and AWS's name for that quota.
    pub fn size_limit(self) -> (usize, &'static str) {
        match self {
            Self::Identity | Self::Boundary => (6144, "PolicySize"),
            Self::Trust => (2048, "ACLSizePerRole"),
            Self::Resource => (20480, "PolicySize"),
            Self::Session => (2048, "PolicySize"),
            Self::AwsManaged => (usize::MAX, "PolicySize"),
        }
    }

    fn has_principal(self) -> bool {
        matches!(self, Self::Resource | Self::Trust)
    }
}

/// The outcome of reading a policy: the policy when it has no errors, and every diagnostic.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == super::diag::Severity::Error)
    }
}

/// Characters that count toward the size quotas: everything but whitespace.
pub fn counted_size(text: &str) -> usize {
    if text.is_ascii() {
        return text.bytes().filter(|b| !b.is_ascii_whitespace()).count();
    }
    text.chars().filter(|c| !c.is_whitespace()).count()
}

const VENDOR_MESSAGE: &str = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";

pub fn parse_policy(text: &str, kind: PolicyKind) -> Parsed {
    let mut d = Diagnostics::default();
    let (limit, quota) = kind.size_limit();
    let size = counted_size(text);
    if size > limit {
        d.error(
            Loc {
                line: 1,
                column: 1,
                offset: 0,
            },
            format!("Cannot exceed quota for {quota}: {limit}"),
        );
    }
    let root = match json::parse(text) {
        Ok(root) => Some(root),
        Err(e) => {
            d.error(e.loc, format!("Syntax errors in policy. ({})", e.detail));
            None
        }
    };
    let mut policy = root.and_then(|root| {
        Reader {
            d: &mut d,
            kind,
            variables: true,
        }
        .policy(&root)
    });
    // Places were recorded as byte offsets; lines and columns are worked out once, here.
    let index = LineIndex::new(text);
    let mut diagnostics = d.0;
    for diagnostic in &mut diagnostics {
        diagnostic.loc = index.resolve(diagnostic.loc);
    }
    if let Some(policy) = &mut policy {
        for statement in &mut policy.statements {
            statement.loc = index.resolve(statement.loc);
        }
    }
    let failed = diagnostics
        .iter()
        .any(|d| d.severity == super::diag::Severity::Error);
    Parsed {
        policy: if failed { None } else { policy },
        diagnostics,
    }
}

struct Reader<'d> {
    d: &'d mut Diagnostics,
    kind: PolicyKind,
    /// Whether `${...}` are policy variables (Version 2012-10-17) or literal text.
    variables: bool,
}

impl Reader<'_> {
    fn policy(&mut self, root: &Node) -> Option<Policy> {
        let Value::Object(members) = &root.value else {
            self.d
                .error(root.loc, "Syntax errors in policy. (a policy is a JSON object)");
            return None;
        };
        self.no_duplicates(members);
        let mut version = None;
        let mut id = None;
        let mut statement_node = None;
        for m in members {
            match m.key.as_ref() {
                "Version" => version = self.version(&m.value),
                "Id" => id = self.string(&m.value, "Id"),
                "Statement" => statement_node = Some(&m.value),
                other => self.d.error(
                    m.key_loc,
                    format!("unknown element `{other}`; a policy has Version, Id and Statement"),
                ),
            }
        }
        if !members.iter().any(|m| m.key == "Version") {
            self.d.warning(root.loc, "the policy has no Version: it is read as 2008-10-17, without policy variables; add \"Version\": \"2012-10-17\"");
        }
        self.variables = version == Some(Version::V2012_10_17);
        let Some(statement_node) = statement_node else {
            self.d.error(root.loc, "Missing required field Statement");
            return None;
        };
        let nodes: Vec<&Node> = match &statement_node.value {
            Value::Object(_) => vec![statement_node],
            Value::Array(items) => items.iter().collect(),
            other => {
                self.d.error(
                    statement_node.loc,
                    format!(
                        "Statement must be an object or an array of objects, not {}",
                        other.kind()
                    ),
                );
                return None;
            }
        };
        if nodes.is_empty() {
            self.d.warning(
                statement_node.loc,
                "the policy has no statements: it allows nothing",
            );
        }
        let statements: Vec<Statement> = nodes.into_iter().filter_map(|n| self.statement(n)).collect();
        let mut seen = std::collections::HashSet::new();
        for s in &statements {
            if let Some(sid) = s.sid.as_deref().filter(|sid| !sid.is_empty()) {
                if !seen.insert(sid) {
                    self.d
                        .error(s.loc, "Statement IDs (SID) in a single policy must be unique.");
                }
            }
        }
        Some(Policy {
            version,
            id,
            statements,
        })
    }

    fn version(&mut self, node: &Node) -> Option<Version> {
        match &node.value {
            Value::String(s) if s == "2012-10-17" => Some(Version::V2012_10_17),
            Value::String(s) if s == "2008-10-17" => {
                self.d.warning(
                    node.loc,
                    "Version 2008-10-17 does not support policy variables: `${...}` is read literally",
                );
                Some(Version::V2008_10_17)
            }
            _ => {
                self.d
                    .error(node.loc, "Policy document must be version 2012-10-17 or greater.");
                None
            }
        }
    }

    fn no_duplicates(&mut self, members: &[Member]) {
        for (i, m) in members.iter().enumerate() {
            if members[..i].iter().any(|earlier| earlier.key == m.key) {
                self.d.error(m.key_loc, format!("duplicate element `{}`", m.key));
            }
        }
    }

    fn string(&mut self, node: &Node, element: &str) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.to_string()),
            other => {
                self.d.error(
                    node.loc,
                    format!("{element} must be a string, not {}", other.kind()),
                );
                None
            }
        }
    }

    /// A string or a non-empty array of strings.
    fn strings<'n>(&mut self, node: &'n Node, element: &str) -> SmallVec<[(&'n str, Loc); 4]> {
        match &node.value {
            Value::String(s) => smallvec![(s.as_ref(), node.loc)],
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .filter_map(|item| match &item.value {
                    Value::String(s) => Some((s.as_ref(), item.loc)),
                    other => {
                        self.d.error(
                            item.loc,
                            format!("{element} entries must be strings, not {}", other.kind()),
                        );
                        None
                    }
                })
                .collect(),
            Value::Array(_) => {
                self.d.error(node.loc, format!("{element} must not be empty"));
                SmallVec::new()
            }
            other => {
                self.d.error(
                    node.loc,
                    format!(
                        "{element} must be a string or an array of strings, not {}",
                        other.kind()
                    ),
                );
                SmallVec::new()
            }
        }
    }

    fn statement(&mut self, node: &Node) -> Option<Statement> {
        let Value::Object(members) = &node.value else {
            self.d.error(
                node.loc,
                format!("a statement must be an object, not {}", node.value.kind()),
            );
            return None;
        };
        self.no_duplicates(members);
        let get = |name: &str| members.iter().find(|m| m.key == name);
        for m in members {
            const KNOWN: [&str; 9] = [
                "Sid",
                "Effect",
                "Principal",
                "NotPrincipal",
                "Action",
                "NotAction",
                "Resource",
                "NotResource",
                "Condition",
            ];
            if !KNOWN.contains(&m.key.as_ref()) {
                self.d
                    .error(m.key_loc, format!("unknown element `{}` in a statement", m.key));
            }
        }

        let sid = get("Sid").and_then(|m| self.string(&m.value, "Sid"));
        if let (Some(sid), Some(m)) = (&sid, get("Sid")) {
            let strict = matches!(
                self.kind,
                PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
            );
            if strict && !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
                self.d.error(m.value.loc, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
            }
        }

        let effect = match get("Effect") {
            None => {
                self.d.error(node.loc, "Missing required field Effect");
                None
            }
            Some(m) => match &m.value.value {
                Value::String(s) if s == "Allow" => Some(Effect::Allow),
                Value::String(s) if s == "Deny" => Some(Effect::Deny),
                Value::String(s) => {
                    self.d.error(
                        m.value.loc,
                        format!("Invalid effect: {s}. Effect must be Allow or Deny"),
                    );
                    None
                }
                other => {
                    self.d.error(
                        m.value.loc,
                        format!("Effect must be a string, not {}", other.kind()),
                    );
                    None
                }
            },
        };

        let principal = self.principal_clause(node, get("Principal"), get("NotPrincipal"));
        let action = self.action_clause(node, get("Action"), get("NotAction"));
        let resource = self.resource_clause(node, get("Resource"), get("NotResource"));
        let conditions = match get("Condition") {
            Some(m) => self.conditions(&m.value),
            None => Vec::new(),
        };
        Some(Statement {
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            conditions,
            loc: node.loc,
        })
    }

    fn principal_clause(
        &mut self,
        stmt: &Node,
        p: Option<&Member>,
        np: Option<&Member>,
    ) -> Option<PrincipalClause> {
        if !self.kind.has_principal() {
            for m in [p, np].into_iter().flatten() {
                self.d
                    .error(m.key_loc, format!("Has prohibited field {}.", m.key));
            }
            return None;
        }
        let (member, negated) = match (p, np) {
            (Some(_), Some(np)) => {
                self.d.error(
                    np.key_loc,
                    "a statement has either Principal or NotPrincipal, not both",
                );
                return None;
            }
            (Some(p), None) => (p, false),
            (None, Some(np)) => (np, true),
            (None, None) => {
                self.d.error(stmt.loc, "Missing required field Principal");
                return None;
            }
        };
        let node = &member.value;
        let spec = match &node.value {
            Value::String(s) if s == "*" => PrincipalSpec::Any,
            Value::Object(entries) => {
                self.no_duplicates(entries);
                let mut out = Vec::new();
                for entry in entries {
                    let Some(kind) = PrincipalType::parse(&entry.key) else {
                        self.d.error(entry.key_loc, format!("Invalid principal in policy: unknown principal type `{}`; use AWS, Service, Federated or CanonicalUser", entry.key));
                        continue;
                    };
                    for (value, loc) in self.strings(&entry.value, &entry.key) {
                        match normalize_principal(kind, value) {
                            Some(normalized) => out.push(PrincipalEntry {
                                kind,
                                value: value.to_owned(),
                                normalized,
                            }),
                            None => self.d.error(
                                loc,
                                format!("Invalid principal in policy: \"{}\":\"{value}\"", kind.as_str()),
                            ),
                        }
                    }
                }
                PrincipalSpec::Entries(out)
            }
            _ => {
                self.d.error(node.loc, "Invalid principal in policy: use \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}");
                return None;
            }
        };
        Some(PrincipalClause { negated, spec })
    }

    fn action_clause(
        &mut self,
        stmt: &Node,
        a: Option<&Member>,
        na: Option<&Member>,
    ) -> Option<ActionClause> {
        let (member, negated) = match (a, na) {
            (Some(_), Some(na)) => {
                self.d
                    .error(na.key_loc, "a statement has either Action or NotAction, not both");
                return None;
            }
            (Some(a), None) => (a, false),
            (None, Some(na)) => (na, true),
            (None, None) => {
                self.d.error(stmt.loc, "Policy statement must contain actions.");
                return None;
            }
        };
        let texts = self.strings(&member.value, &member.key);
        let mut items = Vec::with_capacity(texts.len());
        for (text, loc) in texts {
            if !valid_action(text) {
                self.d.error(loc, VENDOR_MESSAGE);
                continue;
            }
            match Template::compile(text, false) {
                Ok(pattern) => items.push(Item {
                    pattern,
                    written: None,
                }),
                Err(e) => self.d.error(loc, e.0),
            }
        }
        Some(ActionClause { negated, items })
    }

    fn resource_clause(
        &mut self,
        stmt: &Node,
        r: Option<&Member>,
        nr: Option<&Member>,
    ) -> Option<ResourceClause> {
        if self.kind == PolicyKind::Trust {
            for m in [r, nr].into_iter().flatten() {
                self.d
                    .error(m.key_loc, format!("Has prohibited field {}.", m.key));
            }
            return None;
        }
        let (member, negated) = match (r, nr) {
            (Some(_), Some(nr)) => {
                self.d.error(
                    nr.key_loc,
                    "a statement has either Resource or NotResource, not both",
                );
                return None;
            }
            (Some(r), None) => (r, false),
            (None, Some(nr)) => (nr, true),
            (None, None) => {
                self.d.error(stmt.loc, "Policy statement must contain resources.");
                return None;
            }
        };
        let mut items = Vec::new();
        for (text, loc) in self.strings(&member.value, &member.key) {
            if text != "*" && split_arn(text).is_none_or(|parts| parts[2].is_empty()) {
                self.d
                    .error(loc, format!("Resource {text} must be in ARN format or \"*\"."));
                continue;
            }
            match Template::compile(text, self.variables) {
                Ok(pattern) => {
                    // Only text with `${...}` cannot be printed back from its parts.
                    let written = text.contains("${").then(|| text.to_owned());
                    items.push(Item { pattern, written })
                }
                Err(e) => self.d.error(loc, e.0),
            }
        }
        Some(ResourceClause { negated, items })
    }

    fn conditions(&mut self, node: &Node) -> Vec<Condition> {
        let Value::Object(operators) = &node.value else {
            self.d.error(
                node.loc,
                format!("Condition must be an object, not {}", node.value.kind()),
            );
            return Vec::new();
        };
        self.no_duplicates(operators);
        let mut out = Vec::new();
        for op_member in operators {
            let Some(operator) = Operator::parse(&op_member.key) else {
                self.d.error(
                    op_member.key_loc,
                    format!("Invalid Condition type : {}", op_member.key),
                );
                continue;
            };
            let Value::Object(keys) = &op_member.value.value else {
                self.d.error(
                    op_member.value.loc,
                    format!("{} must map condition keys to values", op_member.key),
                );
                continue;
            };
            self.no_duplicates(keys);
            for key_member in keys {
                let key = &key_member.key;
                // A federation provider's keys exist only where a trust policy decides.
                let federated = self.kind.has_principal();
                if !valid_condition_key(key, federated) {
                    self.d.error(key_member.key_loc, VENDOR_MESSAGE);
                    continue;
                }
                let values = self.condition_values(operator, &key_member.value);
                out.push(Condition {
                    operator,
                    key: key.to_string(),
                    key_lower: key.to_lowercase(),
                    values,
                });
            }
        }
        out
    }

    fn condition_values(&mut self, operator: Operator, node: &Node) -> Vec<ConditionValue> {
        fn scalar<'n>(n: &'n Node) -> Option<&'n str> {
            match &n.value {
                Value::String(s) => Some(s.as_ref()),
                Value::Bool(true) => Some("true"),
                Value::Bool(false) => Some("false"),
                Value::Number(x) => Some(x),
                _ => None,
            }
        }
        let nodes: SmallVec<[&Node; 4]> = match &node.value {
            Value::Array(items) if items.is_empty() => {
                self.d.error(node.loc, "a condition needs at least one value");
                return Vec::new();
            }
            Value::Array(items) => items.iter().collect(),
            _ => smallvec![node],
        };
        let mut out = Vec::with_capacity(nodes.len());
        for n in nodes {
            let Some(text) = scalar(n) else {
                self.d.error(
                    n.loc,
                    format!(
                        "condition values must be strings, numbers or booleans, not {}",
                        n.value.kind()
                    ),
                );
                continue;
            };
            let template = match Template::compile(text, self.variables) {
                Ok(t) => t,
                Err(e) => {
                    self.d.error(n.loc, e.0);
                    continue;
                }
            };
            // Text with `${...}` cannot be printed back from its parts; and when the parts are
            // more than one literal the compared text is kept ready-made.
            let written = text.contains("${").then(|| text.to_owned());
            let mut fixed = None;
            if !template.has_variables() {
                let one_literal = matches!(template.parts.as_slice(), [] | [Part::Lit(_)]);
                if written.is_some() || !one_literal {
                    let plain = template.resolve_text(&Default::default()).unwrap_or_default();
                    self.check_typed_value(operator, &plain, n.loc);
                    fixed = Some(plain);
                } else {
                    self.check_typed_value(operator, text, n.loc);
                }
            }
            out.push(ConditionValue {
                template,
                written,
                fixed,
            });
        }
        out
    }

    /// Values that can never match their operator are almost always mistakes.
    fn check_typed_value(&mut self, operator: Operator, text: &str, loc: Loc) {
        let problem = match operator.base {
            Base::Null | Base::Bool
                if !text.eq_ignore_ascii_case("true") && !text.eq_ignore_ascii_case("false") =>
            {
                Some("is not `true` or `false`")
            }
            Base::NumericEquals
            | Base::NumericLessThan
            | Base::NumericLessThanEquals
            | Base::NumericGreaterThan
            | Base::NumericGreaterThanEquals
                if parse_number(text).is_none() =>
            {
                Some("is not a number")
            }
            Base::DateEquals
            | Base::DateLessThan
            | Base::DateLessThanEquals
            | Base::DateGreaterThan
            | Base::DateGreaterThanEquals
                if parse_date_millis(text).is_none() =>
            {
                Some("is not a date (ISO 8601, e.g. 2026-11-29T12:00:00Z, or epoch seconds)")
            }
            Base::IpAddress if parse_cidr(text).is_none() => Some("is not an IP address or CIDR range"),
            Base::BinaryEquals if parse_base64(text).is_none() => Some("is not base64"),
            Base::ArnEquals | Base::ArnLike if text != "*" && split_arn(text).is_none() => {
                Some("is not an ARN")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            self.d.error(
                loc,
                format!("`{text}` {problem}, so {} can never match it", operator.name()),
            );
        }
    }
}

fn valid_action(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    let Some((vendor, action)) = text.split_once(':') else {
        return false;
    };
    !vendor.is_empty()
        && vendor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !action.is_empty()
        && action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'?' | b'-' | b'_'))
}

/// `vendor:name`. In trust and resource policies a federation provider's keys have its host
/// and path as the vendor (`token.actions.githubusercontent.com:sub`, `oidc.example.com/id/7:aud`);
/// elsewhere such a key could only be a typo that never matches, so it is refused.
fn valid_condition_key(key: &str, federated: bool) -> bool {
    let Some((vendor, name)) = key.split_once(':') else {
        return false;
    };
    let vendor_char =
        |b: u8| b.is_ascii_alphanumeric() || b == b'-' || (federated && matches!(b, b'.' | b'/' | b'_'));
    !vendor.is_empty() && vendor.bytes().all(vendor_char) && !name.is_empty()
}

/// Checks a principal and gives its canonical form; `None` when it is not valid.
fn normalize_principal(kind: PrincipalType, value: &str) -> Option<String> {
    match kind {
        PrincipalType::Aws => {
            if value == "*" {
                return Some("*".into());
            }
            if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                return Some(format!("arn:aws:iam::{value}:root"));
            }
            // A deleted user's or role's unique ID, as AWS leaves it: matches no one.
            if super::trust::is_unique_id(value) {
                return Some(value.to_owned());
            }
            let parts = split_arn(value)?;
            let account_ok = parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit());
            let service_ok = matches!(parts[2], "iam" | "sts");
            let resource_ok = !parts[5].is_empty() && !parts[5].contains('*');
            (account_ok && service_ok && resource_ok && parts[3].is_empty()).then(|| value.to_owned())
        }
        PrincipalType::Service => {
            let ok = value.ends_with(".amazonaws.com") || value.ends_with(".amazon.com") || value == "*";
            ok.then(|| value.to_owned())
        }
        PrincipalType::Federated => {
            (!value.is_empty() && !value.contains(char::is_whitespace)).then(|| value.to_owned())
        }
        PrincipalType::CanonicalUser => {
            (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.to_owned())
        }
    }
}
