//! Audit events, written inside the transaction of the change they record.

use crate::identity::RequestMeta;
use sqlx::PgConnection;
use time::OffsetDateTime;

/// CloudTrail's stand-in for a name that did not match anyone: the log must not become a
/// list of mistyped passwords.
pub const HIDDEN_ACTOR: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    /// A failure when there is a reason for refusing, a success otherwise.
    pub fn of(refusal: Option<&str>) -> Self {
        if refusal.is_some() {
            Outcome::Failure
        } else {
            Outcome::Success
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub at: OffsetDateTime,
    pub account_id: Option<&'a str>,
    pub actor_arn: &'a str,
    /// AWS-style, e.g. `signin:ConsoleLogin`.
    pub action: &'a str,
    pub resource: Option<&'a str>,
    pub outcome: Outcome,
    pub reason: Option<&'a str>,
    /// A role session's source identity (`sts:SourceIdentity`), carried into every event.
    pub source_identity: Option<&'a str>,
}

pub async fn record(
    conn: &mut PgConnection,
    event: &Event<'_>,
    meta: &RequestMeta,
) -> Result<(), sqlx::Error> {
    record_with(conn, event, None, meta).await
}

/// `record` with the federated user behind the actor's role session, if any.
async fn record_with(
    conn: &mut PgConnection,
    event: &Event<'_>,
    federated_user: Option<&str>,
    meta: &RequestMeta,
) -> Result<(), sqlx::Error> {
    // User agents are attacker-chosen; keep the column bounded.
    let user_agent = meta.user_agent.as_deref().map(|ua| truncate(ua, 512));
    sqlx::query(
        "INSERT INTO audit_events
           (occurred_at, account_id, actor_arn, action, resource, source_ip, user_agent, outcome, reason,
            source_identity, federated_user)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(event.at)
    .bind(event.account_id)
    .bind(event.actor_arn)
    .bind(event.action)
    .bind(event.resource)
    .bind(meta.source_ip.as_deref())
    .bind(user_agent)
    .bind(event.outcome.as_str())
    .bind(event.reason)
    .bind(event.source_identity)
    .bind(federated_user.map(|f| truncate(f, 700)))
    .execute(&mut *conn)
    .await?;
    // A successful IAM change may change who may do what: the caches must hear of it.
    if event.outcome == Outcome::Success && event.action.starts_with("iam:") {
        crate::cache::notify_change(conn, event.account_id).await?;
    }
    Ok(())
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// Records what a signed-in identity did (the identity is the actor, in its own account).
#[allow(clippy::too_many_arguments)]
pub async fn record_by(
    conn: &mut PgConnection,
    identity: &crate::Identity,
    action: &str,
    resource: &str,
    outcome: Outcome,
    reason: Option<&str>,
    at: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), sqlx::Error> {
    let arn = identity.arn();
    let event = Event {
        at,
        account_id: Some(identity.account_id().as_str()),
        actor_arn: &arn,
        action,
        resource: Some(resource),
        outcome,
        reason,
        source_identity: identity.role_session().and_then(|s| s.source_identity.as_deref()),
    };
    let federated = identity.role_session().and_then(|s| s.federated_user());
    record_with(conn, &event, federated.as_deref(), meta).await
}

/// `record_by` for a success.
pub async fn success_by(
    conn: &mut PgConnection,
    identity: &crate::Identity,
    action: &str,
    resource: &str,
    at: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<(), sqlx::Error> {
    record_by(conn, identity, action, resource, Outcome::Success, None, at, meta).await
}

/// The operator's retention: deletes audit events older than `older_than_days` before `now`
/// (and throttling counters of the same age), then records that it did, with how many, as
/// an event of its own that is kept. The only way rows leave the append-only log.
pub async fn prune(
    pool: &sqlx::PgPool,
    older_than_days: u32,
    now: OffsetDateTime,
    meta: &RequestMeta,
) -> Result<u64, sqlx::Error> {
    let cutoff = now - time::Duration::days(i64::from(older_than_days));
    let mut tx = pool.begin().await?;
    // Seen by the table's trigger, for this transaction only.
    sqlx::query("SELECT set_config('iam.audit_prune', $1::timestamptz::text, true)")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    let deleted = sqlx::query("DELETE FROM audit_events WHERE occurred_at < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM throttled_attempts WHERE window_start < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT set_config('iam.audit_prune', '', true)")
        .execute(&mut *tx)
        .await?;
    let reason = format!("deleted {deleted} events older than {older_than_days} days (before {cutoff})");
    let event = Event {
        at: now,
        account_id: None,
        actor_arn: "operator",
        action: "audit:PruneEvents",
        resource: None,
        outcome: Outcome::Success,
        reason: Some(&reason),
        source_identity: None,
    };
    record(&mut tx, &event, meta).await?;
    tx.commit().await?;
    Ok(deleted)
}
