//! IAM users: the create-user wizard's one transaction, the list, the detail, console
//! passwords, tags and deletion. Every step is authorized by the engine with AWS's action.

mod create;
mod list;
mod manage;
mod read;

pub use create::{create_user, create_user_with_password, generate_password, NewUser};
pub use list::{list_users, list_users_after};
pub use manage::{
    deactivate_user_mfa, delete_console_password, delete_user, set_console_password, tag_user, untag_user,
};
pub use read::{get_user, get_user_summary, list_groups_for_user, list_user_mfa, list_user_tags};

use crate::ops::{begin, unique_id};
use crate::{Caller, Identity, ServiceError};
use iam_core::model::UserSummary;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// A user's unique ID: `AIDA` and 16 characters, as AWS's.
pub fn new_user_id() -> String {
    unique_id("AIDA")
}

pub(crate) fn no_such_user(name: &str) -> ServiceError {
    ServiceError::NoSuchEntity(format!("The user with name {name} cannot be found."))
}

type SummaryRow = (
    String,
    String,
    String,
    OffsetDateTime,
    i64,
    bool,
    bool,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<String>,
);

/// The columns of a user summary for the users `u` the query names.
const SUMMARY_COLUMNS: &str = "u.user_name, u.user_id, u.path, u.created_at,
    (SELECT count(*) FROM group_members g WHERE g.account_id = u.account_id AND g.user_name = u.user_name),
    EXISTS (SELECT 1 FROM mfa_devices d
             WHERE d.principal_arn = 'arn:aws:iam::' || u.account_id || ':user' || u.path || u.user_name
               AND d.enabled_at IS NOT NULL),
    l.user_name IS NOT NULL, l.password_changed_at, l.password_last_used_at, u.permissions_boundary";

fn summary(account: &str, row: SummaryRow) -> UserSummary {
    let (user_name, user_id, path, created, groups, mfa, password, changed, used, boundary) = row;
    UserSummary {
        arn: iam_core::arn::user_arn(account, &path, &user_name),
        user_name,
        user_id,
        path,
        created_at: created.unix_timestamp(),
        groups,
        mfa_enabled: mfa,
        password_enabled: password,
        password_changed_at: changed.map(OffsetDateTime::unix_timestamp),
        password_last_used: used.map(OffsetDateTime::unix_timestamp),
        permissions_boundary: boundary,
    }
}

/// A user's summary row, or NoSuchEntity.
pub(crate) async fn user_summary(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<UserSummary, ServiceError> {
    find_summary(conn, account, name)
        .await?
        .ok_or_else(|| no_such_user(name))
}

async fn find_summary(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<Option<UserSummary>, ServiceError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM iam_users u LEFT JOIN login_profiles l USING (account_id, user_name)
          WHERE u.account_id = $1 AND u.user_name = $2"
    );
    let row: Option<SummaryRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| summary(account, r)))
}

/// The ARN the engine is asked about for a user: the real one when the user exists (its
/// path included), else the plain one, so a refusal never tells whether the user exists.
pub(crate) async fn arn_for(
    conn: &mut PgConnection,
    account: &str,
    name: &str,
) -> Result<String, ServiceError> {
    let path: Option<String> =
        sqlx::query_scalar("SELECT path FROM iam_users WHERE account_id = $1 AND user_name = $2")
            .bind(account)
            .bind(name)
            .fetch_optional(conn)
            .await?;
    Ok(iam_core::arn::user_arn(
        account,
        path.as_deref().unwrap_or("/"),
        name,
    ))
}

/// An operation on one user: its transaction, the caller's authorizer, and the user's ARN,
/// once the engine has allowed `action` on it.
async fn begin_on_user<'p>(
    pool: &'p PgPool,
    caller: &Caller<'_>,
    name: &str,
    action: &str,
) -> Result<
    (
        sqlx::Transaction<'p, sqlx::Postgres>,
        crate::authz::Authorizer,
        String,
    ),
    ServiceError,
> {
    let (mut tx, authz) = begin(pool, caller).await?;
    let arn = arn_for(&mut tx, caller.account(), name).await?;
    authz.check(action, &arn)?;
    Ok((tx, authz, arn))
}

/// A signed-in identity as it is now: the root user always is; a user until deleted or
/// renamed (`IdentityGone`), with the path it has now (a move takes effect at once).
pub async fn current_identity(pool: &PgPool, identity: &Identity) -> Result<Identity, ServiceError> {
    // A console session of a role whose role was deleted (or made anew) ends.
    if identity.role_session().is_some() {
        return if crate::ops::roles::session_role_exists(pool, identity).await? {
            Ok(identity.clone())
        } else {
            Err(ServiceError::IdentityGone)
        };
    }
    let Identity::User {
        account_id,
        user_name,
        user_id,
        ..
    } = identity
    else {
        return Ok(identity.clone());
    };
    let path: Option<String> = sqlx::query_scalar(
        "SELECT path FROM iam_users WHERE account_id = $1 AND user_name = $2 AND user_id = $3",
    )
    .bind(account_id.as_str())
    .bind(user_name)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let path = path.ok_or(ServiceError::IdentityGone)?;
    Ok(Identity::User {
        account_id: account_id.clone(),
        user_name: user_name.clone(),
        user_id: user_id.clone(),
        path,
    })
}

/// Whether a signed-in identity is still what it was (see `current_identity`).
pub async fn check_still_exists(pool: &PgPool, identity: &Identity) -> Result<(), ServiceError> {
    current_identity(pool, identity).await.map(|_| ())
}
