//! `AssumeRole`: the role's trust policy (and, across accounts, the caller's own policies)
//! decide; the session gets the role's policies, narrowed by any session policies.

use super::token::{self, Issued};
use super::{check_offer, prove_mfa, record, MfaOffer};
use crate::authz::{Authorizer, ResourceRequest};
use crate::crypto::SecretBox;
use crate::identity::RoleSession;
use crate::ops::attachments::validate_document;
use crate::ops::roles;
use crate::{Caller, Identity, ServiceError};
use iam_core::credentials::lockout::LockoutPolicy;
use iam_core::credentials::session::{
    self as rules, SESSION_POLICY_ARNS_MAX, SESSION_POLICY_MAX_CHARS, SESSION_TAGS_MAX,
};
use iam_core::field::FieldError;
use iam_core::policy::{parse_policy, Named, PolicyKind};
use sqlx::PgPool;

/// What AssumeRole is asked for.
#[derive(Debug, Clone, Default)]
pub struct AssumeRole<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub duration: Option<i64>,
    pub external_id: Option<&'a str>,
    pub mfa: Option<MfaOffer<'a>>,
    pub policy: Option<&'a str>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub transitive_tag_keys: Vec<String>,
    pub source_identity: Option<&'a str>,
}

/// What a session carries beyond its principal's own permissions: session policies and
/// tags (AssumeRole's and GetFederationToken's).
pub(super) struct Extras<'a> {
    pub policy: Option<&'a str>,
    pub policy_arns: &'a [String],
    pub tags: &'a [(String, String)],
}

/// The packed size of the session's policies and tags, as a percentage of what a session
/// can carry (AWS's PackedPolicySize); over 100 is refused.
pub(super) fn packed_percent(asked: &Extras<'_>, inherited: &[(String, String)]) -> u32 {
    const CAPACITY: usize = 2048;
    let policy = asked.policy.map_or(0, iam_core::policy::parse::counted_size);
    let arns: usize = asked.policy_arns.iter().map(String::len).sum();
    let tags: usize = asked
        .tags
        .iter()
        .chain(inherited)
        .map(|(k, v)| k.len() + v.len() + 2)
        .sum();
    let used = policy + arns + tags;
    (used * 100).div_ceil(CAPACITY) as u32
}

/// Tag keys compare without case (Unicode's, as the engine's context keys do).
pub(super) fn same_key(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

fn check_input(asked: &AssumeRole<'_>) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = Vec::new();
    if !(20..=2048).contains(&asked.role_arn.len()) {
        errors.push(FieldError::new(
            "RoleArn",
            "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048",
        ));
        return errors;
    }
    errors.extend(rules::check_session_name("RoleSessionName", asked.session_name).err());
    if let Some(id) = asked.external_id {
        errors.extend(rules::check_id_text("ExternalId", id, 2, 1224).err());
    }
    if let Some(source) = asked.source_identity {
        errors.extend(rules::check_session_name("SourceIdentity", source).err());
    }
    if let Some(offer) = &asked.mfa {
        errors.extend(check_offer(offer));
    }
    errors.extend(check_extras(&asked.extras()));
    if asked.transitive_tag_keys.len() > SESSION_TAGS_MAX {
        errors.push(FieldError::new(
            "TransitiveTagKeys",
            format!("1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to {SESSION_TAGS_MAX}"),
        ));
    }
    for key in &asked.transitive_tag_keys {
        if !asked.tags.iter().any(|(k, _)| same_key(k, key)) {
            errors.push(FieldError::new(
                "TransitiveTagKeys",
                format!("the transitive tag key `{key}` is not among the session tags"),
            ));
        }
    }
    errors
}

impl AssumeRole<'_> {
    fn extras(&self) -> Extras<'_> {
        Extras {
            policy: self.policy,
            policy_arns: &self.policy_arns,
            tags: &self.tags,
        }
    }
}

/// Session policies and tags within AWS's rules.
pub(super) fn check_extras(asked: &Extras<'_>) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = Vec::new();
    if asked
        .policy
        .is_some_and(|p| p.chars().count() > SESSION_POLICY_MAX_CHARS)
    {
        errors.push(FieldError::new(
            "Policy",
            format!("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to {SESSION_POLICY_MAX_CHARS}"),
        ));
    }
    if asked.policy_arns.len() > SESSION_POLICY_ARNS_MAX {
        errors.push(FieldError::new(
            "PolicyArns",
            format!("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to {SESSION_POLICY_ARNS_MAX}"),
        ));
    }
    for arn in asked.policy_arns {
        let shaped = arn.starts_with("arn:aws:iam::") && arn.contains(":policy/") && arn.len() <= 2048;
        if !shaped {
            errors.push(FieldError::new(
                "PolicyArns",
                format!("the policy ARN `{arn}` is not valid"),
            ));
        }
    }
    if asked.tags.len() > SESSION_TAGS_MAX {
        errors.push(FieldError::new(
            "Tags",
            format!("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to {SESSION_TAGS_MAX}"),
        ));
    }
    for (key, value) in asked.tags {
        errors.extend(rules::check_session_tag(key, value).err());
    }
    let mut keys: Vec<String> = asked.tags.iter().map(|(k, _)| k.to_lowercase()).collect();
    keys.sort();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        errors.push(FieldError::new(
            "Tags",
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        ));
    }
    errors
}

/// The context keys the request adds for the trust policy to test: the session's tags and
/// source identity, whether passed now or carried from a chained session.
fn request_context(
    asked: &AssumeRole<'_>,
    tags: &[(String, String)],
    source: Option<&str>,
) -> Vec<(String, Vec<String>)> {
    let mut extra = vec![(
        "sts:RoleSessionName".to_owned(),
        vec![asked.session_name.to_owned()],
    )];
    if let Some(id) = asked.external_id {
        extra.push(("sts:ExternalId".into(), vec![id.to_owned()]));
    }
    if let Some(source) = source {
        extra.push(("sts:SourceIdentity".into(), vec![source.to_owned()]));
    }
    extra.extend(tag_context(tags));
    if !asked.transitive_tag_keys.is_empty() {
        extra.push(("sts:TransitiveTagKeys".into(), asked.transitive_tag_keys.clone()));
    }
    extra
}

/// The context keys a session's tags give the decision: `aws:RequestTag/KEY` and
/// `aws:TagKeys`.
pub(super) fn tag_context(tags: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut keys: Vec<(String, Vec<String>)> = tags
        .iter()
        .map(|(k, v)| (format!("aws:RequestTag/{k}"), vec![v.clone()]))
        .collect();
    if !tags.is_empty() {
        keys.push((
            "aws:TagKeys".into(),
            tags.iter().map(|(k, _)| k.clone()).collect(),
        ));
    }
    keys
}

/// What a chained session (a role session assuming a role) passes on: its transitive tags
/// and its source identity, neither of which the new request may change.
struct Chain<'a> {
    parent: Option<&'a RoleSession>,
    /// The session's tags: the inherited ones, then those passed now.
    tags: Vec<(String, String)>,
    source: Option<&'a str>,
    /// AWS's PackedPolicySize of the session's policies and tags.
    packed: u32,
}

fn chain<'a>(caller: &'a Caller<'_>, asked: &'a AssumeRole<'_>) -> Result<Chain<'a>, ServiceError> {
    let parent = caller.identity.role_session();
    let mut tags: Vec<(String, String)> = parent
        .map(|p| {
            p.tags
                .iter()
                .filter(|(k, _)| p.transitive_tag_keys.iter().any(|t| same_key(t, k)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if let Some((key, _)) = asked
        .tags
        .iter()
        .find(|(k, _)| tags.iter().any(|(i, _)| same_key(i, k)))
    {
        return Err(ServiceError::field(
            "Tags",
            format!("the session tag `{key}` was passed on as transitive and cannot be changed"),
        ));
    }
    let parent_source = parent.and_then(|p| p.source_identity.as_deref());
    if let (Some(before), Some(now)) = (parent_source, asked.source_identity) {
        if before != now {
            return Err(ServiceError::field(
                "SourceIdentity",
                "the source identity of a chained session cannot be changed",
            ));
        }
    }
    if tags.len() + asked.tags.len() > SESSION_TAGS_MAX {
        return Err(ServiceError::field(
            "Tags",
            format!("a session carries at most {SESSION_TAGS_MAX} tags, inherited ones included"),
        ));
    }
    let inherited = tags.len();
    tags.extend(asked.tags.iter().cloned());
    let packed = packed_percent(&asked.extras(), &tags[..inherited]);
    if packed > 100 {
        return Err(ServiceError::PackedPolicyTooLarge(format!(
            "Packed size of consumed provided policies exceeds the limit by {}%.",
            packed - 100
        )));
    }
    Ok(Chain {
        parent,
        tags,
        source: asked.source_identity.or(parent_source),
        packed,
    })
}

/// The trust policy's decision (with the caller's own policies): sts:AssumeRole, and
/// sts:TagSession and sts:SetSourceIdentity when the session carries tags or a source.
fn decide(
    authz: &Authorizer,
    asked: &AssumeRole<'_>,
    role: &roles::Role,
    chain: &Chain<'_>,
    mfa_at: Option<i64>,
) -> Result<(), ()> {
    let trust = parse_policy(&role.assume_role_policy, PolicyKind::Trust)
        .policy
        .ok_or(())?;
    let owner = role.account();
    let extra = request_context(asked, &chain.tags, chain.source);
    let mut actions = vec!["sts:AssumeRole"];
    if !chain.tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if chain.source.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    actions.into_iter().try_for_each(|action| {
        authz
            .check_with_resource(&ResourceRequest {
                action,
                resource: &role.arn,
                policy: Named {
                    id: "trust policy",
                    policy: &trust,
                },
                owner,
                extra: &extra,
                mfa_at,
            })
            .map_err(|_| ())
    })
}

/// The new session: the role, the name, the session policies and what the chain passes on.
fn session_of(
    role: &roles::Role,
    asked: &AssumeRole<'_>,
    chain: Chain<'_>,
) -> Result<RoleSession, ServiceError> {
    let account = role.account();
    let mut transitive: Vec<String> = chain
        .parent
        .map(|p| p.transitive_tag_keys.clone())
        .unwrap_or_default();
    for key in &asked.transitive_tag_keys {
        if !transitive.iter().any(|t| same_key(t, key)) {
            transitive.push(key.clone());
        }
    }
    // Only keys of tags the session carries pass on.
    transitive.retain(|t| chain.tags.iter().any(|(k, _)| same_key(k, t)));
    Ok(RoleSession {
        account_id: iam_core::account::AccountId::parse(account).map_err(ServiceError::Internal)?,
        role_name: role.role_name.clone(),
        role_id: role.role_id.clone(),
        role_path: role.path.clone(),
        session_name: asked.session_name.to_owned(),
        policy: asked.policy.map(str::to_owned),
        policy_arns: asked.policy_arns.clone(),
        tags: chain.tags,
        transitive_tag_keys: transitive,
        source_identity: chain.source.map(str::to_owned),
        federation: None,
        federated_user: chain.parent.and_then(RoleSession::federated_user),
    })
}

/// The events of a session begun (in both accounts when they differ) and the role's last use.
async fn record_issue(
    tx: &mut sqlx::PgConnection,
    caller: &Caller<'_>,
    role: &roles::Role,
    session_arn: &str,
) -> Result<(), ServiceError> {
    let role_account = role.account();
    record(tx, caller, caller.account(), "sts:AssumeRole", session_arn, None).await?;
    if role_account != caller.account() {
        record(tx, caller, role_account, "sts:AssumeRole", session_arn, None).await?;
    }
    roles::record_use(tx, role_account, &role.role_name, caller.now).await
}

/// Assumes a role. A refusal names the caller and the role ARN as given, and is the same
/// whether or not the role exists.
pub async fn assume_role(
    pool: &PgPool,
    secrets: &SecretBox,
    lockout: &LockoutPolicy,
    caller: &Caller<'_>,
    asked: &AssumeRole<'_>,
) -> Result<Issued, ServiceError> {
    let errors = check_input(asked);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if matches!(caller.identity, Identity::Root { .. }) {
        return Err(ServiceError::AccessDenied(
            "Roles may not be assumed by root accounts.".into(),
        ));
    }
    let Some((role_account, role_path, role_name)) = iam_core::arn::parse_role_arn(asked.role_arn) else {
        return Err(ServiceError::field(
            "RoleArn",
            format!("the role ARN `{}` is not a valid role ARN", asked.role_arn),
        ));
    };
    if let Some(policy) = asked.policy {
        validate_document(policy, PolicyKind::Session)?;
    }
    let chain = chain(caller, asked)?;
    let packed = chain.packed;
    let mfa_at = match &asked.mfa {
        Some(offer) => Some(prove_mfa(pool, secrets, caller, offer, lockout).await?),
        None => None,
    };
    let mut tx = pool.begin().await?;
    let authz = Authorizer::load(&mut tx, caller.identity, caller.meta, caller.now).await?;
    let role = roles::find(&mut tx, role_account, role_name)
        .await?
        .filter(|r| r.path == role_path);
    let Some(role) = role.filter(|role| decide(&authz, asked, role, &chain, mfa_at).is_ok()) else {
        record(
            &mut tx,
            caller,
            caller.account(),
            "sts:AssumeRole",
            asked.role_arn,
            Some("access denied"),
        )
        .await?;
        tx.commit().await?;
        return Err(ServiceError::AccessDenied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
            caller.identity.arn(),
            asked.role_arn
        )));
    };
    let chained = chain.parent.is_some();
    let seconds = rules::duration(
        asked.duration,
        3600,
        i64::from(role.max_session_duration),
        chained,
    )
    .map_err(|e| ServiceError::Invalid(vec![e]))?;
    for arn in &asked.policy_arns {
        require_policy(&mut tx, role_account, arn).await?;
    }
    let session = session_of(&role, asked, chain)?;
    // A session that proved MFA now, or that came from one which had, carries it.
    let mfa = mfa_at.or(caller.meta.mfa_at);
    let mut issued = token::issue(
        secrets,
        Identity::AssumedRole(Box::new(session)),
        caller.now,
        seconds,
        mfa,
    )?;
    issued.packed_percent =
        (asked.policy.is_some() || !asked.policy_arns.is_empty() || !asked.tags.is_empty()).then_some(packed);
    record_issue(&mut tx, caller, &role, &issued.identity.arn()).await?;
    tx.commit().await?;
    Ok(issued)
}

/// A managed session policy must be an AWS managed policy or one of the role's account.
pub(super) async fn require_policy(
    conn: &mut sqlx::PgConnection,
    role_account: &str,
    arn: &str,
) -> Result<(), ServiceError> {
    if crate::ops::attachments::attachable(conn, role_account, arn).await? {
        Ok(())
    } else {
        Err(ServiceError::field(
            "PolicyArns",
            format!("the session policy `{arn}` does not exist"),
        ))
    }
}
