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
}

pub async fn record(
    conn: &mut PgConnection,
    event: &Event<'_>,
    meta: &RequestMeta,
) -> Result<(), sqlx::Error> {
    // User agents are attacker-chosen; keep the column bounded.
    let user_agent = meta.user_agent.as_deref().map(|ua| truncate(ua, 512));
    sqlx::query(
        "INSERT INTO audit_events
           (occurred_at, account_id, actor_arn, action, resource, source_ip, user_agent, outcome, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
    };
    record(conn, &event, meta).await
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
