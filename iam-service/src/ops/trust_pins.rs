//! A trust policy trusts the user or role it named, not whoever holds the name later. AWS
//! keeps the principal's unique ID behind the ARN; here the stored documents follow the
//! principal: a renamed or moved user's new ARN replaces the old one, and a deleted user or
//! role is replaced by its unique ID (which the engine matches to no one), as AWS shows it.
//! As on AWS, a trust policy may only name users and roles that exist.

use crate::ServiceError;
use iam_core::policy::diag::{Diagnostic, Loc, Severity};
use iam_core::policy::json::LineIndex;
use iam_core::policy::trust::{aws_principals, is_unique_id, repoint_principal};
use sqlx::PgConnection;

/// An IAM user's or role's ARN: its account, `user` or `role`, path and name.
fn entity_of(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let (kind, tail) = resource.split_once('/')?;
    if !matches!(kind, "user" | "role") || account.len() != 12 {
        return None;
    }
    let cut = tail.rfind('/').map_or(0, |i| i + 1);
    Some((account, kind, &tail[..cut], &tail[cut..]))
}

/// Refuses a document naming a user or role that does not exist (or a unique ID, which
/// only a deletion writes), in AWS's words; otherwise records which principals the role's
/// trust policy names. Each named principal is held (FOR SHARE) until the transaction ends,
/// so a deletion running alongside waits and then finds this role.
pub(crate) async fn pin(
    conn: &mut PgConnection,
    account: &str,
    role_name: &str,
    document: &str,
) -> Result<(), ServiceError> {
    let mut named: Vec<String> = Vec::new();
    let mut invalid = Vec::new();
    for (value, range) in aws_principals(document) {
        let exists = match entity_of(&value) {
            Some((acct, "user", path, name)) => sqlx::query_scalar::<_, i32>(
                "SELECT 1 FROM iam_users WHERE account_id = $1 AND path = $2 AND user_name = $3 FOR SHARE",
            )
            .bind(acct)
            .bind(format!("/{path}"))
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
            Some((acct, _, path, name)) => sqlx::query_scalar::<_, i32>(
                "SELECT 1 FROM iam_roles WHERE account_id = $1 AND path = $2 AND role_name = $3 FOR SHARE",
            )
            .bind(acct)
            .bind(format!("/{path}"))
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
            None if is_unique_id(&value) => false,
            None => continue,
        };
        if !exists {
            invalid.push((value, range));
        } else if !named.contains(&value) {
            named.push(value);
        }
    }
    if !invalid.is_empty() {
        let lines = LineIndex::new(document);
        return Err(ServiceError::MalformedPolicy(
            invalid
                .into_iter()
                .map(|(value, range)| Diagnostic {
                    severity: Severity::Error,
                    loc: lines.resolve(Loc {
                        line: 0,
                        column: 0,
                        offset: range.start as u32,
                    }),
                    message: format!("Invalid principal in policy: \"AWS\":\"{value}\""),
                })
                .collect(),
        ));
    }
    sqlx::query("DELETE FROM trust_principals WHERE account_id = $1 AND role_name = $2")
        .bind(account)
        .bind(role_name)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO trust_principals (principal_arn, account_id, role_name)
         SELECT unnest($3::text[]), $1, $2",
    )
    .bind(account)
    .bind(role_name)
    .bind(&named)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Trust policies, in every account, that name `from` (a user's or role's ARN) name `to`:
/// the new ARN after a rename, the unique ID after a deletion. Only those roles are read and
/// locked, in one order, so concurrent changes cannot deadlock on them.
pub(crate) async fn repoint(conn: &mut PgConnection, from: &str, to: &str) -> Result<(), ServiceError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT r.account_id, r.role_name, r.assume_role_policy
           FROM trust_principals t JOIN iam_roles r USING (account_id, role_name)
          WHERE t.principal_arn = $1
          ORDER BY r.account_id, r.role_name
            FOR UPDATE OF r",
    )
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    for (account, role, document) in rows {
        if let Some(updated) = repoint_principal(&document, from, to) {
            sqlx::query(
                "UPDATE iam_roles SET assume_role_policy = $3 WHERE account_id = $1 AND role_name = $2",
            )
            .bind(&account)
            .bind(&role)
            .bind(updated)
            .execute(&mut *conn)
            .await?;
        }
    }
    // A new ARN is still a principal to follow; a unique ID names no one.
    if entity_of(to).is_some() {
        sqlx::query(
            "INSERT INTO trust_principals (principal_arn, account_id, role_name)
             SELECT $2, account_id, role_name FROM trust_principals WHERE principal_arn = $1
             ON CONFLICT DO NOTHING",
        )
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM trust_principals WHERE principal_arn = $1")
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
