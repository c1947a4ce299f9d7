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

/// The bundles a page's HTML loads.
fn bundles_loaded(html: &str) -> Vec<&'static str> {
    [
        "iam-signin",
        "iam-dashboard",
        "iam-people",
        "iam-access",
        "iam-policies",
        "iam-billing",
        "iam-console",
    ]
    .into_iter()
    .filter(|name| html.contains(&format!("/pkg/{name}.js")))
    .collect()
}

#[tokio::test]
async fn each_page_loads_the_smallest_bundle_that_has_it() {
    let site = std::env::temp_dir().join(format!("iam-site-{}", std::process::id()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    for name in [
        "iam-signin",
        "iam-dashboard",
        "iam-people",
        "iam-policies",
        "iam-console",
    ] {
        std::fs::write(site.join("pkg").join(format!("{name}.wasm")), b"").unwrap();
    }
    let pool = fresh_pool().await;
    let site_root = site.to_string_lossy().into_owned();
    let router = server::build_router(state_with(pool, true, &["--site-root", &site_root]).await);
    let (cookie, id) = sign_up(&router, "ann@example.com").await;
    let signin_link = format!("/signin/{id}");
    for (path, bundle) in [
        ("/signin", "iam-signin"),
        (signin_link.as_str(), "iam-signin"),
        ("/", "iam-dashboard"),
        ("/users", "iam-people"),
        ("/policies/create", "iam-policies"),
        // Its area's bundle was not built: the console's serves it.
        ("/roles", "iam-console"),
    ] {
        // The sign-in pages send a signed-in visitor on to the console.
        let signed_in = (bundle != "iam-signin").then_some(cookie.as_str());
        let page = send(&router, get(path, signed_in)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(bundles_loaded(&page.body), [bundle], "{path}");
    }
    std::fs::remove_dir_all(&site).unwrap();
}

#[tokio::test]
async fn a_site_with_only_the_console_bundle_serves_every_page_with_it() {
    let site = std::env::temp_dir().join(format!("iam-site-console-only-{}", std::process::id()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/iam-console.wasm"), b"").unwrap();
    let pool = fresh_pool().await;
    let site_root = site.to_string_lossy().into_owned();
    let router = server::build_router(state_with(pool, true, &["--site-root", &site_root]).await);
    let (cookie, _) = sign_up(&router, "ann@example.com").await;
    for (path, signed_in) in [
        ("/signin", None),
        ("/", Some(cookie.as_str())),
        ("/users", Some(cookie.as_str())),
    ] {
        let page = send(&router, get(path, signed_in)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(bundles_loaded(&page.body), ["iam-console"], "{path}");
    }
    std::fs::remove_dir_all(&site).unwrap();
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    sign_up(&router, "ann@example.com").await;
    let mut request = get("/signin", None);
    request
        .headers_mut()
        .insert(header::ACCEPT_ENCODING, "br, gzip".parse().unwrap());
    let page = send(&router, request).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CONTENT_ENCODING], "br");
    assert!(!page.body.contains("Root user email address"));
    let plain = send(&router, get("/signin", None)).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.body.contains("Root user email address"));
}
