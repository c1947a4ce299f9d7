//! Billing: the IAM access gate, all-or-nothing imports, and alerts that fire once per
//! budget period even when several evaluations race.

use crate::*;
use iam_core::billing::budget::monthly_cost;
use iam_core::billing::{Day, Micros};
use iam_service::ops::attachments::{attach, Entity};
use iam_service::ops::billing::{
    create_budget, dashboard, evaluate_account, import_costs, list_notifications, set_iam_billing_access,
    update_budget,
};
use iam_service::ops::users::create_user;
use iam_service::{Identity, ServiceError};

const HEADER: &str = "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n";

fn csv(day: &str, lines: &[(&str, &str)]) -> String {
    let mut text = HEADER.to_owned();
    for (service, cost) in lines {
        text += &format!("{day}T00:00:00Z,{service},{cost}\n");
    }
    text
}

#[sqlx::test(migrations = "../migrations")]
async fn iam_users_need_the_account_setting_and_a_policy(pool: PgPool) {
    let account = signed_up(&pool, "bill@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let as_root = caller(&root, &m);
    let biller = create_user(&pool, &hasher(), &as_root, user("biller"))
        .await
        .unwrap();
    let plain = create_user(&pool, &hasher(), &as_root, user("plain"))
        .await
        .unwrap();
    attach(
        &pool,
        &as_root,
        &Entity::User("biller".into()),
        "arn:aws:iam::aws:policy/job-function/Billing",
    )
    .await
    .unwrap();
    let refused = dashboard(&pool, &caller(&biller, &m)).await;
    assert!(
        matches!(&refused, Err(ServiceError::AccessDenied(msg)) if msg.contains("IAM user and role access to Billing information is not activated")),
        "{refused:?}"
    );
    assert!(matches!(
        set_iam_billing_access(&pool, &caller(&biller, &m), true).await,
        Err(ServiceError::AccessDenied(_))
    ));
    set_iam_billing_access(&pool, &as_root, true).await.unwrap();
    assert!(dashboard(&pool, &caller(&biller, &m)).await.is_ok());
    let engine = dashboard(&pool, &caller(&plain, &m)).await;
    assert!(
        matches!(&engine, Err(ServiceError::AccessDenied(msg)) if msg.contains("aws-portal:ViewBilling")),
        "without a billing policy the engine refuses: {engine:?}"
    );
}

/// Eight evaluations of the account at once; how many notifications they made in all.
async fn evaluate_racing(pool: &PgPool, account: &str) -> usize {
    let mut runs = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (pool, account) = (pool.clone(), account.to_owned());
        runs.spawn(async move { evaluate_account(&pool, &account, now()).await.unwrap() });
    }
    let mut made = 0;
    while let Some(n) = runs.join_next().await {
        made += n.unwrap();
    }
    made
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bad_line_imports_nothing_and_alerts_fire_once_per_period(pool: PgPool) {
    let account = signed_up(&pool, "alerts@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let as_root = caller(&root, &m);
    let today = Day::from_unix(now().unix_timestamp());
    let day = today.iso();
    create_budget(
        &pool,
        &as_root,
        &monthly_cost(
            "Monthly",
            Micros(100_000_000),
            today.month_start(),
            vec!["ops@example.com".into()],
        ),
    )
    .await
    .unwrap();

    let bad = import_costs(
        &pool,
        &as_root,
        &csv(&day, &[("AmazonEC2", "60"), ("AmazonS3", "lots")]),
    )
    .await;
    match bad {
        Err(ServiceError::Invalid(errors)) => {
            assert_eq!(
                errors[0].message,
                "line 3, column `lineItem/UnblendedCost`: `lots` is not an amount like 12.34"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        dashboard(&pool, &as_root).await.unwrap().month_to_date,
        Micros::ZERO
    );

    let summary = import_costs(
        &pool,
        &as_root,
        &csv(&day, &[("AmazonEC2", "60"), ("AmazonS3", "30")]),
    )
    .await
    .unwrap();
    assert_eq!(summary.total, Micros(90_000_000));
    let fired = list_notifications(&pool, &as_root).await.unwrap();
    assert!(
        fired.iter().any(|n| n.body.contains("Actual cost above 85%")),
        "{fired:?}"
    );
    let before = fired.len();

    // Several evaluations at once (as several server processes would): nothing fires twice.
    let made = evaluate_racing(&pool, account.account_id.as_str()).await;
    assert_eq!(made, 0);
    // The 100 % alert fires once spend passes it, concurrently or not.
    sqlx::query("UPDATE cost_daily SET amount = amount * 2 WHERE account_id = $1")
        .bind(account.account_id.as_str())
        .execute(&pool)
        .await
        .unwrap();
    let made = evaluate_racing(&pool, account.account_id.as_str()).await;
    let after = list_notifications(&pool, &as_root).await.unwrap();
    assert_eq!(after.len(), before + made);
    assert_eq!(
        after
            .iter()
            .filter(|n| n.body.contains("Actual cost above 100%"))
            .count(),
        1,
        "{after:?}"
    );

    // Editing keeps the record of unchanged alerts; a changed alert may fire again.
    let mut spec = monthly_cost(
        "Monthly",
        Micros(100_000_000),
        today.month_start(),
        vec!["ops@example.com".into()],
    );
    spec.alerts[2].recipients = vec!["lead@example.com".into()];
    update_budget(&pool, &as_root, &spec).await.unwrap();
    let edited = list_notifications(&pool, &as_root).await.unwrap();
    assert_eq!(
        edited.len(),
        after.len() + 1,
        "only the changed forecast alert fires again"
    );
    assert_eq!(edited[0].recipients, ["lead@example.com"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn alert_emails_are_claimed_once_retried_with_backoff_then_given_up(pool: PgPool) {
    use iam_service::ops::billing::{claim_outgoing, record_delivery};
    let account = signed_up(&pool, "mail@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let as_root = caller(&root, &m);
    let today = Day::from_unix(now().unix_timestamp());
    create_budget(
        &pool,
        &as_root,
        &iam_core::billing::budget::zero_spend("Zero", today.month_start(), vec!["ops@example.com".into()]),
    )
    .await
    .unwrap();
    import_costs(&pool, &as_root, &csv(&today.iso(), &[("AWSLambda", "0.42")]))
        .await
        .unwrap();
    let first = claim_outgoing(&pool, now(), 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].recipients, ["ops@example.com"]);
    assert!(
        claim_outgoing(&pool, now(), 10).await.unwrap().is_empty(),
        "claimed once"
    );

    let mut at = now();
    for attempt in 1..=6 {
        record_delivery(&pool, first[0].id, Err("relay refused".into()), at)
            .await
            .unwrap();
        let list = list_notifications(&pool, &as_root).await.unwrap();
        if attempt < 6 {
            assert_eq!(list[0].delivery, "pending");
            assert!(
                claim_outgoing(&pool, at, 10).await.unwrap().is_empty(),
                "not before the backoff"
            );
            at += time::Duration::seconds(iam_core::billing::delivery::retry_delay(attempt).unwrap());
            assert_eq!(
                claim_outgoing(&pool, at, 10).await.unwrap().len(),
                1,
                "attempt {attempt}"
            );
        } else {
            assert_eq!(list[0].delivery, "failed");
            assert_eq!(list[0].attempts, 6);
            assert_eq!(list[0].last_error.as_deref(), Some("relay refused"));
        }
    }
    assert!(claim_outgoing(&pool, at + time::Duration::days(1), 10)
        .await
        .unwrap()
        .is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn usage_budgets_count_their_usage_type_only(pool: PgPool) {
    use iam_core::billing::budget::BudgetKind;
    let account = signed_up(&pool, "usage@example.com").await;
    let root = Identity::Root {
        account_id: account.account_id.clone(),
    };
    let m = meta();
    let as_root = caller(&root, &m);
    let today = Day::from_unix(now().unix_timestamp());
    let mut spec = monthly_cost("Hours", Micros(100_000_000), today.month_start(), vec![]);
    spec.kind = BudgetKind::Usage {
        usage_type: "BoxUsage:t3.micro".into(),
    };
    create_budget(&pool, &as_root, &spec).await.unwrap();
    let day = today.iso();
    let report = format!(
        "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/UsageType,lineItem/UsageAmount\n\
         {day}T00:00:00Z,AmazonEC2,1.04,BoxUsage:t3.micro,90\n\
         {day}T00:00:00Z,AmazonEC2,500,BoxUsage:m5.large,5000\n"
    );
    import_costs(&pool, &as_root, &report).await.unwrap();
    let detail = iam_service::ops::billing::get_budget(&pool, &as_root, "Hours")
        .await
        .unwrap();
    assert_eq!(
        detail.status.actual,
        Micros(90_000_000),
        "only t3.micro hours count"
    );
    let fired = list_notifications(&pool, &as_root).await.unwrap();
    assert!(
        fired
            .iter()
            .any(|n| n.body.contains("Actual usage above 85%") && n.body.contains("90 BoxUsage:t3.micro")),
        "{fired:?}"
    );
}
