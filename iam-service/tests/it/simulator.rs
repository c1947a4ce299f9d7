//! The policy simulator is bounded: one call evaluates one page of the action x resource
//! pairs, markers walk every pair exactly once, and over-limit inputs are refused.

use crate::*;
use iam_core::policy::Outcome;
use iam_service::ops::simulate::{simulate, Paging, Scenario, SimulationPage, Subject};
use iam_service::{Identity, ServiceError};

const S3_READER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b1*"}]}"#;

async fn root_of(pool: &PgPool) -> Identity {
    let account = signed_up(pool, "sim@example.com").await;
    Identity::Root {
        account_id: account.account_id,
    }
}

fn scenario(actions: usize, resources: usize) -> Scenario {
    Scenario {
        actions: (0..actions).map(|i| format!("s3:GetObject{i}")).collect(),
        resources: (0..resources).map(|i| format!("arn:aws:s3:::b{i}")).collect(),
        context: Vec::new(),
    }
}

fn page(marker: Option<String>, max_items: usize) -> Paging {
    Paging { marker, max_items }
}

async fn run(
    pool: &PgPool,
    root: &Identity,
    scenario: &Scenario,
    paging: Paging,
) -> Result<SimulationPage, ServiceError> {
    let m = meta();
    let subject = Subject::Custom(vec![S3_READER.into()]);
    simulate(pool, &caller(root, &m), &subject, scenario, &paging).await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_thousand_actions_by_a_thousand_resources_answer_with_the_first_page(pool: PgPool) {
    let root = root_of(&pool).await;
    let big = scenario(1000, 1000);
    let first = run(&pool, &root, &big, Paging::default()).await.unwrap();
    assert_eq!(
        (first.start, first.total, first.results.len()),
        (0, 1_000_000, 100)
    );
    assert_eq!(
        (
            first.results[99].action.as_str(),
            first.results[99].resource.as_str()
        ),
        ("s3:GetObject0", "arn:aws:s3:::b99")
    );
    // b1, b10..b19 match `b1*`: allowed; b0 and b2 are not.
    let allowed: Vec<bool> = first.results[..3]
        .iter()
        .map(|e| e.decision == Outcome::Allowed)
        .collect();
    assert_eq!(allowed, [false, true, false]);
    let second = run(&pool, &root, &big, page(first.marker, 1000)).await.unwrap();
    assert_eq!((second.start, second.results.len()), (100, 1000));
    assert_eq!(
        (
            second.results[999].action.as_str(),
            second.results[999].resource.as_str()
        ),
        ("s3:GetObject1", "arn:aws:s3:::b99")
    );
    assert!(second.marker.is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn markers_walk_every_pair_exactly_once(pool: PgPool) {
    let root = root_of(&pool).await;
    let small = scenario(7, 3);
    let (mut seen, mut sizes, mut marker) = (Vec::new(), Vec::new(), None);
    loop {
        let got = run(&pool, &root, &small, page(marker, 5)).await.unwrap();
        assert_eq!((got.start, got.total), (seen.len(), 21));
        sizes.push(got.results.len());
        seen.extend(got.results.into_iter().map(|e| (e.action, e.resource)));
        marker = got.marker;
        if marker.is_none() {
            break;
        }
    }
    let every: Vec<(String, String)> = small
        .actions
        .iter()
        .flat_map(|a| small.resources.iter().map(move |r| (a.clone(), r.clone())))
        .collect();
    assert_eq!(sizes, [5, 5, 5, 5, 1]);
    assert_eq!(seen, every);
}

#[sqlx::test(migrations = "../migrations")]
async fn over_limit_inputs_and_foreign_markers_are_refused_and_change_nothing(pool: PgPool) {
    let root = root_of(&pool).await;
    let events = count(&pool, "audit_events").await;
    let field_of = |result: Result<SimulationPage, ServiceError>| match result {
        Err(ServiceError::Invalid(errors)) => errors[0].field.clone(),
        other => panic!("expected a validation error, got {other:?}"),
    };
    let too_many_actions = run(&pool, &root, &scenario(1001, 1), Paging::default()).await;
    assert_eq!(field_of(too_many_actions), "actionNames");
    let too_many_resources = run(&pool, &root, &scenario(1, 1001), Paging::default()).await;
    assert_eq!(field_of(too_many_resources), "resourceArns");
    let mut long = scenario(1, 1);
    long.resources[0] = format!("arn:aws:s3:::{}", "b".repeat(2048));
    assert_eq!(
        field_of(run(&pool, &root, &long, Paging::default()).await),
        "resourceArns"
    );

    let small = scenario(7, 3);
    let marker = run(&pool, &root, &small, page(None, 5))
        .await
        .unwrap()
        .marker
        .unwrap();
    let other = scenario(7, 4);
    let foreign = run(&pool, &root, &other, page(Some(marker.clone()), 5)).await;
    assert_eq!(field_of(foreign), "marker");
    for bad in ["", "garbage", &marker[..20], &marker.to_uppercase()] {
        let refused = run(&pool, &root, &small, page(Some(bad.into()), 5)).await;
        assert_eq!(field_of(refused), "marker", "{bad}");
    }
    assert_eq!(count(&pool, "audit_events").await, events);
}

/// Large policies shorten the page (each explanation covers every statement), and the marker
/// goes on from where it stopped; more statements than a simulation takes are refused.
#[sqlx::test(migrations = "../migrations")]
async fn large_policies_shorten_the_page_and_too_many_statements_are_refused(pool: PgPool) {
    let root = root_of(&pool).await;
    let m = meta();
    let statement = r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::n"}"#;
    let policy = |n: usize| {
        let body = vec![statement; n].join(",");
        format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#)
    };
    // 10 policies of 90 statements: 900 in all, 22 pairs a page (20,000 / 900).
    let big = Subject::Custom((0..10).map(|_| policy(90)).collect());
    let wide = scenario(10, 10);
    let first = simulate(&pool, &caller(&root, &m), &big, &wide, &page(None, 1000))
        .await
        .unwrap();
    assert_eq!((first.start, first.results.len()), (0, 22));
    let second = simulate(&pool, &caller(&root, &m), &big, &wide, &page(first.marker, 1000))
        .await
        .unwrap();
    assert_eq!((second.start, second.results.len()), (22, 22));
    let too_many = Subject::Custom((0..12).map(|_| policy(90)).collect());
    let refused = simulate(&pool, &caller(&root, &m), &too_many, &wide, &Paging::default()).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e[0].message.contains("`1080` statements")),
        "{refused:?}"
    );
}
