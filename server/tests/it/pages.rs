use crate::*;

#[tokio::test]
async fn a_new_console_opens_on_sign_up() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    for path in ["/", "/signin", "/anything"] {
        let sent = send(&router, get(path, None)).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(sent.location(), Some("/signup"), "{path}");
    }
    let page = send(&router, get("/signup", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Root user email address"), "{}", page.body);
    assert!(page.body.contains("No account exists yet"));
}

#[tokio::test]
async fn the_dashboard_shows_the_account_and_its_sign_in_link() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    let (cookie, id) = sign_up(&router, "ann@example.com").await;
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");
    let page = send(&router, get("/", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("http://127.0.0.1:3000/signin/{id}")),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Global<"));
    assert!(
        page.body.contains("class=\"identity-principal\">root</span>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn once_an_account_exists_strangers_are_sent_to_sign_in() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    sign_up(&router, "ann@example.com").await;
    let sent = send(&router, get("/", None)).await;
    assert_eq!(
        (sent.status, sent.location()),
        (StatusCode::SEE_OTHER, Some("/signin"))
    );
    let page = send(&router, get("/signin", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Root user email address"));
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let pool = fresh_pool().await;
    let mut state = state(pool, true).await;
    let sent = send(&server::build_router(state.clone()), get("/healthz", None)).await;
    assert_eq!((sent.status, sent.body.as_str()), (StatusCode::OK, "ok"));
    // A database that does not answer (nothing listens on port 1). The test's own pool is
    // left alone: it shares its connection budget with the other tests.
    state.ctx.pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(2))
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .unwrap();
    let sent = send(&server::build_router(state), get("/healthz", None)).await;
    assert_eq!(sent.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn closed_sign_up_admits_only_the_first_account() {
    let pool = fresh_pool().await;
    let router = router_with(pool.clone(), false).await;
    let page = send(&router, get("/signup", None)).await;
    assert!(page.body.contains("No account exists yet"), "{}", page.body);
    sign_up(&router, "ann@example.com").await;

    let page = send(&router, get("/signup", None)).await;
    assert!(page.body.contains("Sign-up is turned off"), "{}", page.body);
    let form = [
        ("email", "bob@example.com"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("account_name", "B"),
    ];
    let mut request = post_form("/api/sign_up", &form, None);
    request
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    let sent = send(&router, request).await;
    assert!(sent.body.contains("SignUpClosed"), "{}", sent.body);
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(accounts, 1);
}
