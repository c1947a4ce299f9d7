use crate::*;
use iam_service::ops::signin::record_sign_out;

#[derive(Debug, sqlx::FromRow, PartialEq)]
struct Row {
    account_id: Option<String>,
    actor_arn: String,
    action: String,
    outcome: String,
    reason: Option<String>,
    source_ip: Option<String>,
    user_agent: Option<String>,
}

async fn events(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as(
        "SELECT account_id, actor_arn, action, outcome, reason, source_ip, user_agent
           FROM audit_events ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_up_sign_in_and_sign_out_are_recorded(pool: PgPool) {
    let account = signed_up(&pool, "ann@example.com").await;
    let id = account.account_id.to_string();
    let arn = format!("arn:aws:iam::{id}:root");
    let identity = signed_in(sign_in(&pool, "ann@example.com", PASSWORD).await);
    let _ = sign_in(&pool, "ann@example.com", "nope").await;
    let _ = sign_in(&pool, "eve@example.com", "nope").await;
    record_sign_out(&pool, &identity, now(), &meta()).await.unwrap();

    let row = |account: Option<&str>, actor: &str, action: &str, outcome: &str, reason: Option<&str>| Row {
        account_id: account.map(Into::into),
        actor_arn: actor.into(),
        action: action.into(),
        outcome: outcome.into(),
        reason: reason.map(Into::into),
        source_ip: Some("192.0.2.7".into()),
        user_agent: Some("it-tests/1.0".into()),
    };
    assert_eq!(
        events(&pool).await,
        vec![
            row(Some(&id), &arn, "signup:CreateAccount", "success", None),
            row(Some(&id), &arn, "signin:ConsoleLogin", "success", None),
            row(
                Some(&id),
                &arn,
                "signin:ConsoleLogin",
                "failure",
                Some("wrong password")
            ),
            row(
                None,
                "HIDDEN_DUE_TO_SECURITY_REASONS",
                "signin:ConsoleLogin",
                "failure",
                Some("no root user with this email address")
            ),
            row(Some(&id), &arn, "signin:ConsoleLogout", "success", None),
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_log_is_append_only(pool: PgPool) {
    signed_up(&pool, "ann@example.com").await;
    for statement in [
        "UPDATE audit_events SET outcome = 'failure'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let err = sqlx::query(statement).execute(&pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{statement}: {err}");
    }
    assert_eq!(count(&pool, "audit_events").await, 1);
}
