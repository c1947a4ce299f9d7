use crate::*;

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    let form = [
        ("email", "ann@example.com"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("account_name", "Acme"),
    ];
    let sent = send(&router, post_form("/api/sign_up", &form, None)).await;
    let cookie = sent
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("iam_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id() {
    let pool = fresh_pool().await;
    let router = router(pool).await;
    let (before, _) = sign_up(&router, "ann@example.com").await;
    let form = [("email", "ann@example.com"), ("password", PASSWORD)];
    let sent = send(&router, post_form("/api/sign_in", &form, Some(&before))).await;
    assert_eq!(sent.location(), Some("/"), "{}", sent.body);
    let after = sent.session_cookie().expect("a new session cookie");
    assert_ne!(before, after);
    // The old ID is dead; the new one works.
    let old = send(&router, get("/", Some(&before))).await;
    assert_eq!(old.location(), Some("/signin"));
    let new = send(&router, get("/", Some(&after))).await;
    assert_eq!(new.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_credentials_get_one_message_and_no_session() {
    let pool = fresh_pool().await;
    let router = router(pool.clone()).await;
    sign_up(&router, "ann@example.com").await;
    let mut bodies = Vec::new();
    for (email, password) in [
        ("ann@example.com", "Wrong-pass-1"),
        ("nobody@example.com", PASSWORD),
    ] {
        let mut request = post_form("/api/sign_in", &[("email", email), ("password", password)], None);
        // As the hydrated page calls it: JSON back, not a redirect.
        request
            .headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let sent = send(&router, request).await;
        assert!(sent.session_cookie().is_none(), "{email}");
        bodies.push(sent.body);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert!(bodies[0].contains("InvalidCredentials"), "{}", bodies[0]);

    let (ip, agent): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT source_ip, user_agent FROM audit_events WHERE action = 'signin:ConsoleLogin' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(ip.as_deref(), Some("198.51.100.9"));
    assert_eq!(agent.as_deref(), Some("router-tests/1.0"));
}

#[tokio::test]
async fn signing_out_ends_the_session_and_is_recorded() {
    let pool = fresh_pool().await;
    let router = router(pool.clone()).await;
    let (cookie, id) = sign_up(&router, "ann@example.com").await;
    let sent = send(&router, post_form("/api/sign_out", &[], Some(&cookie))).await;
    assert_eq!(sent.location(), Some("/signin"));
    let after = send(&router, get("/", Some(&cookie))).await;
    assert_eq!(after.location(), Some("/signin"));
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE account_id = $1 ORDER BY id")
            .bind(&id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(actions, ["signup:CreateAccount", "signin:ConsoleLogout"]);
}
