//! Access keys: at most two per identity (root included), the secret shown once and sealed at
//! rest, Active / Inactive, last used. And the lookup the API's SigV4 check needs.

use crate::cache::Cache;
use crate::crypto::SecretBox;
use crate::ops::{audited, begin};
use crate::{Caller, Identity, ServiceError};
use iam_core::account::AccountId;
use iam_core::credentials::access_key::new_secret_access_key;
use iam_core::credentials::session::key_id_for_account;
pub use iam_core::model::{AccessKeyInfo, NewAccessKey};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

pub const KEYS_PER_IDENTITY: i64 = 2;

fn bound(key_id: &str) -> String {
    format!("access-key:{key_id}")
}

/// Whose keys: a named user, or the caller's own (`None`), as AWS's optional UserName.
async fn owner(
    conn: &mut PgConnection,
    caller: &Caller<'_>,
    user: Option<&str>,
) -> Result<(Option<String>, String), ServiceError> {
    let account = caller.account();
    let name = match (user, caller.identity) {
        (Some(name), _) => Some(name.to_owned()),
        (None, Identity::User { user_name, .. }) => Some(user_name.clone()),
        (None, Identity::Root { .. }) => None,
        (None, Identity::AssumedRole(_) | Identity::FederatedUser(_)) => return Err(not_a_user()),
    };
    let arn = match &name {
        Some(n) => crate::ops::users::arn_for(conn, account, n).await?,
        None => caller.identity.arn(),
    };
    Ok((name, arn))
}

/// AWS's answer when a role session leaves out the user name of a user-only action.
pub(crate) fn not_a_user() -> ServiceError {
    ServiceError::field(
        "UserName",
        "Must specify userName when calling with non-User credentials",
    )
}

async fn require_user(
    conn: &mut PgConnection,
    account: &str,
    user: &Option<String>,
) -> Result<(), ServiceError> {
    if let Some(name) = user {
        crate::ops::users::user_summary(conn, account, name).await?;
    }
    Ok(())
}

type KeyRow = (
    String,
    Option<String>,
    String,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<String>,
    Option<String>,
);

fn info(row: KeyRow) -> AccessKeyInfo {
    let (access_key_id, user_name, status, created, used, service, region) = row;
    AccessKeyInfo {
        access_key_id,
        user_name,
        status,
        created_at: created.unix_timestamp(),
        last_used_at: used.map(OffsetDateTime::unix_timestamp),
        last_used_service: service,
        last_used_region: region,
    }
}

const KEY_COLUMNS: &str =
    "access_key_id, user_name, status, created_at, last_used_at, last_used_service, last_used_region";

async fn keys_of(
    conn: &mut PgConnection,
    account: &str,
    user: &Option<String>,
) -> Result<Vec<AccessKeyInfo>, ServiceError> {
    let rows: Vec<KeyRow> = sqlx::query_as(&format!(
        "SELECT {KEY_COLUMNS} FROM access_keys WHERE account_id = $1 AND user_name IS NOT DISTINCT FROM $2 ORDER BY created_at"
    ))
    .bind(account)
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(info).collect())
}

/// Creates a key (`iam:CreateAccessKey`); a third is `LimitExceeded`.
pub async fn create_access_key(
    pool: &PgPool,
    secrets: &SecretBox,
    caller: &Caller<'_>,
    user: Option<&str>,
) -> Result<NewAccessKey, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (user, arn) = owner(&mut tx, caller, user).await?;
    authz.check("iam:CreateAccessKey", &arn)?;
    require_user(&mut tx, &account, &user).await?;
    // Serializes concurrent creations for this identity, so the quota holds.
    crate::ops::lock_account(&mut tx, &account).await?;
    if keys_of(&mut tx, &account, &user).await?.len() as i64 >= KEYS_PER_IDENTITY {
        return Err(ServiceError::LimitExceeded(iam_core::quotas::exceeded(
            "AccessKeysPerUser",
            KEYS_PER_IDENTITY,
        )));
    }
    let mut rng = rand::rngs::OsRng;
    // As AWS's, the ID names its account (GetAccessKeyInfo reads it back).
    let id = key_id_for_account("AKIA", &account, &mut rng);
    let secret = new_secret_access_key(&mut rng);
    let sealed = secrets.seal(secret.as_bytes(), &bound(&id))?;
    sqlx::query(
        "INSERT INTO access_keys (access_key_id, account_id, user_name, secret_sealed, status, created_at)
         VALUES ($1, $2, $3, $4, 'Active', $5)",
    )
    .bind(&id)
    .bind(&account)
    .bind(&user)
    .bind(&sealed)
    .bind(caller.now)
    .execute(&mut *tx)
    .await?;
    audited(&mut tx, caller, "iam:CreateAccessKey", &format!("{arn} {id}")).await?;
    tx.commit().await?;
    Ok(NewAccessKey {
        info: AccessKeyInfo {
            access_key_id: id,
            user_name: user,
            status: "Active".into(),
            created_at: caller.now.unix_timestamp(),
            last_used_at: None,
            last_used_service: None,
            last_used_region: None,
        },
        secret_access_key: secret,
    })
}

/// The identity's keys (`iam:ListAccessKeys`).
pub async fn list_access_keys(
    pool: &PgPool,
    caller: &Caller<'_>,
    user: Option<&str>,
) -> Result<Vec<AccessKeyInfo>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (user, arn) = owner(&mut tx, caller, user).await?;
    authz.check("iam:ListAccessKeys", &arn)?;
    require_user(&mut tx, &account, &user).await?;
    let keys = keys_of(&mut tx, &account, &user).await?;
    tx.commit().await?;
    Ok(keys)
}

fn no_such_key(id: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
}

/// Makes a key Active or Inactive (`iam:UpdateAccessKey`).
pub async fn update_access_key(
    pool: &PgPool,
    caller: &Caller<'_>,
    user: Option<&str>,
    key_id: &str,
    status: &str,
) -> Result<(), ServiceError> {
    if !matches!(status, "Active" | "Inactive") {
        return Err(ServiceError::field(
            "status",
            format!("1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
        ));
    }
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (user, arn) = owner(&mut tx, caller, user).await?;
    authz.check("iam:UpdateAccessKey", &arn)?;
    let updated = sqlx::query(
        "UPDATE access_keys SET status = $4 WHERE access_key_id = $1 AND account_id = $2 AND user_name IS NOT DISTINCT FROM $3",
    )
    .bind(key_id)
    .bind(&account)
    .bind(&user)
    .bind(status)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(no_such_key(key_id));
    }
    audited(
        &mut tx,
        caller,
        "iam:UpdateAccessKey",
        &format!("{arn} {key_id} {status}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a key (`iam:DeleteAccessKey`).
pub async fn delete_access_key(
    pool: &PgPool,
    caller: &Caller<'_>,
    user: Option<&str>,
    key_id: &str,
) -> Result<(), ServiceError> {
    let account = caller.account().to_owned();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (user, arn) = owner(&mut tx, caller, user).await?;
    authz.check("iam:DeleteAccessKey", &arn)?;
    let deleted = sqlx::query(
        "DELETE FROM access_keys WHERE access_key_id = $1 AND account_id = $2 AND user_name IS NOT DISTINCT FROM $3",
    )
    .bind(key_id)
    .bind(&account)
    .bind(&user)
    .execute(&mut *tx)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(no_such_key(key_id));
    }
    audited(&mut tx, caller, "iam:DeleteAccessKey", &format!("{arn} {key_id}")).await?;
    tx.commit().await?;
    Ok(())
}

/// A key as the API's signature check needs it.
#[derive(Clone)]
pub struct KeyOwner {
    pub identity: Identity,
    pub secret: String,
    pub active: bool,
}

type OwnerRow = (
    String,
    Option<String>,
    Vec<u8>,
    String,
    Option<String>,
    Option<String>,
);

/// The owner and secret of an access key, if the key exists.
pub async fn authenticate(
    pool: &PgPool,
    secrets: &SecretBox,
    key_id: &str,
) -> Result<Option<KeyOwner>, ServiceError> {
    static KEYS: Cache<String, Option<KeyOwner>> = Cache::new();
    let key = key_id.to_owned();
    if let Some(owner) = KEYS.get(&key) {
        return Ok(owner);
    }
    let read = crate::cache::stamp();
    let owner = load_owner(pool, secrets, key_id).await?;
    // An unknown key ID has no account to be filed under: not cached.
    if let Some(found) = &owner {
        KEYS.put(key, found.identity.account_id().as_str(), read, owner.clone());
    }
    Ok(owner)
}

async fn load_owner(
    pool: &PgPool,
    secrets: &SecretBox,
    key_id: &str,
) -> Result<Option<KeyOwner>, ServiceError> {
    let row: Option<OwnerRow> = sqlx::query_as(
        "SELECT k.account_id, k.user_name, k.secret_sealed, k.status, u.user_id, u.path
           FROM access_keys k LEFT JOIN iam_users u USING (account_id, user_name)
          WHERE k.access_key_id = $1",
    )
    .bind(key_id)
    .fetch_optional(pool)
    .await?;
    let Some((account, user, sealed, status, user_id, path)) = row else {
        return Ok(None);
    };
    let account_id = AccountId::parse(&account).map_err(ServiceError::Internal)?;
    let identity = match (user, user_id) {
        (Some(user_name), Some(user_id)) => Identity::User {
            account_id,
            user_name,
            user_id,
            path: path.unwrap_or_else(|| "/".into()),
        },
        _ => Identity::Root { account_id },
    };
    let secret = String::from_utf8(secrets.open(&sealed, &bound(key_id))?)
        .map_err(|_| ServiceError::Internal("sealed secret is not text".into()))?;
    Ok(Some(KeyOwner {
        identity,
        secret,
        active: status == "Active",
    }))
}

/// Records a key's use: the first in each 15 minutes, as AWS does.
pub async fn record_use(
    pool: &PgPool,
    key_id: &str,
    now: OffsetDateTime,
    service: &str,
    region: &str,
) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE access_keys SET last_used_at = $2, last_used_service = $3, last_used_region = $4
          WHERE access_key_id = $1 AND (last_used_at IS NULL OR last_used_at <= $2 - interval '15 minutes')",
    )
    .bind(key_id)
    .bind(now)
    .bind(service)
    .bind(region)
    .execute(pool)
    .await?;
    Ok(())
}
