//! UpdateUser and UpdateGroup: a new name, a new path, or both. What hangs off the name
//! follows it (the foreign keys cascade); credentials kept under a user's ARN are moved
//! here. Sessions of the old name end (the engine checks the user ID with the name).

use crate::ops::attachments::{entity_arn, Entity};
use crate::ops::{audited, begin, is_unique_violation};
use crate::{Caller, ServiceError};
use iam_core::names::{check_name, check_path, NameKind};

/// Renames or moves a user or group (`iam:UpdateUser` / `iam:UpdateGroup`). AWS asks for
/// the permission on the old ARN and on the new one.
pub async fn update_entity(
    pool: &sqlx::PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    new_name: Option<&str>,
    new_path: Option<&str>,
) -> Result<(), ServiceError> {
    let kind = match entity {
        Entity::User(_) => NameKind::User,
        Entity::Group(_) => NameKind::Group,
        Entity::Role(_) => NameKind::Role,
    };
    let errors: Vec<_> = [
        new_name.and_then(|n| check_name(kind, n).err()),
        new_path.and_then(|p| check_path(p).err()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let account = caller.account();
    let action = format!("iam:Update{}", entity.kind());
    let (mut tx, authz) = begin(pool, caller).await?;
    let (old_arn, exists) = entity_arn(&mut tx, account, entity).await?;
    authz.check(&action, &old_arn)?;
    if !exists {
        return Err(entity.no_such());
    }
    let old_path: String = sqlx::query_scalar(&format!(
        "SELECT path FROM {} WHERE account_id = $1 AND {} = $2 FOR UPDATE",
        entity.table(),
        entity.name_column()
    ))
    .bind(account)
    .bind(entity.name())
    .fetch_one(&mut *tx)
    .await?;
    let name = new_name.unwrap_or(entity.name());
    let path = new_path.unwrap_or(&old_path);
    let kind_word = entity.kind().to_lowercase();
    let new_arn = iam_core::arn::entity_arn(account, &kind_word, path, name);
    authz.check(&action, &new_arn)?;
    if new_arn == old_arn {
        tx.commit().await?;
        return Ok(());
    }
    let updated = sqlx::query(&format!(
        "UPDATE {} SET {} = $3, path = $4 WHERE account_id = $1 AND {} = $2",
        entity.table(),
        entity.name_column(),
        entity.name_column()
    ))
    .bind(account)
    .bind(entity.name())
    .bind(name)
    .bind(path)
    .execute(&mut *tx)
    .await;
    match updated {
        Err(e) if is_unique_violation(&e) => {
            return Err(ServiceError::AlreadyExists(format!(
                "{} with name {name} already exists.",
                entity.kind()
            )))
        }
        other => other?,
    };
    if matches!(entity, Entity::User(_)) {
        for table in ["mfa_devices", "recovery_codes", "password_history"] {
            sqlx::query(&format!(
                "UPDATE {table} SET principal_arn = $2 WHERE principal_arn = $1"
            ))
            .bind(&old_arn)
            .bind(&new_arn)
            .execute(&mut *tx)
            .await?;
        }
        // Roles that trust the user keep trusting it under its new ARN.
        crate::ops::trust_pins::repoint(&mut tx, &old_arn, &new_arn).await?;
    }
    audited(&mut tx, caller, &action, &format!("{old_arn} -> {new_arn}")).await?;
    tx.commit().await?;
    Ok(())
}
