//! Authorization: the policies that apply to the caller, loaded once per operation, and the
//! engine's decision for every action the operation needs. The root user is allowed
//! everything in its own account; everyone else gets exactly what iam-core decides.

use crate::cache::Cache;
use crate::{Identity, RequestMeta, ServiceError};
use iam_core::policy::managed::MANAGED_POLICIES;
use iam_core::policy::{
    evaluate, parse_policy, Explanation, GlobalFacts, Named, Policy, PolicyKind, PolicySet, Principal,
    PrincipalKind, Request,
};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;

/// A policy that applies, under the name the engine's explanations use.
#[derive(Debug, Clone)]
pub struct Applied {
    /// A managed policy's ARN, or `inline policy NAME of ARN`.
    pub id: String,
    pub policy: Policy,
}

/// The caller, its policies and the request facts, ready to decide.
#[derive(Debug, Clone)]
pub struct Authorizer {
    /// The root user: allowed everything in its own account.
    root: bool,
    principal: Principal,
    facts: GlobalFacts,
    /// Shared with the cache: a request does not copy its user's parsed policies.
    policies: Arc<[Applied]>,
    /// The principal's permissions boundary, when it has one.
    boundary: Option<Arc<Applied>>,
    /// A role session's session policies: they can only narrow.
    session: Arc<[Applied]>,
    /// Context keys given to the simulator, and a role session's `aws:SourceIdentity`.
    context: Vec<(String, Vec<String>)>,
}

/// The AWS-managed policies, parsed once.
fn aws_managed() -> &'static BTreeMap<String, Policy> {
    static PARSED: OnceLock<BTreeMap<String, Policy>> = OnceLock::new();
    PARSED.get_or_init(|| {
        MANAGED_POLICIES
            .iter()
            .filter_map(|m| Some((m.arn(), m.policy()?)))
            .collect()
    })
}

/// The ARN of a user's or group's inline policy, as explanations name it.
pub fn inline_id(owner_arn: &str, policy_name: &str) -> String {
    format!("inline policy {policy_name} of {owner_arn}")
}

/// Turns stored (id, document) rows into policies; a managed row without a document is an
/// AWS-managed policy. A stored policy that no longer parses fails the whole load: dropping
/// it could drop a Deny, so the request is refused instead (fail closed).
fn applied(rows: Vec<(String, Option<String>)>) -> Result<Vec<Applied>, ServiceError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for (id, document) in rows {
        if !seen.insert(id.clone()) {
            continue; // attached both directly and through a group
        }
        let policy = match document {
            Some(text) => parse_policy(&text, PolicyKind::Identity).policy,
            None => aws_managed().get(&id).cloned(),
        };
        match policy {
            Some(policy) => out.push(Applied { id, policy }),
            None => {
                tracing::error!(policy = %id, "stored policy does not parse; request refused");
                return Err(ServiceError::AccessDenied(format!(
                    "the request was refused because the policy `{id}` that applies to it cannot be read"
                )));
            }
        }
    }
    Ok(out)
}

/// Every identity-based policy of a user: attached, inline, and its groups'.
pub async fn user_policies(
    conn: &mut PgConnection,
    account_id: &str,
    user_name: &str,
) -> Result<Vec<Applied>, ServiceError> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "WITH attached AS (
             SELECT policy_arn FROM user_policies WHERE account_id = $1 AND user_name = $2
             UNION
             SELECT g.policy_arn FROM group_members m
               JOIN group_policies g USING (account_id, group_name)
              WHERE m.account_id = $1 AND m.user_name = $2
         )
         SELECT a.policy_arn, v.document
           FROM attached a
           LEFT JOIN managed_policies p ON p.arn = a.policy_arn
           LEFT JOIN policy_versions v
             ON v.account_id = p.account_id AND v.policy_name = p.policy_name AND v.version = p.default_version
         UNION ALL
         SELECT 'inline policy ' || policy_name || ' of arn:aws:iam::' || $1 || ':user/' || $2, document
           FROM user_inline_policies WHERE account_id = $1 AND user_name = $2
         UNION ALL
         SELECT 'inline policy ' || i.policy_name || ' of arn:aws:iam::' || $1 || ':group/' || i.group_name, i.document
           FROM group_members m JOIN group_inline_policies i USING (account_id, group_name)
          WHERE m.account_id = $1 AND m.user_name = $2",
    )
    .bind(account_id)
    .bind(user_name)
    .fetch_all(&mut *conn)
    .await?;
    applied(rows)
}

/// A group's or a role's own policies (attached and inline), for the simulator. `kind` is
/// `group` or `role`: it names the tables, never input.
pub async fn own_policies(
    conn: &mut PgConnection,
    account_id: &str,
    kind: &'static str,
    name: &str,
) -> Result<Vec<Applied>, ServiceError> {
    debug_assert!(kind == "group" || kind == "role");
    let sql = format!(
        "SELECT a.policy_arn, v.document
           FROM {kind}_policies a
           LEFT JOIN managed_policies p ON p.arn = a.policy_arn
           LEFT JOIN policy_versions v
             ON v.account_id = p.account_id AND v.policy_name = p.policy_name AND v.version = p.default_version
          WHERE a.account_id = $1 AND a.{kind}_name = $2
         UNION ALL
         SELECT 'inline policy ' || policy_name || ' of arn:aws:iam::' || $1 || ':{kind}/' || $2, document
           FROM {kind}_inline_policies WHERE account_id = $1 AND {kind}_name = $2"
    );
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(&sql)
        .bind(account_id)
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
    applied(rows)
}

/// What the engine needs of a user or role beyond the request: its current path (read
/// here, not taken from the session: after `UpdateUser NewPath` the user is judged under the
/// new ARN at once), tags, policies and permissions boundary.
#[derive(Debug, Clone)]
struct Grants {
    path: String,
    tags: BTreeMap<String, String>,
    policies: Arc<[Applied]>,
    boundary: Option<Arc<Applied>>,
}

/// Managed policies by ARN with their default version's document, in the order given (an
/// AWS managed policy has no stored document: `applied` finds it), in one query.
async fn managed_documents(
    conn: &mut PgConnection,
    arns: &[String],
) -> Result<Vec<(String, Option<String>)>, ServiceError> {
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.arn, v.document FROM managed_policies p
           JOIN policy_versions v
             ON v.account_id = p.account_id AND v.policy_name = p.policy_name AND v.version = p.default_version
          WHERE p.arn = ANY($1)",
    )
    .bind(arns)
    .fetch_all(&mut *conn)
    .await?;
    Ok(arns
        .iter()
        .map(|arn| {
            let document = stored.iter().find(|(a, _)| a == arn).map(|(_, d)| d.clone());
            (arn.clone(), document)
        })
        .collect())
}

/// The policy a stored boundary ARN names. A boundary that cannot be read refuses the
/// request: dropping it would widen what the principal may do.
async fn boundary(
    conn: &mut PgConnection,
    arn: Option<String>,
) -> Result<Option<Arc<Applied>>, ServiceError> {
    let Some(arn) = arn else {
        return Ok(None);
    };
    let mut found = applied(managed_documents(conn, &[arn]).await?)?;
    Ok(found.pop().map(Arc::new))
}

/// Path, boundary, and one tag's key and value (none when it has no tags).
type GrantRow = (String, Option<String>, Option<String>, Option<String>);

/// A user's or role's grants, cached between changes (see crate::cache). Fails with
/// `IdentityGone` when it was deleted or renamed: a session or key of the old one must not
/// act as whoever holds the name now (the unique ID tells them apart).
async fn grants(
    conn: &mut PgConnection,
    account: &str,
    kind: &'static str,
    name: &str,
    unique_id: &str,
) -> Result<Grants, ServiceError> {
    static GRANTS: Cache<(String, &'static str, String, String), Grants> = Cache::new();
    let key = (account.to_owned(), kind, name.to_owned(), unique_id.to_owned());
    if let Some(grants) = GRANTS.get(&key) {
        return Ok(grants);
    }
    let read = crate::cache::stamp();
    // The path, boundary and tags, and in the same query whether it still exists. `kind`
    // names the tables, never input.
    let sql = format!(
        "SELECT e.path, e.permissions_boundary, t.key, t.value FROM iam_{kind}s e
           LEFT JOIN {kind}_tags t USING (account_id, {kind}_name)
          WHERE e.account_id = $1 AND e.{kind}_name = $2 AND e.{kind}_id = $3"
    );
    let rows: Vec<GrantRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(name)
        .bind(unique_id)
        .fetch_all(&mut *conn)
        .await?;
    let Some((path, boundary_arn)) = rows.first().map(|row| (row.0.clone(), row.1.clone())) else {
        return Err(ServiceError::IdentityGone);
    };
    let tags = rows
        .into_iter()
        .filter_map(|(_, _, key, value)| Some((key?, value?)))
        .collect();
    let policies = match kind {
        "user" => user_policies(conn, account, name).await?,
        _ => own_policies(conn, account, kind, name).await?,
    };
    let grants = Grants {
        path,
        tags,
        policies: policies.into(),
        boundary: boundary(conn, boundary_arn).await?,
    };
    GRANTS.put(key, account, read, grants.clone());
    Ok(grants)
}

/// A session's own policies (a role session's or a federated user's): the inline session
/// policy and the managed ones named.
async fn session_policies(
    conn: &mut PgConnection,
    session_arn: &str,
    policy: Option<&String>,
    policy_arns: &[String],
) -> Result<Vec<Applied>, ServiceError> {
    let mut rows: Vec<(String, Option<String>)> = Vec::new();
    if let Some(text) = policy {
        rows.push((format!("session policy of {session_arn}"), Some(text.clone())));
    }
    if !policy_arns.is_empty() {
        rows.extend(managed_documents(conn, policy_arns).await?);
    }
    applied(rows)
}

impl Authorizer {
    /// Loads what the engine needs to decide for `who` (nothing for the root user).
    pub async fn load(
        conn: &mut PgConnection,
        who: &Identity,
        meta: &RequestMeta,
        now: OffsetDateTime,
    ) -> Result<Self, ServiceError> {
        let account = who.account_id().as_str().to_owned();
        let mut facts = GlobalFacts {
            now: now.unix_timestamp(),
            mfa_age: meta.mfa_at.map(|at| (now.unix_timestamp() - at).max(0)),
            token_issued_at: meta.session_started,
            source_ip: meta.source_ip.clone(),
            user_agent: meta.user_agent.clone(),
            secure_transport: meta.secure_transport,
            ..Default::default()
        };
        let mut context = Vec::new();
        let mut session = Vec::new();
        let (principal, grants) = match who {
            Identity::Root { .. } => (Principal::new(PrincipalKind::Root, who.arn(), &account), None),
            Identity::User {
                user_name, user_id, ..
            } => {
                facts.user_name = Some(user_name.clone());
                facts.user_id = Some(user_id.clone());
                let grants = grants(conn, &account, "user", user_name, user_id).await?;
                let arn = iam_core::arn::user_arn(&account, &grants.path, user_name);
                (Principal::new(PrincipalKind::User, arn, &account), Some(grants))
            }
            Identity::AssumedRole(role_session) => {
                facts.user_id = Some(role_session.user_id());
                let grants = grants(
                    conn,
                    &account,
                    "role",
                    &role_session.role_name,
                    &role_session.role_id,
                )
                .await?;
                let mut principal = Principal::new(PrincipalKind::AssumedRole, role_session.arn(), &account);
                principal.role_arn = Some(iam_core::arn::role_arn(
                    &account,
                    &grants.path,
                    &role_session.role_name,
                ));
                if let Some(source) = &role_session.source_identity {
                    context.push(("aws:SourceIdentity".to_owned(), vec![source.clone()]));
                }
                // A session from federation carries its provider's claims on every request.
                if let Some(federation) = &role_session.federation {
                    context.extend(federation.keys.iter().cloned());
                }
                session = session_policies(
                    conn,
                    &role_session.arn(),
                    role_session.policy.as_ref(),
                    &role_session.policy_arns,
                )
                .await?;
                (principal, Some(grants))
            }
            Identity::FederatedUser(federated) => {
                facts.user_id = Some(federated.user_id());
                session = session_policies(
                    conn,
                    &federated.arn(),
                    federated.policy.as_ref(),
                    &federated.policy_arns,
                )
                .await?;
                let principal = Principal::new(PrincipalKind::FederatedUser, federated.arn(), &account);
                let grants = match &federated.parent {
                    Some(parent) => {
                        Some(grants(conn, &account, "user", &parent.user_name, &parent.user_id).await?)
                    }
                    None => None,
                };
                (principal, grants)
            }
        };
        let (policies, boundary) = match grants {
            Some(grants) => {
                facts.principal_tags = grants.tags;
                (grants.policies, grants.boundary)
            }
            // The root user allows everything: its federated users have the session policies.
            None if who.federated().is_some() => (Arc::from(session.clone()), None),
            None => (Arc::from(Vec::new()), None),
        };
        // A federated user without session policies has no permissions at all (AWS's rule).
        let policies = match who.federated() {
            Some(f) if f.policy.is_none() && f.policy_arns.is_empty() => Arc::from(Vec::new()),
            _ => policies,
        };
        if let Some(federated) = who.federated() {
            for (key, value) in &federated.tags {
                facts.principal_tags.insert(key.clone(), value.clone());
            }
        }
        // Session tags win over the role's tags of the same key.
        if let Some(role_session) = who.role_session() {
            for (key, value) in &role_session.tags {
                facts
                    .principal_tags
                    .retain(|k, _| k.to_lowercase() != key.to_lowercase());
                facts.principal_tags.insert(key.clone(), value.clone());
            }
        }
        Ok(Self {
            root: matches!(who, Identity::Root { .. }),
            principal,
            facts,
            policies,
            boundary,
            session: session.into(),
            context,
        })
    }

    /// A principal with the given policies and request facts: the simulator's "what if".
    pub fn simulated(
        principal: Principal,
        policies: Vec<Applied>,
        facts: GlobalFacts,
        context: Vec<(String, String)>,
    ) -> Self {
        let context = context.into_iter().map(|(k, v)| (k, vec![v])).collect();
        Self {
            root: false,
            principal,
            facts,
            policies: policies.into(),
            boundary: None,
            session: Arc::from(Vec::new()),
            context,
        }
    }

    pub fn is_root(&self) -> bool {
        self.root
    }

    fn request(&self, action: &str, resource: &str) -> Request {
        let mut request = Request::new(self.principal.clone(), action, resource).with_globals(&self.facts);
        for (key, values) in &self.context {
            request.context.set_list(key, values.clone());
        }
        request
    }

    fn set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: self
                .policies
                .iter()
                .map(|a| Named {
                    id: &a.id,
                    policy: &a.policy,
                })
                .collect(),
            boundary: self.boundary.as_deref().map(|a| Named {
                id: &a.id,
                policy: &a.policy,
            }),
            session: self
                .session
                .iter()
                .map(|a| Named {
                    id: &a.id,
                    policy: &a.policy,
                })
                .collect(),
            ..Default::default()
        }
    }

    /// The engine's decision with its explanation (for the simulator and refusals).
    pub fn explain(&self, action: &str, resource: &str) -> Explanation {
        let request = self.request(action, resource);
        let set = self.set();
        evaluate(&request, &set).explain(&request, &set)
    }

    /// Whether the caller may perform `action` on `resource`.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.is_root() || evaluate(&self.request(action, resource), &self.set()).allowed()
    }

    /// `Ok` when allowed; otherwise AWS's access-denied message with the reason.
    pub fn check(&self, action: &str, resource: &str) -> Result<(), ServiceError> {
        self.check_with(action, resource, &[])
    }

    /// `check` with context keys the request adds (e.g. `iam:PermissionsBoundary`).
    pub fn check_with(
        &self,
        action: &str,
        resource: &str,
        extra: &[(String, Vec<String>)],
    ) -> Result<(), ServiceError> {
        if self.is_root() {
            return Ok(());
        }
        let mut request = self.request(action, resource);
        for (key, values) in extra {
            request.context.set_list(key, values.clone());
        }
        decided(&request, &self.set())
    }
}

/// The engine's decision as a result: AWS's access-denied message with the reason.
fn decided(request: &Request, set: &PolicySet<'_>) -> Result<(), ServiceError> {
    let decision = evaluate(request, set);
    if decision.allowed() {
        Ok(())
    } else {
        Err(ServiceError::AccessDenied(decision.denial_message(request, set)))
    }
}

/// A decision that also needs a resource-based policy to allow: a role's trust policy for
/// `sts:AssumeRole`. What the request adds to the context comes in `extra`; `mfa_at` is when
/// a second factor was proved with this request, if it was.
pub struct ResourceRequest<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub policy: Named<'a>,
    pub owner: &'a str,
    pub extra: &'a [(String, Vec<String>)],
    pub mfa_at: Option<i64>,
}

impl Authorizer {
    /// `Ok` when the resource's policy and the caller's own policies together allow it.
    pub fn check_with_resource(&self, asked: &ResourceRequest<'_>) -> Result<(), ServiceError> {
        let mut facts = self.facts.clone();
        if let Some(at) = asked.mfa_at {
            facts.mfa_age = Some((facts.now - at).max(0));
        }
        let mut request =
            Request::new(self.principal.clone(), asked.action, asked.resource).with_globals(&facts);
        for (key, values) in &self.context {
            request.context.set_list(key, values.clone());
        }
        for (key, values) in asked.extra {
            request.context.set_list(key, values.clone());
        }
        let mut set = self.set();
        set.resource = vec![asked.policy];
        set.resource_owner = Some(asked.owner);
        set.resource_must_allow = true;
        decided(&request, &set)
    }
}

/// Loads the caller's authorizer and checks one action: the common case.
pub async fn authorize(
    conn: &mut PgConnection,
    who: &Identity,
    meta: &RequestMeta,
    now: OffsetDateTime,
    action: &str,
    resource: &str,
) -> Result<Authorizer, ServiceError> {
    let authorizer = Authorizer::load(conn, who, meta, now).await?;
    authorizer.check(action, resource)?;
    Ok(authorizer)
}
