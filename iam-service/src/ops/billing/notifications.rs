//! Alert notifications and the queue of their emails.

use super::*;

/// The account's alert notifications, newest first (`budgets:ViewBudget`).
pub async fn list_notifications(
    pool: &PgPool,
    caller: &Caller<'_>,
) -> Result<Vec<NotificationInfo>, ServiceError> {
    let account = caller.account();
    let mut conn = pool.acquire().await?;
    authorize(&mut conn, caller, "budgets:ViewBudget", &budget_arn(account, "*")).await?;
    type Row = (
        i64,
        String,
        OffsetDateTime,
        String,
        String,
        Vec<String>,
        String,
        i32,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, budget_name, created_at, subject, body, recipients, delivery, attempts, last_error
           FROM notifications WHERE account_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, budget_name, created, subject, body, recipients, delivery, attempts, last_error)| {
                NotificationInfo {
                    id,
                    budget_name,
                    created_at: created.unix_timestamp(),
                    subject,
                    body,
                    recipients,
                    delivery,
                    attempts,
                    last_error,
                }
            },
        )
        .collect())
}

/// An alert email to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

/// How long a claimed email is reserved for one sender: if that process dies mid-send,
/// another takes it over after this.
pub(super) const LEASE_SECONDS: i64 = 300;

/// Claims emails that are due, at most `limit`: each is reserved for this sender (several
/// server processes never send one email twice while they live).
pub async fn claim_outgoing(
    pool: &PgPool,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<Outgoing>, ServiceError> {
    type Row = (i64, Vec<String>, String, String, i32);
    let rows: Vec<Row> = sqlx::query_as(
        "UPDATE notifications SET next_attempt = $1 + make_interval(secs => $3)
          WHERE id IN (SELECT id FROM notifications
                        WHERE delivery = 'pending' AND next_attempt <= $1
                        ORDER BY next_attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING id, recipients, subject, body, attempts",
    )
    .bind(now)
    .bind(limit)
    .bind(LEASE_SECONDS as f64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, recipients, subject, body, attempts)| Outgoing {
            id,
            recipients,
            subject,
            body,
            attempts,
        })
        .collect())
}

/// Records a send: sent, or failed and retried later with backoff, or given up.
pub async fn record_delivery(
    pool: &PgPool,
    id: i64,
    outcome: Result<(), String>,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    match outcome {
        Ok(()) => {
            sqlx::query(
                "UPDATE notifications SET delivery = 'sent', attempts = attempts + 1, next_attempt = NULL, last_error = NULL
                  WHERE id = $1",
            )
            .bind(id)
            .execute(pool)
            .await?;
        }
        Err(error) => {
            let attempts: i32 = sqlx::query_scalar("SELECT attempts + 1 FROM notifications WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?;
            let retry = iam_core::billing::delivery::retry_delay(attempts);
            sqlx::query(
                "UPDATE notifications SET attempts = $2, last_error = $3,
                        delivery = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END,
                        next_attempt = $5 + make_interval(secs => coalesce($4, 0))
                  WHERE id = $1",
            )
            .bind(id)
            .bind(attempts)
            .bind(error.chars().take(500).collect::<String>())
            .bind(retry.map(|s| s as f64))
            .bind(now)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
