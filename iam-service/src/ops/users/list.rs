//! The users list: the console's pages and the API's keyset pages.

use super::{summary, SummaryRow, SUMMARY_COLUMNS};
use crate::ops::{clamp_limit, like_pattern, path_pattern, read};
use crate::{Caller, ServiceError};
use iam_core::model::{Page, PageRequest, SortBy, UserSummary};
use sqlx::PgPool;

/// One page of the account's users: the page's names come from an index, and only that
/// page's rows get their details.
pub async fn list_users(
    pool: &PgPool,
    caller: &Caller<'_>,
    page: &PageRequest,
) -> Result<Page<UserSummary>, ServiceError> {
    let account = caller.account().to_owned();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check("iam:ListUsers", &format!("arn:aws:iam::{account}:user/*"))?;
    let search = page.search.trim();
    // Without a search the clause is left out altogether, so each query gets its best plan
    // (the trigram index for a search, the name or creation index for a plain page).
    // ($2 is still sent; the constant test keeps it referenced.) A search shorter than a
    // trigram cannot use the trigram index, and reading all of it is slower than the table:
    // `lower(..) LIKE` (user names are ASCII, so it equals ILIKE) keeps the planner off it.
    let filter = match search.chars().count() {
        0 => "AND $2::text IS NOT NULL",
        1 | 2 => "AND lower(u.user_name) LIKE lower($2)",
        _ => "AND u.user_name ILIKE $2",
    };
    // AWS's PathPrefix; left out (as a constant test) when it selects everything.
    let paths = path_pattern(&page.path_prefix);
    let filter = if paths.is_some() {
        format!("{filter} AND u.path LIKE $3")
    } else {
        format!("{filter} AND $3::text IS NULL")
    };
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM iam_users u WHERE u.account_id = $1 {filter}"
    ))
    .bind(&account)
    .bind(like_pattern(search))
    .bind(&paths)
    .fetch_one(&mut *conn)
    .await?;
    let direction = if page.descending { "DESC" } else { "ASC" };
    let order = match page.sort {
        SortBy::Name => format!("lower(u.user_name) {direction}"),
        SortBy::Created => format!("u.created_at {direction}, u.user_name {direction}"),
    };
    let sql = format!(
        "WITH page AS (
             SELECT u.account_id, u.user_name FROM iam_users u
              WHERE u.account_id = $1 {filter}
              ORDER BY {order} LIMIT $4 OFFSET $5)
         SELECT {SUMMARY_COLUMNS}
           FROM page JOIN iam_users u USING (account_id, user_name)
           LEFT JOIN login_profiles l USING (account_id, user_name)
          ORDER BY {order}"
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(&account)
        .bind(like_pattern(search))
        .bind(&paths)
        .bind(clamp_limit(page.limit))
        .bind(page.offset.max(0))
        .fetch_all(&mut *conn)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(|r| summary(&account, r)).collect(),
        total,
        offset: page.offset.max(0),
    })
}

/// The API's ListUsers: users by name after `after` (the last name of the previous page),
/// at most `limit`, and whether more follow. Keyset pages: a page boundary stays put while
/// users come and go, and no count is needed.
pub async fn list_users_after(
    pool: &PgPool,
    caller: &Caller<'_>,
    path_prefix: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<UserSummary>, bool), ServiceError> {
    let account = caller.account();
    let (mut conn, authz) = read(pool, caller).await?;
    authz.check("iam:ListUsers", &format!("arn:aws:iam::{account}:user/*"))?;
    // Clauses left out (as constant tests) when unused, so each query gets its best plan.
    let paths = path_pattern(path_prefix);
    let after_clause = if after.is_some() {
        "AND lower(u.user_name) > lower($2)"
    } else {
        "AND $2::text IS NULL"
    };
    let path_clause = if paths.is_some() {
        "AND u.path LIKE $3"
    } else {
        "AND $3::text IS NULL"
    };
    let sql = format!(
        "WITH page AS (
             SELECT u.account_id, u.user_name FROM iam_users u
              WHERE u.account_id = $1 {after_clause} {path_clause}
              ORDER BY lower(u.user_name) LIMIT $4)
         SELECT {SUMMARY_COLUMNS}
           FROM page JOIN iam_users u USING (account_id, user_name)
           LEFT JOIN login_profiles l USING (account_id, user_name)
          ORDER BY lower(u.user_name)"
    );
    let limit = clamp_limit(limit);
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(account)
        .bind(after)
        .bind(&paths)
        .bind(limit + 1)
        .fetch_all(&mut *conn)
        .await?;
    let more = rows.len() as i64 > limit;
    Ok((
        rows.into_iter()
            .take(limit as usize)
            .map(|r| summary(account, r))
            .collect(),
        more,
    ))
}
