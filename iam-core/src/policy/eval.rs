//! The evaluator: a pure function from a request and the policies that apply to a decision
//! that explains itself. Order as AWS documents it: an explicit deny anywhere wins; then a
//! resource-based allow; then identity-based policies must allow, within the permissions
//! boundary and session policies when there are any. Across accounts both sides must allow.

use super::ast::{Effect, Policy, PrincipalSpec, PrincipalType, Statement};
use super::condition::holds;
use super::pattern::{arn_like, glob_ignore_case};
use super::request::{PrincipalKind, Request};
use serde::{Deserialize, Serialize};

/// A policy with the name it is known by (its ARN, or a name for inline policies).
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    pub id: &'a str,
    pub policy: &'a Policy,
}

/// Where a policy sits in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Group {
    Identity,
    Resource,
    Boundary,
    Session,
}

impl Group {
    fn words(self) -> &'static str {
        match self {
            Group::Identity => "an identity-based policy",
            Group::Resource => "a resource-based policy",
            Group::Boundary => "a permissions boundary",
            Group::Session => "a session policy",
        }
    }
}

/// Every policy that applies to one request.
#[derive(Debug, Clone, Default)]
pub struct PolicySet<'a> {
    /// A user's inline, attached and groups' policies; a role's policies.
    pub identity: Vec<Named<'a>>,
    /// Policies on the resource, e.g. a role's trust policy for `sts:AssumeRole`.
    pub resource: Vec<Named<'a>>,
    /// The permissions boundary, when one is set.
    pub boundary: Option<Named<'a>>,
    /// Session policies passed when the role was assumed.
    pub session: Vec<Named<'a>>,
    /// The account that owns the resource; `None` means the caller's own account.
    pub resource_owner: Option<&'a str>,
    /// Access needs a resource-based allow even in the same account (role trust policies).
    pub resource_must_allow: bool,
}

impl<'a> PolicySet<'a> {
    fn groups(&self) -> [(Group, &[Named<'a>]); 4] {
        [
            (Group::Identity, &self.identity),
            (Group::Resource, &self.resource),
            (Group::Boundary, self.boundary.as_slice()),
            (Group::Session, &self.session),
        ]
    }

    fn named(&self, at: StatementRef) -> Option<(&Named<'a>, &Statement)> {
        let named = self.groups()[at.group as usize].1.get(at.policy)?;
        Some((named, named.policy.statements.get(at.statement)?))
    }
}

/// AWS's EvalDecision words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Allowed,
    /// The first matching Deny statement.
    ExplicitDeny(StatementRef),
    NoIdentityAllow,
    NoResourceAllow,
    NoBoundaryAllow,
    NoSessionAllow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRef {
    pub group: Group,
    pub policy: usize,
    pub statement: usize,
}

/// Why a statement did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    Principal,
    Action,
    Resource,
    /// The index of the condition that failed.
    Condition(usize),
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub outcome: Outcome,
    pub reason: Reason,
    pub matched: Vec<StatementRef>,
    pub missed: Vec<(StatementRef, Miss)>,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }
}

pub fn evaluate(request: &Request, set: &PolicySet<'_>) -> Decision {
    let action = request.action.as_str();
    let statements: usize = set
        .groups()
        .iter()
        .flat_map(|(_, ps)| ps.iter())
        .map(|p| p.policy.statements.len())
        .sum();
    let mut matched = Vec::new();
    let mut missed = Vec::with_capacity(statements);
    let mut first_deny = None;
    let mut allow = [false; 4];
    // The widest reach of a resource-based allow: naming the caller itself, its role, or
    // only its account.
    let mut reach = Reach::Account;

    for (group, policies) in set.groups() {
        for (p, named) in policies.iter().enumerate() {
            let variables = named.policy.variables_enabled();
            for (s, statement) in named.policy.statements.iter().enumerate() {
                let at = StatementRef {
                    group,
                    policy: p,
                    statement: s,
                };
                let principal = if group == Group::Resource {
                    principal_match(statement, request)
                } else {
                    Some(Reach::Account)
                };
                let result = match principal {
                    None => Err(Miss::Principal),
                    Some(found) => statement_applies(statement, request, action, variables).map(|()| found),
                };
                match result {
                    Ok(found) => {
                        matched.push(at);
                        match statement.effect {
                            Effect::Deny => {
                                first_deny.get_or_insert(at);
                            }
                            Effect::Allow => {
                                allow[group as usize] = true;
                                if group == Group::Resource {
                                    reach = reach.max(found);
                                }
                            }
                        }
                    }
                    Err(miss) => missed.push((at, miss)),
                }
            }
        }
    }

    let reason = if let Some(at) = first_deny {
        Reason::ExplicitDeny(at)
    } else {
        decide(set, request, allow, reach)
    };
    let outcome = match reason {
        Reason::Allowed => Outcome::Allowed,
        Reason::ExplicitDeny(_) => Outcome::ExplicitDeny,
        _ => Outcome::ImplicitDeny,
    };
    Decision {
        outcome,
        reason,
        matched,
        missed,
    }
}

/// Whom a resource-based policy's statement names, from widest to narrowest. As AWS: an
/// allow naming the caller itself (a user, a role session) stands alone in its account; one
/// naming the caller's role grants as an identity policy would, still within the session's
/// policies and boundary; one naming the account delegates to the caller's own policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Account,
    Role,
    Direct,
}

fn decide(set: &PolicySet<'_>, request: &Request, allow: [bool; 4], reach: Reach) -> Reason {
    let [identity, resource, boundary, session] = allow;
    let boundary_ok = set.boundary.is_none() || boundary;
    let session_ok = set.session.is_empty() || session;
    let within_limits = |granted: bool| match (granted, boundary_ok, session_ok) {
        (false, _, _) => Reason::NoIdentityAllow,
        (true, false, _) => Reason::NoBoundaryAllow,
        (true, true, false) => Reason::NoSessionAllow,
        (true, true, true) => Reason::Allowed,
    };
    let cross_account = set
        .resource_owner
        .is_some_and(|owner| owner != request.principal.account);
    if (cross_account || set.resource_must_allow) && !resource {
        return Reason::NoResourceAllow;
    }
    // Across accounts both sides must allow; in the same account a resource-based allow can
    // stand in for an identity-based one, as far as it reaches (see `Reach`).
    match reach {
        _ if cross_account => within_limits(identity),
        Reach::Direct => Reason::Allowed,
        Reach::Role => within_limits(true),
        Reach::Account => within_limits(identity),
    }
}

/// Whether the statement's action, resource and conditions apply.
fn statement_applies(
    statement: &Statement,
    request: &Request,
    action: &str,
    variables: bool,
) -> Result<(), Miss> {
    let clause = &statement.action;
    let hit = clause
        .items
        .iter()
        .any(|item| glob_ignore_case(&item.pattern.parts, action));
    if hit == clause.negated {
        return Err(Miss::Action);
    }
    if let Some(clause) = &statement.resource {
        let hit = clause.items.iter().any(|item| {
            if variables && item.pattern.has_variables() {
                item.pattern
                    .resolve(&request.context)
                    .is_some_and(|parts| arn_like(&parts, &request.resource))
            } else {
                arn_like(&item.pattern.parts, &request.resource)
            }
        });
        if hit == clause.negated {
            return Err(Miss::Resource);
        }
    }
    for (i, condition) in statement.conditions.iter().enumerate() {
        if !holds(condition, &request.context) {
            return Err(Miss::Condition(i));
        }
    }
    Ok(())
}

/// `None` when the statement's principal does not cover the caller; otherwise how closely
/// it names the caller (see `Reach`).
fn principal_match(statement: &Statement, request: &Request) -> Option<Reach> {
    let clause = statement.principal.as_ref()?;
    let p = &request.principal;
    let root = format!("arn:aws:iam::{}:root", p.account);
    // `*` reaches a role session only as far as its role: its session policies still apply.
    let anyone = if p.role_arn.is_some() {
        Reach::Role
    } else {
        Reach::Direct
    };
    // Someone an identity provider vouches for is no principal of any account: only a
    // `Federated` entry naming that provider reaches them, never `*` or an account.
    let federated_only = matches!(p.kind, PrincipalKind::WebIdentity | PrincipalKind::Saml);
    if federated_only && clause.negated {
        return None;
    }
    let found = match &clause.spec {
        PrincipalSpec::Any if federated_only => None,
        PrincipalSpec::Entries(entries) if federated_only => entries
            .iter()
            .filter(|e| e.kind == PrincipalType::Federated)
            .find(|e| p.federated.as_deref() == Some(e.value.as_str()))
            .map(|_| Reach::Direct),
        PrincipalSpec::Any => Some(anyone),
        PrincipalSpec::Entries(entries) => entries
            .iter()
            .filter_map(|e| match e.kind {
                PrincipalType::Aws if e.normalized == "*" => Some(anyone),
                PrincipalType::Aws if e.normalized == root => Some(Reach::Account),
                PrincipalType::Aws if e.normalized == p.arn => Some(Reach::Direct),
                PrincipalType::Aws => {
                    (p.role_arn.as_deref() == Some(e.normalized.as_str())).then_some(Reach::Role)
                }
                PrincipalType::Service => p
                    .service
                    .as_deref()
                    .is_some_and(|s| s == e.value)
                    .then_some(Reach::Direct),
                PrincipalType::Federated => p
                    .federated
                    .as_deref()
                    .is_some_and(|f| f == e.value)
                    .then_some(Reach::Direct),
                PrincipalType::CanonicalUser => None,
            })
            .max(),
    };
    match (clause.negated, found) {
        (false, found) => found,
        (true, None) => Some(Reach::Direct),
        (true, Some(_)) => None,
    }
}

/// A decision in words and structure, for the console, the CLI and the simulator API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub decision: Outcome,
    pub action: String,
    pub resource: String,
    pub reason: String,
    pub matched_statements: Vec<StatementInfo>,
    pub not_matched: Vec<NotMatched>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementInfo {
    pub policy: String,
    pub group: Group,
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotMatched {
    #[serde(flatten)]
    pub statement: StatementInfo,
    pub because: String,
}

impl Decision {
    pub fn explain(&self, request: &Request, set: &PolicySet<'_>) -> Explanation {
        let info = |at: StatementRef| {
            set.named(at).map(|(named, s)| StatementInfo {
                policy: named.id.to_owned(),
                group: at.group,
                index: at.statement,
                sid: s.sid.clone(),
                effect: s.effect,
                line: s.loc.line,
            })
        };
        let because = |at: StatementRef, miss: Miss| -> String {
            let statement = set.named(at).map(|(_, s)| s);
            match miss {
                Miss::Principal => "the principal does not match".into(),
                Miss::Action => format!("the action {} does not match", request.action),
                Miss::Resource => format!("the resource {} does not match", request.resource),
                Miss::Condition(i) => match statement.and_then(|s| s.conditions.get(i)) {
                    Some(c) => format!("the condition {} on {} is not met", c.operator.name(), c.key),
                    None => "a condition is not met".into(),
                },
            }
        };
        Explanation {
            decision: self.outcome,
            action: request.action.clone(),
            resource: request.resource.clone(),
            reason: self.reason_text(request, set),
            matched_statements: self.matched.iter().filter_map(|&at| info(at)).collect(),
            not_matched: self
                .missed
                .iter()
                .filter_map(|&(at, miss)| {
                    info(at).map(|statement| NotMatched {
                        statement,
                        because: because(at, miss),
                    })
                })
                .collect(),
        }
    }

    /// The end of AWS's access-denied message: "because no identity-based policy allows the
    /// iam:CreateUser action", or "with an explicit deny in an identity-based policy: ARN".
    pub fn reason_text(&self, request: &Request, set: &PolicySet<'_>) -> String {
        let action = &request.action;
        match self.reason {
            Reason::Allowed => "allowed".into(),
            Reason::ExplicitDeny(at) => {
                let id = set.named(at).map_or("?", |(n, _)| n.id);
                format!("with an explicit deny in {}: {id}", at.group.words())
            }
            Reason::NoIdentityAllow => format!("because no identity-based policy allows the {action} action"),
            Reason::NoResourceAllow => format!("because no resource-based policy allows the {action} action"),
            Reason::NoBoundaryAllow => format!("because no permissions boundary allows the {action} action"),
            Reason::NoSessionAllow => format!("because no session policy allows the {action} action"),
        }
    }

    /// AWS's whole access-denied message.
    pub fn denial_message(&self, request: &Request, set: &PolicySet<'_>) -> String {
        format!(
            "User: {} is not authorized to perform: {} on resource: {} {}",
            request.principal.arn,
            request.action,
            request.resource,
            self.reason_text(request, set)
        )
    }
}
