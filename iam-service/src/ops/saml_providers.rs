//! SAML 2.0 providers: identity providers whose signed assertions become role sessions
//! (AssumeRoleWithSAML, console sign-in at /saml). AWS's actions: Create/Get/List/Update/
//! DeleteSAMLProvider; their tags go through ops::tags. The metadata is kept as uploaded,
//! with its entity ID and signing certificates read from it.

use crate::federation::metadata::{self, SamlMetadata};
use crate::ops::tags::Tagged;
use crate::ops::{audited, begin, inserted, read};
use crate::{Caller, ServiceError};
use iam_core::model::Tag;
use iam_core::providers::{self as rules, check_saml_name, saml_arn};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Metadata without a `validUntil` is valid for 100 years, as AWS records it.
const DEFAULT_VALIDITY_DAYS: i64 = 36525;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlProvider {
    pub arn: String,
    pub name: String,
    pub provider_uuid: String,
    pub entity_id: String,
    pub certificates_expire_at: OffsetDateTime,
    pub valid_until: OffsetDateTime,
    pub created_at: OffsetDateTime,
    /// Filled by GetSAMLProvider.
    pub metadata: String,
    pub tags: Vec<Tag>,
}

type Row = (
    String,
    String,
    String,
    OffsetDateTime,
    OffsetDateTime,
    OffsetDateTime,
);
const COLUMNS: &str = "name, provider_uuid, entity_id, certificates_expire_at, valid_until, created_at";

fn provider(account: &str, row: Row) -> SamlProvider {
    let (name, provider_uuid, entity_id, certificates_expire_at, valid_until, created_at) = row;
    SamlProvider {
        arn: saml_arn(account, &name),
        name,
        provider_uuid,
        entity_id,
        certificates_expire_at,
        valid_until,
        created_at,
        metadata: String::new(),
        tags: Vec::new(),
    }
}

pub fn no_such(arn: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("Manifest not found for arn {arn}"))
}

/// The metadata within AWS's size (checked before anything else).
fn check_size(document: &str) -> Result<(), ServiceError> {
    let chars = document.chars().count();
    if !rules::METADATA_CHARS.contains(&chars) {
        return Err(ServiceError::field(
            "metadata",
            format!("1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length between 1000 and 10000000 (it has {chars})"),
        ));
    }
    Ok(())
}

/// The metadata readable as IdP metadata (AWS's InvalidInput). Only once the caller was
/// allowed to write it: reading it is the expensive part.
fn read_metadata(document: &str) -> Result<SamlMetadata, ServiceError> {
    metadata::parse(document).map_err(|why| ServiceError::Rejected {
        code: "InvalidInput",
        message: format!("Could not parse metadata: {why}"),
    })
}

fn expiries(read: &SamlMetadata, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let certificates = read.certificates.iter().map(|c| c.not_after).min().unwrap_or(now);
    let valid_until = read
        .valid_until
        .unwrap_or(now + time::Duration::days(DEFAULT_VALIDITY_DAYS));
    (certificates, valid_until)
}

async fn find(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
    lock: bool,
) -> Result<Option<Row>, ServiceError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM saml_providers WHERE account_id = $1 AND name = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as(&sql)
        .bind(account)
        .bind(name)
        .fetch_optional(conn)
        .await?)
}

/// Whether the provider exists (for tags).
pub(crate) async fn exists(conn: &mut PgConnection, account: &str, name: &str) -> Result<bool, ServiceError> {
    Ok(find(conn, account, name, false).await?.is_some())
}

/// What verifies a provider's assertions: its entity ID, until when its metadata holds,
/// and the metadata with its signing certificates. Read for a sign-in, which no caller
/// authorizes: the role's trust policy decides.
pub struct SigningKeys {
    pub entity_id: String,
    pub valid_until: OffsetDateTime,
    metadata: String,
}

impl SigningKeys {
    /// The signing certificates (DER). Reading the metadata is work in proportion to its
    /// size: callers do it off the async threads.
    pub fn certificates(&self) -> Result<Vec<Vec<u8>>, ServiceError> {
        // Stored only after it parsed; a failure now is a fault of ours, not the caller's.
        let read = metadata::parse(&self.metadata).map_err(ServiceError::Internal)?;
        Ok(read.certificates.into_iter().map(|c| c.der).collect())
    }
}

pub(crate) async fn signing_keys(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<Option<SigningKeys>, ServiceError> {
    let row: Option<(String, OffsetDateTime, String)> = sqlx::query_as(
        "SELECT entity_id, valid_until, metadata FROM saml_providers WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(name)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(entity_id, valid_until, metadata)| SigningKeys {
        entity_id,
        valid_until,
        metadata,
    }))
}

/// `action` decided on the ARN as given; then it must name an existing provider of the
/// caller's account.
async fn decided(
    conn: &mut PgConnection,
    authz: &crate::authz::Authorizer,
    account: &str,
    arn: &str,
    action: &str,
) -> Result<Row, ServiceError> {
    crate::ops::check_arn_length(arn)?;
    authz.check(action, arn)?;
    let name = rules::parse_saml_arn(account, arn).ok_or_else(|| no_such(arn))?;
    find(conn, account, name, true).await?.ok_or_else(|| no_such(arn))
}

/// `iam:CreateSAMLProvider` (and `iam:TagSAMLProvider` with tags).
pub async fn create(
    pool: &PgPool,
    caller: &Caller<'_>,
    name: &str,
    document: &str,
    tags: &[Tag],
) -> Result<SamlProvider, ServiceError> {
    let mut errors: Vec<_> = check_saml_name(name).err().into_iter().collect();
    errors.extend(crate::ops::tags::check(tags));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let target = Tagged::SamlProvider(name);
    if tags.len() > iam_core::quotas::TAGS_PER_ENTITY {
        return Err(crate::ops::tags::too_many(target));
    }
    check_size(document)?;
    let account = caller.account().to_owned();
    let arn = saml_arn(&account, name);
    let (mut tx, authz) = begin(pool, caller).await?;
    crate::ops::tags::authorize_create(
        &authz,
        ("iam:CreateSAMLProvider", "iam:TagSAMLProvider"),
        &arn,
        tags,
        Vec::new(),
    )?;
    let read_doc = read_metadata(document)?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "saml_providers",
        "SAMLProvidersPerAccount",
        rules::SAML_PROVIDERS_PER_ACCOUNT,
    )
    .await?;
    let (certificates, valid_until) = expiries(&read_doc, caller.now);
    let result = sqlx::query(
        "INSERT INTO saml_providers (account_id, name, provider_uuid, metadata, entity_id,
                                     certificates_expire_at, valid_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&account)
    .bind(name)
    .bind(crate::ops::random_uuid().replace('-', "").to_uppercase())
    .bind(document)
    .bind(&read_doc.entity_id)
    .bind(certificates)
    .bind(valid_until)
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    inserted(result, || format!("SAMLProvider {name} already exists."))?;
    for tag in tags {
        crate::ops::tags::insert(&mut tx, &account, target, tag).await?;
    }
    audited(&mut tx, caller, "iam:CreateSAMLProvider", &arn).await?;
    let row = find(&mut tx, &account, name, false)
        .await?
        .ok_or_else(|| no_such(&arn))?;
    let mut created = provider(&account, row);
    created.tags = crate::ops::tags::of(&mut tx, &account, target).await?;
    tx.commit().await?;
    Ok(created)
}

/// `iam:GetSAMLProvider`: with its metadata document and tags.
pub async fn get(pool: &PgPool, caller: &Caller<'_>, arn: &str) -> Result<SamlProvider, ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let row = decided(&mut tx, &authz, account, arn, "iam:GetSAMLProvider").await?;
    let mut found = provider(account, row);
    found.metadata =
        sqlx::query_scalar("SELECT metadata FROM saml_providers WHERE account_id = $1 AND name = $2")
            .bind(account)
            .bind(&found.name)
            .fetch_one(&mut *tx)
            .await?;
    found.tags = crate::ops::tags::of(&mut tx, account, Tagged::SamlProvider(&found.name)).await?;
    tx.commit().await?;
    Ok(found)
}

/// `iam:ListSAMLProviders`: every provider (at most 100), without documents.
pub async fn list(pool: &PgPool, caller: &Caller<'_>) -> Result<Vec<SamlProvider>, ServiceError> {
    let account = caller.account();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check(
        "iam:ListSAMLProviders",
        &format!("arn:aws:iam::{account}:saml-provider/*"),
    )?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM saml_providers WHERE account_id = $1 ORDER BY name LIMIT 1000"
    ))
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| provider(account, r)).collect())
}

/// `iam:UpdateSAMLProvider`: new metadata (a rotated certificate, say).
pub async fn update(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    document: &str,
) -> Result<(), ServiceError> {
    check_size(document)?;
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (name, ..) = decided(&mut tx, &authz, account, arn, "iam:UpdateSAMLProvider").await?;
    let read_doc = read_metadata(document)?;
    let (certificates, valid_until) = expiries(&read_doc, caller.now);
    sqlx::query(
        "UPDATE saml_providers SET metadata = $3, entity_id = $4, certificates_expire_at = $5, valid_until = $6
          WHERE account_id = $1 AND name = $2",
    )
    .bind(account)
    .bind(&name)
    .bind(document)
    .bind(&read_doc.entity_id)
    .bind(certificates)
    .bind(valid_until)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, "iam:UpdateSAMLProvider", arn).await?;
    tx.commit().await?;
    Ok(())
}

/// `iam:DeleteSAMLProvider`.
pub async fn delete(pool: &PgPool, caller: &Caller<'_>, arn: &str) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (name, ..) = decided(&mut tx, &authz, account, arn, "iam:DeleteSAMLProvider").await?;
    sqlx::query("DELETE FROM saml_providers WHERE account_id = $1 AND name = $2")
        .bind(account)
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:DeleteSAMLProvider", arn).await?;
    tx.commit().await?;
    Ok(())
}
