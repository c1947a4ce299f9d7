//! OpenID Connect providers: issuers whose ID tokens become role sessions
//! (AssumeRoleWithWebIdentity). AWS's actions: Create/Get/List/DeleteOpenIDConnectProvider,
//! Add/RemoveClientIDToOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint; their tags
//! go through ops::tags.

use crate::ops::tags::Tagged;
use crate::ops::{audited, begin, inserted, read};
use crate::{Caller, ServiceError};
use iam_core::field::FieldError;
use iam_core::model::Tag;
use iam_core::providers::{self as rules, check_client_id, check_oidc_url, check_thumbprint, oidc_arn};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    pub arn: String,
    /// The issuer without `https://`, as AWS answers it.
    pub url: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub created_at: OffsetDateTime,
    /// Filled by GetOpenIDConnectProvider.
    pub tags: Vec<Tag>,
}

type Row = (String, Vec<String>, Vec<String>, OffsetDateTime);

fn provider(account: &str, (url, client_ids, thumbprints, created_at): Row) -> OidcProvider {
    OidcProvider {
        arn: oidc_arn(account, &url),
        url,
        client_ids,
        thumbprints,
        created_at,
        tags: Vec::new(),
    }
}

pub fn no_such(arn: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("OpenIDConnect Provider not found for arn {arn}"))
}

fn check_lists(client_ids: &[String], thumbprints: &[String]) -> Vec<FieldError> {
    client_ids
        .iter()
        .filter_map(|id| check_client_id(id).err())
        .chain(thumbprints.iter().filter_map(|t| check_thumbprint(t).err()))
        .collect()
}

/// AWS's quotas on the lists, in AWS's words (its thumbprint message says "fewer than 5"
/// although 5 are allowed).
fn within_quotas(client_ids: usize, thumbprints: usize) -> Result<(), ServiceError> {
    if client_ids > rules::CLIENT_IDS_PER_PROVIDER {
        return Err(ServiceError::LimitExceeded(iam_core::quotas::exceeded(
            "ClientIdsPerOpenIdConnectProvider",
            rules::CLIENT_IDS_PER_PROVIDER as i64,
        )));
    }
    if thumbprints > rules::THUMBPRINTS_PER_PROVIDER {
        return Err(ServiceError::Rejected {
            code: "InvalidInput",
            message: "Thumbprint list must contain fewer than 5 entries.".into(),
        });
    }
    Ok(())
}

/// A list without repeats, first occurrence kept (AWS keeps each client ID once).
fn distinct(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

async fn find(conn: &mut PgConnection, account: &str, url: &str) -> Result<Option<Row>, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT url, client_ids, thumbprints, created_at FROM oidc_providers WHERE account_id = $1 AND url = $2",
    )
    .bind(account)
    .bind(url)
    .fetch_optional(conn)
    .await?)
}

/// The client IDs of the account's provider at `url`, if it has one (for verifying tokens).
pub(crate) async fn client_ids(
    conn: &mut PgConnection,
    account: &str,
    url: &str,
) -> Result<Option<Vec<String>>, ServiceError> {
    Ok(find(conn, account, url).await?.map(|(_, ids, _, _)| ids))
}

/// Whether the provider exists (for tags and the engine's decisions on it).
pub(crate) async fn exists(conn: &mut PgConnection, account: &str, url: &str) -> Result<bool, ServiceError> {
    Ok(find(conn, account, url).await?.is_some())
}

/// `action` decided on the ARN as given, then the provider it names must be the caller
/// account's and exist (locked for the rest of the transaction).
async fn decided(
    conn: &mut PgConnection,
    authz: &crate::authz::Authorizer,
    account: &str,
    arn: &str,
    action: &str,
) -> Result<Row, ServiceError> {
    crate::ops::check_arn_length(arn)?;
    authz.check(action, arn)?;
    // AWS's delete names a missing provider in other words than its reads.
    let missing = || {
        if action == "iam:DeleteOpenIDConnectProvider" {
            ServiceError::NoSuchEntity(format!("OpenId connect Provider {arn} cannot be found."))
        } else {
            no_such(arn)
        }
    };
    let url = rules::parse_oidc_arn(account, arn).ok_or_else(missing)?;
    let row: Option<Row> = sqlx::query_as(
        "SELECT url, client_ids, thumbprints, created_at FROM oidc_providers
          WHERE account_id = $1 AND url = $2 FOR UPDATE",
    )
    .bind(account)
    .bind(url)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(missing)
}

/// `iam:CreateOpenIDConnectProvider` (and `iam:TagOpenIDConnectProvider` with tags).
pub async fn create(
    pool: &PgPool,
    caller: &Caller<'_>,
    url: &str,
    client_ids: &[String],
    thumbprints: &[String],
    tags: &[Tag],
) -> Result<OidcProvider, ServiceError> {
    let host_path = check_oidc_url(url);
    let mut errors = check_lists(client_ids, thumbprints);
    errors.extend(crate::ops::tags::check(tags));
    let host_path = match host_path {
        Ok(h) if errors.is_empty() => h,
        Ok(_) => return Err(ServiceError::Invalid(errors)),
        Err(e) => {
            errors.insert(0, e);
            return Err(ServiceError::Invalid(errors));
        }
    };
    within_quotas(distinct(client_ids).len(), distinct(thumbprints).len())?;
    let target = Tagged::OidcProvider(&host_path);
    if tags.len() > iam_core::quotas::TAGS_PER_ENTITY {
        return Err(crate::ops::tags::too_many(target));
    }
    let account = caller.account().to_owned();
    let arn = oidc_arn(&account, &host_path);
    let (mut tx, authz) = begin(pool, caller).await?;
    crate::ops::tags::authorize_create(
        &authz,
        ("iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"),
        &arn,
        tags,
        Vec::new(),
    )?;
    crate::ops::within_account_quota(
        &mut tx,
        &account,
        "oidc_providers",
        "OpenIdConnectProvidersPerAccount",
        rules::OIDC_PROVIDERS_PER_ACCOUNT,
    )
    .await?;
    let result = sqlx::query(
        "INSERT INTO oidc_providers (account_id, url, client_ids, thumbprints, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&account)
    .bind(&host_path)
    .bind(distinct(client_ids))
    .bind(distinct(thumbprints))
    .bind(caller.now)
    .execute(&mut *tx)
    .await;
    inserted(result, || format!("Provider with url {url} already exists."))?;
    for tag in tags {
        crate::ops::tags::insert(&mut tx, &account, target, tag).await?;
    }
    audited(&mut tx, caller, "iam:CreateOpenIDConnectProvider", &arn).await?;
    let row = find(&mut tx, &account, &host_path)
        .await?
        .ok_or_else(|| no_such(&arn))?;
    let mut created = provider(&account, row);
    created.tags = crate::ops::tags::of(&mut tx, &account, target).await?;
    tx.commit().await?;
    Ok(created)
}

/// `iam:GetOpenIDConnectProvider`.
pub async fn get(pool: &PgPool, caller: &Caller<'_>, arn: &str) -> Result<OidcProvider, ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let row = decided(&mut tx, &authz, account, arn, "iam:GetOpenIDConnectProvider").await?;
    let mut found = provider(account, row);
    found.tags = crate::ops::tags::of(&mut tx, account, Tagged::OidcProvider(&found.url)).await?;
    tx.commit().await?;
    Ok(found)
}

/// `iam:ListOpenIDConnectProviders`: every provider (at most 100).
pub async fn list(pool: &PgPool, caller: &Caller<'_>) -> Result<Vec<OidcProvider>, ServiceError> {
    let account = caller.account();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check(
        "iam:ListOpenIDConnectProviders",
        &format!("arn:aws:iam::{account}:oidc-provider/*"),
    )?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT url, client_ids, thumbprints, created_at FROM oidc_providers
          WHERE account_id = $1 ORDER BY url LIMIT 1000",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| provider(account, r)).collect())
}

/// What changes a provider's lists.
#[derive(Debug, Clone)]
pub enum Change<'a> {
    AddClientId(&'a str),
    RemoveClientId(&'a str),
    Thumbprints(&'a [String]),
}

/// `iam:AddClientIDToOpenIDConnectProvider`, `iam:RemoveClientIDFromOpenIDConnectProvider`
/// (both do nothing when there is nothing to do, as AWS's) and
/// `iam:UpdateOpenIDConnectProviderThumbprint` (the list replaced).
pub async fn change(
    pool: &PgPool,
    caller: &Caller<'_>,
    arn: &str,
    change: Change<'_>,
) -> Result<(), ServiceError> {
    let (action, errors) = match &change {
        Change::AddClientId(id) => (
            "iam:AddClientIDToOpenIDConnectProvider",
            check_lists(&[(*id).to_owned()], &[]),
        ),
        Change::RemoveClientId(id) => (
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            check_lists(&[(*id).to_owned()], &[]),
        ),
        Change::Thumbprints(list) => (
            "iam:UpdateOpenIDConnectProviderThumbprint",
            check_lists(&[], list),
        ),
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Change::Thumbprints(list) = &change {
        within_quotas(0, distinct(list).len())?;
    }
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (url, mut client_ids, mut thumbprints, _) = decided(&mut tx, &authz, account, arn, action).await?;
    match change {
        Change::AddClientId(id) if !client_ids.iter().any(|c| c == id) => {
            client_ids.push(id.to_owned());
            within_quotas(client_ids.len(), 0)?;
        }
        Change::AddClientId(_) => {}
        Change::RemoveClientId(id) => client_ids.retain(|c| c != id),
        Change::Thumbprints(list) => thumbprints = distinct(list),
    }
    sqlx::query(
        "UPDATE oidc_providers SET client_ids = $3, thumbprints = $4 WHERE account_id = $1 AND url = $2",
    )
    .bind(account)
    .bind(&url)
    .bind(&client_ids)
    .bind(&thumbprints)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, action, arn).await?;
    tx.commit().await?;
    Ok(())
}

/// `iam:DeleteOpenIDConnectProvider`. Roles that trust it stay; they match no one.
pub async fn delete(pool: &PgPool, caller: &Caller<'_>, arn: &str) -> Result<(), ServiceError> {
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (url, ..) = decided(&mut tx, &authz, account, arn, "iam:DeleteOpenIDConnectProvider").await?;
    sqlx::query("DELETE FROM oidc_providers WHERE account_id = $1 AND url = $2")
        .bind(account)
        .bind(&url)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, "iam:DeleteOpenIDConnectProvider", arn).await?;
    tx.commit().await?;
    Ok(())
}
