//! The router driven with `oneshot`: no socket, a real Postgres (each test its own database).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod edge;
mod guards;
mod mfa_flow;
mod pages;
mod sessions;
mod simulate_api;
mod sts_api;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use server::config::Config;
use sqlx::PgPool;
use tower::ServiceExt;

pub const PASSWORD: &str = "Correct-h0rse-battery";

/// A new, empty database on the server `DATABASE_URL` names, with a pool of its own. (Not
/// `#[sqlx::test]`: its pools share one parent across test runtimes, and requests here
/// sometimes waited forever on it.)
pub async fn fresh_pool() -> PgPool {
    use sqlx::{Connection, Executor};
    use std::str::FromStr;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names a Postgres for the tests");
    let name = format!("iam_it_{}", iam_service::ops::accounts::random_account_id());
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
    let options = sqlx::postgres::PgConnectOptions::from_str(&url)
        .unwrap()
        .database(&name);
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(5)
        .connect_with(options)
        .await
        .unwrap()
}

pub async fn router(pool: PgPool) -> Router {
    router_with(pool, true).await
}

pub async fn router_with(pool: PgPool, allow_signup: bool) -> Router {
    server::build_router(state(pool, allow_signup).await)
}

/// The server's state for `pool`, with a throwaway master key and a short lockout.
pub async fn state(pool: PgPool, allow_signup: bool) -> server::AppState {
    state_with(pool, allow_signup, &[]).await
}

/// `state` with more command-line settings.
pub async fn state_with(pool: PgPool, allow_signup: bool, more: &[&str]) -> server::AppState {
    let key = std::env::temp_dir().join(format!("iam-router-tests-{}.key", std::process::id()));
    let key = key.to_string_lossy().into_owned();
    let allow = allow_signup.to_string();
    let args = [
        "server",
        "--database-url",
        "postgres://unused",
        "--allow-signup",
        &allow,
        "--master-key-file",
        &key,
        "--lockout-max-failures",
        "3",
        "--lockout-wait-seconds",
        "60",
    ];
    let config = Config::parse_from(args.iter().chain(more));
    server::startup::prepare_with_pool(&config, pool).await.unwrap()
}

pub struct Sent {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Sent {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }

    /// `name=value` of the session cookie this response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("iam_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Sent {
    let response: Response<Body> = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        router.clone().oneshot(request),
    )
    .await
    .expect("the request finished within 30 s")
    .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    // A streamed page whose body never ends fails here, named, rather than hanging the run.
    let bytes = tokio::time::timeout(std::time::Duration::from_secs(30), response.into_body().collect())
        .await
        .expect("the response body ended within 30 s")
        .unwrap()
        .to_bytes();
    Sent {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).unwrap()
}

/// A form post as a browser without JavaScript sends it, from our own origin.
pub fn post_form(path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Request<Body> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", k, urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut builder = Request::post(path)
        .header(header::HOST, "console.test")
        .header(header::ORIGIN, "http://console.test")
        .header(header::ACCEPT, "text/html")
        .header(header::USER_AGENT, "router-tests/1.0")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    let mut request = builder.body(Body::from(body)).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((
            [198, 51, 100, 9],
            40000,
        ))));
    request
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs up through the server function and returns (session cookie, account ID).
pub async fn sign_up(router: &Router, email: &str) -> (String, String) {
    let form = [
        ("email", email),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("account_name", "Acme"),
    ];
    let sent = send(router, post_form("/api/sign_up", &form, None)).await;
    assert_eq!(
        sent.location(),
        Some("/"),
        "sign-up did not redirect: {} {}",
        sent.status,
        sent.body
    );
    let cookie = sent.session_cookie().expect("sign-up sets a session cookie");
    let page = send(router, get("/", Some(&cookie))).await;
    let id = extract_account_id(&page.body).expect("dashboard shows the account ID");
    (cookie, id)
}

pub fn extract_account_id(html: &str) -> Option<String> {
    let start = html.find("data-testid=\"account-id\">")? + "data-testid=\"account-id\">".len();
    Some(html[start..start + 12].to_owned())
}
