//! The account alias: a name for the account's sign-in link (`/signin/<alias>`). A new alias
//! replaces the old one, whose link stops working.

use crate::audit;
use crate::{Identity, RequestMeta, ServiceError};
use iam_core::account::{validate_alias, AccountId};
use sqlx::PgPool;
use time::OffsetDateTime;

pub async fn get_alias(pool: &PgPool, account: &AccountId) -> Result<Option<String>, ServiceError> {
    let alias: Option<Option<String>> =
        sqlx::query_scalar("SELECT alias FROM accounts WHERE account_id = $1")
            .bind(account.as_str())
            .fetch_optional(pool)
            .await?;
    Ok(alias.flatten())
}

/// The account an ID or alias names, if any.
pub async fn resolve(pool: &PgPool, id_or_alias: &str) -> Result<Option<AccountId>, ServiceError> {
    let text = id_or_alias.trim();
    if let Ok(id) = AccountId::parse(text) {
        return Ok(Some(id));
    }
    let id: Option<String> = sqlx::query_scalar("SELECT account_id FROM accounts WHERE alias = $1")
        .bind(text.to_lowercase())
        .fetch_optional(pool)
        .await?;
    id.map(|id| AccountId::parse(&id).map_err(ServiceError::Internal))
        .transpose()
}

pub async fn set_alias(
    pool: &PgPool,
    identity: &Identity,
    alias: &str,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<String, ServiceError> {
    let mut tx = pool.begin().await?;
    crate::authz::authorize(&mut tx, identity, meta, now, "iam:CreateAccountAlias", "*").await?;
    let alias = validate_alias(alias).map_err(|e| ServiceError::field("alias", e))?;
    let updated = sqlx::query("UPDATE accounts SET alias = $2 WHERE account_id = $1")
        .bind(identity.account_id().as_str())
        .bind(&alias)
        .execute(&mut *tx)
        .await;
    if let Err(sqlx::Error::Database(e)) = &updated {
        if e.is_unique_violation() {
            return Err(ServiceError::field(
                "alias",
                format!("the account alias `{alias}` is taken; choose another"),
            ));
        }
    }
    updated?;
    audit::success_by(&mut tx, identity, "iam:CreateAccountAlias", &alias, now, meta).await?;
    tx.commit().await?;
    Ok(alias)
}

pub async fn delete_alias(
    pool: &PgPool,
    identity: &Identity,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    crate::authz::authorize(&mut tx, identity, meta, now, "iam:DeleteAccountAlias", "*").await?;
    let old: Option<String> = sqlx::query_scalar(
        "UPDATE accounts a SET alias = NULL FROM accounts b
         WHERE a.account_id = b.account_id AND a.account_id = $1 RETURNING b.alias",
    )
    .bind(identity.account_id().as_str())
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    let Some(old) = old else {
        return Err(ServiceError::NoSuchEntity("this account has no alias".into()));
    };
    audit::success_by(&mut tx, identity, "iam:DeleteAccountAlias", &old, now, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// The account's alias as a list, as AWS's ListAccountAliases answers (`iam:ListAccountAliases`).
pub async fn list_aliases(pool: &PgPool, caller: &crate::Caller<'_>) -> Result<Vec<String>, ServiceError> {
    let mut conn = pool.acquire().await?;
    crate::authz::authorize(
        &mut conn,
        caller.identity,
        caller.meta,
        caller.now,
        "iam:ListAccountAliases",
        "*",
    )
    .await?;
    drop(conn);
    Ok(get_alias(pool, caller.identity.account_id())
        .await?
        .into_iter()
        .collect())
}
