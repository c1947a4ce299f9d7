//! Budget alert emails: a worker that sends queued notifications through the configured SMTP
//! relay, and records each outcome (failures are retried with backoff, then given up).

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;

/// How often the worker looks for due emails.
const POLL: Duration = Duration::from_secs(2);

/// Runs for as long as the process does.
pub async fn deliver_forever(pool: PgPool, relay: String, from: String) {
    let (host, port) = match relay.rsplit_once(':') {
        Some((h, p)) => (h.to_owned(), p.parse::<u16>().unwrap_or(25)),
        None => (relay.clone(), 25),
    };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let from: Mailbox = match from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("IAM_SMTP_FROM `{from}` is not an address ({e}); no alert emails will be sent");
            return;
        }
    };
    loop {
        let now = time::OffsetDateTime::now_utc();
        match iam_service::ops::billing::claim_outgoing(&pool, now, 20).await {
            Ok(batch) => {
                for email in batch {
                    let outcome = send(&transport, &from, &email).await;
                    if let Err(e) = &outcome {
                        tracing::warn!(notification = email.id, "alert email not sent: {e}");
                    }
                    let recorded = iam_service::ops::billing::record_delivery(
                        &pool,
                        email.id,
                        outcome,
                        time::OffsetDateTime::now_utc(),
                    )
                    .await;
                    if let Err(e) = recorded {
                        tracing::warn!(notification = email.id, "delivery not recorded: {e}");
                    }
                }
            }
            Err(e) => tracing::warn!("cannot read queued alert emails: {e}"),
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    email: &iam_service::ops::billing::Outgoing,
) -> Result<(), String> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(email.subject.clone());
    for recipient in &email.recipients {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| format!("recipient `{recipient}`: {e}"))?;
        builder = builder.to(to);
    }
    let message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| format!("message: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP: {e}"))
}
