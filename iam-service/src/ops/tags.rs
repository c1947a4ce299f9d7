//! Tags on users and roles, one path for both: TagUser/TagRole, UntagUser/UntagRole,
//! ListUserTags/ListRoleTags. (AWS's groups carry no tags.)

use crate::ops::attachments::{entity_arn, Entity};
use crate::ops::{audited, begin};
use crate::{Caller, ServiceError};
use iam_core::field::FieldError;
use iam_core::model::Tag;
use iam_core::names::check_tag;
use iam_core::quotas;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

fn table(entity: &Entity) -> Result<&'static str, ServiceError> {
    match entity {
        Entity::User(_) => Ok("user_tags"),
        Entity::Role(_) => Ok("role_tags"),
        Entity::Group(_) => Err(ServiceError::Internal("groups carry no tags".into())),
    }
}

/// `iam:TagUser` and the like, decided on the entity's ARN before anything tells whether it
/// exists; then it must.
async fn on_entity<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    verb: &str,
) -> Result<(Transaction<'p, Postgres>, String, String), ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) = entity_arn(&mut tx, caller.account(), entity).await?;
    let action = format!(
        "iam:{verb}{}{}",
        entity.kind(),
        if verb == "List" { "Tags" } else { "" }
    );
    authz.check(&action, &arn)?;
    if !exists {
        return Err(entity.no_such());
    }
    Ok((tx, arn, action))
}

/// Adds or replaces one tag (as part of the caller's own transaction).
pub(crate) async fn insert(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
    tag: &Tag,
) -> Result<(), ServiceError> {
    let sql = format!(
        "INSERT INTO {table} (account_id, {name}, key, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, {name}, key) DO UPDATE SET value = EXCLUDED.value",
        table = table(entity)?,
        name = entity.name_column()
    );
    sqlx::query(&sql)
        .bind(account)
        .bind(entity.name())
        .bind(&tag.key)
        .bind(&tag.value)
        .execute(conn)
        .await?;
    Ok(())
}

/// The entity's tags, by key.
pub(crate) async fn of(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
) -> Result<Vec<Tag>, ServiceError> {
    let sql = format!(
        "SELECT key, value FROM {} WHERE account_id = $1 AND {} = $2 ORDER BY key",
        table(entity)?,
        entity.name_column()
    );
    let rows: Vec<(String, String)> = sqlx::query_as(&sql)
        .bind(account)
        .bind(entity.name())
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|(key, value)| Tag { key, value }).collect())
}

/// Each tag's key and value within AWS's rules.
pub(crate) fn check(tags: &[Tag]) -> Vec<FieldError> {
    tags.iter()
        .filter_map(|t| check_tag(&t.key, &t.value).err())
        .collect()
}

/// AWS's LimitExceeded for more than 50 tags on one user or role.
pub(crate) fn too_many(entity: &Entity) -> ServiceError {
    ServiceError::LimitExceeded(quotas::exceeded(
        &format!("TagsPer{}", entity.kind()),
        quotas::TAGS_PER_ENTITY as i64,
    ))
}

/// Adds or replaces tags (`iam:TagUser` / `iam:TagRole`); at most 50 in all.
pub async fn tag(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    tags: &[Tag],
) -> Result<(), ServiceError> {
    let errors = check(tags);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    // More than the quota can never fit: refused before any work.
    if tags.len() > quotas::TAGS_PER_ENTITY {
        return Err(too_many(entity));
    }
    let account = caller.account();
    let (mut tx, arn, action) = on_entity(pool, caller, entity, "Tag").await?;
    for tag in tags {
        insert(&mut tx, account, entity, tag).await?;
    }
    if of(&mut tx, account, entity).await?.len() > quotas::TAGS_PER_ENTITY {
        return Err(too_many(entity));
    }
    audited(&mut tx, caller, &action, &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes tags by key (`iam:UntagUser` / `iam:UntagRole`).
pub async fn untag(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    keys: &[String],
) -> Result<(), ServiceError> {
    if keys.len() > quotas::TAGS_PER_ENTITY {
        return Err(ServiceError::field(
            "tagKeys",
            format!(
                "at most {} tag keys may be removed at once",
                quotas::TAGS_PER_ENTITY
            ),
        ));
    }
    let (mut tx, arn, action) = on_entity(pool, caller, entity, "Untag").await?;
    let sql = format!(
        "DELETE FROM {} WHERE account_id = $1 AND {} = $2 AND key = ANY($3)",
        table(entity)?,
        entity.name_column()
    );
    sqlx::query(&sql)
        .bind(caller.account())
        .bind(entity.name())
        .bind(keys)
        .execute(&mut *tx)
        .await?;
    audited(&mut tx, caller, &action, &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// The tags (`iam:ListUserTags` / `iam:ListRoleTags`).
pub async fn list(pool: &PgPool, caller: &Caller<'_>, entity: &Entity) -> Result<Vec<Tag>, ServiceError> {
    let (mut tx, _, _) = on_entity(pool, caller, entity, "List").await?;
    let tags = of(&mut tx, caller.account(), entity).await?;
    tx.commit().await?;
    Ok(tags)
}
