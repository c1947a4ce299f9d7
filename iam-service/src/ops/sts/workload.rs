//! Credentials for workloads (the EC2 use case, self-hosted): an operator registers a
//! workload's address to an instance profile; the metadata endpoint then hands that workload
//! the profile's role credentials, decided by the role's trust policy for the EC2 service,
//! as AWS does for an instance. No stored secret ever reaches the workload.

use super::token::{self, Issued};
use crate::audit::{self, Event, Outcome};
use crate::crypto::SecretBox;
use crate::identity::RoleSession;
use crate::{Identity, RequestMeta, ServiceError};
use iam_core::policy::{GlobalFacts, Principal, PrincipalKind};
use rand::RngCore;
use sqlx::PgPool;
use time::OffsetDateTime;

/// The service that assumes an instance profile's role.
pub const EC2: &str = "ec2.amazonaws.com";
/// Workload sessions last six hours (AWS's instance credentials), within the role's maximum.
const SESSION_SECONDS: i64 = 6 * 3600;

/// A registered workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub account: String,
    pub profile_name: String,
    pub instance_id: String,
}

/// Binds `address` to an instance profile of `account`; returns the workload's instance ID.
/// An operator's command: it acts for the account, like the other admin commands.
pub async fn register(
    pool: &PgPool,
    account: &str,
    profile_name: &str,
    address: std::net::IpAddr,
    now: OffsetDateTime,
) -> Result<String, ServiceError> {
    let mut bytes = [0u8; 9];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let instance_id = format!("i-{}", &hex[..17]);
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM instance_profiles WHERE account_id = $1 AND profile_name = $2)",
    )
    .bind(account)
    .bind(profile_name)
    .fetch_one(pool)
    .await?;
    if !exists {
        return Err(ServiceError::NoSuchEntity(format!(
            "Instance Profile {profile_name} cannot be found."
        )));
    }
    sqlx::query(
        "INSERT INTO workload_registrations (address, account_id, profile_name, instance_id, created_at)
         VALUES ($1::inet, $2, $3, $4, $5)
         ON CONFLICT (address) DO UPDATE SET account_id = EXCLUDED.account_id,
             profile_name = EXCLUDED.profile_name, instance_id = EXCLUDED.instance_id, created_at = EXCLUDED.created_at",
    )
    .bind(address.to_string())
    .bind(account)
    .bind(profile_name)
    .bind(&instance_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(instance_id)
}

/// The workload registered at `address`, if any.
pub async fn at(pool: &PgPool, address: std::net::IpAddr) -> Result<Option<Workload>, ServiceError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT account_id, profile_name, instance_id FROM workload_registrations WHERE address = $1::inet",
    )
    .bind(address.to_string())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(account, profile_name, instance_id)| Workload {
        account,
        profile_name,
        instance_id,
    }))
}

/// The name of the role in the workload's profile, if it has one.
pub async fn role_name(pool: &PgPool, workload: &Workload) -> Result<Option<String>, ServiceError> {
    let name: Option<Option<String>> = sqlx::query_scalar(
        "SELECT role_name FROM instance_profiles WHERE account_id = $1 AND profile_name = $2",
    )
    .bind(&workload.account)
    .bind(&workload.profile_name)
    .fetch_optional(pool)
    .await?;
    Ok(name.flatten())
}

/// Issues the workload a session of its profile's role named `role` (the name it asked
/// for must be that role), if the role's trust policy lets the EC2 service assume it.
pub async fn credentials(
    pool: &PgPool,
    secrets: &SecretBox,
    workload: &Workload,
    role: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<Issued, ServiceError> {
    let not_found = || ServiceError::NoSuchEntity(format!("no role `{role}` for this workload"));
    if role_name(pool, workload).await?.as_deref() != Some(role) {
        return Err(not_found());
    }
    let mut tx = pool.begin().await?;
    let found = crate::ops::roles::find(&mut tx, &workload.account, role)
        .await?
        .ok_or_else(not_found)?;
    let mut principal = Principal::new(PrincipalKind::Service, EC2, &workload.account);
    principal.service = Some(EC2.to_owned());
    let facts = GlobalFacts {
        now: now.unix_timestamp(),
        ..Default::default()
    };
    let profile_arn =
        iam_core::arn::entity_arn(&workload.account, "instance-profile", "/", &workload.profile_name);
    if !crate::ops::roles::trust_allows(&found, &principal, &facts, &[], &["sts:AssumeRole"]) {
        let event = Event {
            at: now,
            account_id: Some(&workload.account),
            actor_arn: &profile_arn,
            action: "sts:AssumeRole",
            resource: Some(&found.arn),
            outcome: Outcome::Failure,
            reason: Some("the role's trust policy does not allow ec2.amazonaws.com"),
            source_identity: None,
        };
        audit::record(&mut tx, &event, meta).await?;
        tx.commit().await?;
        return Err(ServiceError::AccessDenied(format!(
            "the trust policy of {} does not let {EC2} assume it",
            found.arn
        )));
    }
    let session = RoleSession {
        account_id: iam_core::account::AccountId::parse(&workload.account).map_err(ServiceError::Internal)?,
        role_name: found.role_name.clone(),
        role_id: found.role_id.clone(),
        role_path: found.path.clone(),
        session_name: workload.instance_id.clone(),
        policy: None,
        policy_arns: Vec::new(),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        federation: None,
        federated_user: None,
    };
    let seconds = SESSION_SECONDS.min(i64::from(found.max_session_duration));
    let issued = token::issue(
        secrets,
        Identity::AssumedRole(Box::new(session)),
        now,
        seconds,
        None,
    )?;
    let session_arn = issued.identity.arn();
    let event = Event {
        at: now,
        account_id: Some(&workload.account),
        actor_arn: &profile_arn,
        action: "sts:AssumeRole",
        resource: Some(&session_arn),
        outcome: Outcome::Success,
        reason: None,
        source_identity: None,
    };
    audit::record(&mut tx, &event, meta).await?;
    tx.commit().await?;
    Ok(issued)
}

/// The metadata endpoint's session token (IMDSv2): sealed, bound to the caller's address and
/// its expiry, so any process of the deployment accepts it and no other address can use it.
#[derive(serde::Serialize, serde::Deserialize)]
struct MetadataClaims {
    imds: String,
    e: i64,
}

/// A metadata token for `address`, valid `ttl` seconds (AWS: 1 to 21,600).
pub fn metadata_token(
    secrets: &SecretBox,
    address: std::net::IpAddr,
    ttl: i64,
    now: OffsetDateTime,
) -> Result<String, ServiceError> {
    use base64::Engine;
    let claims = MetadataClaims {
        imds: address.to_string(),
        e: now.unix_timestamp() + ttl,
    };
    let json = serde_json::to_vec(&claims).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(secrets.seal_token(&json)?))
}

/// Whether `token` is a current metadata token for `address`.
pub fn metadata_token_valid(
    secrets: &SecretBox,
    token: &str,
    address: std::net::IpAddr,
    now: OffsetDateTime,
) -> bool {
    use base64::Engine;
    if token.len() > 1024 {
        return false;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(token.trim()) else {
        return false;
    };
    let Some(json) = secrets.open_token(&bytes) else {
        return false;
    };
    serde_json::from_slice::<MetadataClaims>(&json)
        .is_ok_and(|c| c.imds == address.to_string() && now.unix_timestamp() < c.e)
}
