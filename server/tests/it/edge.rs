//! The outermost layer: the client's address and scheme only from trusted proxies, HSTS over
//! https, a slow client cut off, the source address in the audit log.

use crate::*;
use axum::body::Bytes;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

fn forwarded(path: &str, peer: &str) -> Request<Body> {
    let request = Request::get(path)
        .header("x-forwarded-for", "203.0.113.77")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    from_peer(request, peer)
}

#[tokio::test]
async fn only_a_trusted_proxy_says_https_and_names_the_client() {
    let pool = fresh_pool().await;
    let state = state_with(pool.clone(), true, &["--trusted-proxies", "127.0.0.1,10.0.0.0/8"]).await;
    let router = server::build_router(state);
    let trusted = send(&router, forwarded("/healthz", "10.1.2.3")).await;
    assert!(trusted.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
    let untrusted = send(&router, forwarded("/healthz", "198.51.100.1")).await;
    assert!(!untrusted.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
    // A sign-in attempt through the proxy is recorded under the client's address; one sent
    // straight from elsewhere with the same header under the sender's own.
    for peer in ["10.1.2.3", "198.51.100.1"] {
        let form = [("email", "nobody@example.com"), ("password", "Wrong-pass-1")];
        let mut request = post_form("/api/sign_in", &form, None);
        request
            .headers_mut()
            .insert("x-forwarded-for", "203.0.113.77".parse().unwrap());
        send(&router, from_peer(request, peer)).await;
    }
    let sources: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT source_ip FROM audit_events WHERE action = 'signin:ConsoleLogin' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        sources,
        [Some("203.0.113.77".to_owned()), Some("198.51.100.1".to_owned())]
    );
}

/// A request body that never arrives, as from a client that stalls.
struct Stalled;

impl axum::body::HttpBody for Stalled {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn a_stalled_request_is_cut_off() {
    let pool = fresh_pool().await;
    let state = state_with(pool, true, &["--request-timeout-seconds", "1"]).await;
    let router = server::build_router(state);
    let request = Request::post("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::new(Stalled))
        .unwrap();
    let answer = send(&router, from_peer(request, "198.51.100.1")).await;
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
}

/// `UpdateAccountPasswordPolicy` has no parameter for our "refuse easily guessed passwords":
/// it keeps what the console set instead of turning it back on.
#[tokio::test]
async fn the_api_keeps_the_guessable_password_setting() {
    use iam_core::credentials::password::PasswordPolicy;
    let pool = fresh_pool().await;
    let state = state(pool.clone(), true).await;
    let router = server::build_router(state.clone());
    let meta = iam_service::RequestMeta::default();
    let (account, key_id, secret) = crate::api::root_key(&pool, &state, "policy@example.com").await;
    let root = iam_service::Identity::Root {
        account_id: account.account_id.clone(),
    };
    let now = time::OffsetDateTime::now_utc();
    let relaxed = PasswordPolicy {
        refuse_guessable: false,
        ..PasswordPolicy::default()
    };
    iam_service::ops::passwords::set_policy(&pool, &root, &relaxed, now, &meta)
        .await
        .unwrap();
    let form = "Action=UpdateAccountPasswordPolicy&Version=2010-05-08&MinimumPasswordLength=12";
    let sent = send(&router, crate::api::signed_post(&key_id, &secret, form, now)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let stored = iam_service::ops::passwords::get_policy(&pool, &account.account_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.minimum_length, 12);
    assert!(!stored.refuse_guessable, "the console's setting was kept");
}
