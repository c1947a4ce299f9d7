use crate::*;

#[tokio::test]
async fn cross_site_writes_are_refused_and_change_nothing() {
    let pool = fresh_pool().await;
    let router = router(pool.clone()).await;
    let form = [
        ("email", "ann@example.com"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("account_name", "Acme"),
    ];
    let mut request = post_form("/api/sign_up", &form, None);
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    let sent = send(&router, request).await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN);
    assert!(sent.body.contains("CrossSite"), "{}", sent.body);

    let mut request = post_form("/api/sign_up", &form, None);
    request.headers_mut().remove(header::ORIGIN);
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&router, request).await.status, StatusCode::FORBIDDEN);

    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(accounts, 0);
}

#[tokio::test]
async fn bad_sign_up_input_is_explained_and_writes_nothing() {
    let pool = fresh_pool().await;
    let router = router(pool.clone()).await;
    let form = [
        ("email", "ann"),
        ("password", "short"),
        ("password_confirm", "short"),
        ("account_name", ""),
    ];
    let mut request = post_form("/api/sign_up", &form, None);
    request
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    let sent = send(&router, request).await;
    assert!(sent.body.contains("Invalid"), "{}", sent.body);
    assert!(
        sent.body.contains("`ann` is not an email address"),
        "{}",
        sent.body
    );
    assert!(sent.body.contains("enter an account name"), "{}", sent.body);
    let writes: i64 =
        sqlx::query_scalar("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM audit_events)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(writes, 0);
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    let sent = send(&router, get("/signup", None)).await;
    assert_eq!(sent.headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(sent.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert!(sent
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
}
