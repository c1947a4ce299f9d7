//! Event history: the account's audit log, newest first, filtered.

use crate::ops::{begin, clamp_limit, like_pattern};
use crate::{Caller, ServiceError};
use iam_core::model::AuditEntry;
use sqlx::PgPool;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Part of the actor's ARN, e.g. a user name.
    pub actor: String,
    /// Part of the action, e.g. `CreateUser`.
    pub action: String,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Events older than this ID (the next page).
    pub before_id: Option<i64>,
    pub limit: i64,
}

type EventRow = (
    i64,
    OffsetDateTime,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The events of the caller's account (`cloudtrail:LookupEvents`).
pub async fn lookup_events(
    pool: &PgPool,
    caller: &Caller<'_>,
    filter: &HistoryFilter,
) -> Result<Vec<AuditEntry>, ServiceError> {
    let (mut tx, authz) = begin(pool, caller).await?;
    authz.check("cloudtrail:LookupEvents", "*")?;
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, occurred_at, actor_arn, action, resource, outcome, source_ip, source_identity,
                federated_user
           FROM audit_events
          WHERE account_id = $1
            AND ($2 = '' OR actor_arn ILIKE $3)
            AND ($4 = '' OR action ILIKE $5)
            AND ($6::timestamptz IS NULL OR occurred_at >= $6)
            AND ($7::timestamptz IS NULL OR occurred_at <= $7)
            AND ($8::bigint IS NULL OR id < $8)
          ORDER BY occurred_at DESC, id DESC LIMIT $9",
    )
    .bind(caller.account())
    .bind(filter.actor.trim())
    .bind(like_pattern(&filter.actor))
    .bind(filter.action.trim())
    .bind(like_pattern(&filter.action))
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.before_id)
    .bind(clamp_limit(filter.limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, actor, action, resource, outcome, source_ip, source_identity, federated_user)| {
                AuditEntry {
                    id,
                    at: at.unix_timestamp(),
                    actor,
                    action,
                    resource,
                    outcome,
                    source_ip,
                    source_identity,
                    federated_user,
                }
            },
        )
        .collect())
}
