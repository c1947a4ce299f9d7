//! Permissions boundaries: a managed policy that caps what a user or role may do, whatever
//! its own policies grant. AWS's actions: Put/Delete{User,Role}PermissionsBoundary.

use crate::ops::attachments::{attachable, entity_arn, Entity};
use crate::ops::{audited, begin};
use crate::{Caller, ServiceError};
use sqlx::{PgConnection, PgPool};

/// `iam:PutUserPermissionsBoundary` and the like.
fn action(entity: &Entity, verb: &str) -> String {
    format!("iam:{verb}{}PermissionsBoundary", entity.kind())
}

fn kind_supported(entity: &Entity) -> Result<(), ServiceError> {
    match entity {
        Entity::User(_) | Entity::Role(_) => Ok(()),
        Entity::Group(_) => Err(ServiceError::Internal(
            "groups have no permissions boundary".into(),
        )),
    }
}

/// The condition key a delegated administrator's policy can test to require a boundary.
pub fn context(policy_arn: &str) -> Vec<(String, Vec<String>)> {
    vec![("iam:PermissionsBoundary".into(), vec![policy_arn.to_owned()])]
}

/// Sets (or replaces) the boundary of a user or role.
pub async fn put(
    pool: &PgPool,
    caller: &Caller<'_>,
    entity: &Entity,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    kind_supported(entity)?;
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) = entity_arn(&mut tx, account, entity).await?;
    authz.check_with(&action(entity, "Put"), &arn, &context(policy_arn))?;
    if !exists {
        return Err(entity.no_such());
    }
    crate::ops::attachments::modifiable(&mut tx, account, entity).await?;
    crate::ops::attachments::customer_attachable(entity, policy_arn)?;
    if !attachable(&mut tx, account, policy_arn).await? {
        return Err(ServiceError::NoSuchEntity(format!(
            "Policy {policy_arn} does not exist or is not attachable."
        )));
    }
    set(&mut tx, account, entity, Some(policy_arn)).await?;
    audited(
        &mut tx,
        caller,
        &action(entity, "Put"),
        &format!("{arn} {policy_arn}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the boundary of a user or role (nothing to remove is no error, as on AWS).
pub async fn delete(pool: &PgPool, caller: &Caller<'_>, entity: &Entity) -> Result<(), ServiceError> {
    kind_supported(entity)?;
    let account = caller.account();
    let (mut tx, authz) = begin(pool, caller).await?;
    let (arn, exists) =
        crate::ops::attachments::decide_on(&mut tx, &authz, account, entity, &action(entity, "Delete"))
            .await?;
    if !exists {
        return Err(entity.no_such());
    }
    crate::ops::attachments::modifiable(&mut tx, account, entity).await?;
    set(&mut tx, account, entity, None).await?;
    audited(&mut tx, caller, &action(entity, "Delete"), &arn).await?;
    tx.commit().await?;
    Ok(())
}

/// A new user's or role's boundary, already decided with the creation: the policy must be
/// attachable.
pub(crate) async fn set_new(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    if !attachable(conn, account, policy_arn).await? {
        return Err(ServiceError::NoSuchEntity(format!(
            "Policy {policy_arn} does not exist or is not attachable."
        )));
    }
    crate::ops::attachments::customer_attachable(entity, policy_arn)?;
    set(conn, account, entity, Some(policy_arn)).await
}

/// Writes the boundary column inside an operation's transaction (CreateUser and CreateRole
/// with PermissionsBoundary use it too, after their own decision).
pub(crate) async fn set(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
    policy_arn: Option<&str>,
) -> Result<(), ServiceError> {
    let sql = format!(
        "UPDATE {} SET permissions_boundary = $3 WHERE account_id = $1 AND {} = $2",
        entity.table(),
        entity.name_column()
    );
    sqlx::query(&sql)
        .bind(account)
        .bind(entity.name())
        .bind(policy_arn)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The boundary of a user or role, if it has one.
pub async fn of(
    conn: &mut PgConnection,
    account: &str,
    entity: &Entity,
) -> Result<Option<String>, ServiceError> {
    kind_supported(entity)?;
    let sql = format!(
        "SELECT permissions_boundary FROM {} WHERE account_id = $1 AND {} = $2",
        entity.table(),
        entity.name_column()
    );
    let found: Option<Option<String>> = sqlx::query_scalar(&sql)
        .bind(account)
        .bind(entity.name())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.flatten())
}

/// Whether any user or role of the account has `policy_arn` as its boundary.
pub(crate) async fn in_use(
    conn: &mut PgConnection,
    account: &str,
    policy_arn: &str,
) -> Result<bool, ServiceError> {
    let used: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM iam_users WHERE account_id = $1 AND permissions_boundary = $2)
             OR EXISTS (SELECT 1 FROM iam_roles WHERE account_id = $1 AND permissions_boundary = $2)",
    )
    .bind(account)
    .bind(policy_arn)
    .fetch_one(&mut *conn)
    .await?;
    Ok(used)
}
