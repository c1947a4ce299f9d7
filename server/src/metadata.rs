//! A workload credential endpoint compatible with the EC2 instance metadata service (IMDSv2),
//! on its own listen address (`IAM_METADATA_LISTEN`): `PUT /latest/api/token`, then
//! `/latest/meta-data/iam/security-credentials/` and `.../ROLE` with the JSON the AWS SDKs
//! read. A workload is known by its address, registered by an operator to an instance
//! profile (`server workload register`); it receives rotating role credentials.

use crate::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use iam_service::ops::sts::token::Issued;
use iam_service::ops::sts::workload::{self, Workload};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// Issued credentials are handed out again until this long before they expire, then renewed:
/// an SDK that polls does not mint a session (and an audit event) per request.
const RENEW_BEFORE_SECONDS: i64 = 15 * 60;

#[derive(Clone)]
struct Endpoint {
    state: AppState,
    issued: Arc<Mutex<HashMap<(IpAddr, String), Issued>>>,
}

pub fn router(state: AppState) -> Router {
    // The console's edge limits hold here too: requests in flight, per address, and time.
    let edge = axum::middleware::from_fn_with_state(state.clone(), crate::edge::guard);
    let endpoint = Endpoint {
        state,
        issued: Arc::default(),
    };
    Router::new()
        .route("/latest/api/token", put(token))
        .route("/latest/meta-data/iam/security-credentials/", get(role_name))
        .route(
            "/latest/meta-data/iam/security-credentials/{role}",
            get(credentials),
        )
        .with_state(endpoint)
        .layer(edge)
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}

/// `PUT /latest/api/token`: a session token for this address. As AWS's, a request that went
/// through a proxy (X-Forwarded-For) is refused: the token must not leave the workload.
async fn token(
    State(endpoint): State<Endpoint>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if headers.contains_key("x-forwarded-for") {
        return text(StatusCode::FORBIDDEN, "Forbidden");
    }
    let ttl = headers
        .get("x-aws-ec2-metadata-token-ttl-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|t| (1..=21_600).contains(t));
    let Some(ttl) = ttl else {
        return text(StatusCode::BAD_REQUEST, "Bad Request");
    };
    let now = endpoint.state.now();
    match workload::metadata_token(&endpoint.state.ctx.secrets, peer.ip(), ttl, now) {
        Ok(token) => ([("x-aws-ec2-metadata-token-ttl-seconds", ttl.to_string())], token).into_response(),
        Err(e) => {
            tracing::error!("metadata token: {e}");
            text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// The registered workload behind a request with a valid token, or the answer to send.
async fn workload_of(endpoint: &Endpoint, peer: IpAddr, headers: &HeaderMap) -> Result<Workload, Response> {
    let token = headers
        .get("x-aws-ec2-metadata-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = endpoint.state.now();
    if !workload::metadata_token_valid(&endpoint.state.ctx.secrets, token, peer, now) {
        return Err(text(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    match workload::at(&endpoint.state.ctx.pool, peer).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(text(StatusCode::NOT_FOUND, "Not Found")),
        Err(e) => {
            tracing::error!("metadata: {e}");
            Err(text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"))
        }
    }
}

/// `GET .../security-credentials/`: the name of the workload's role.
async fn role_name(
    State(endpoint): State<Endpoint>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let found = match workload_of(&endpoint, peer.ip(), &headers).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match workload::role_name(&endpoint.state.ctx.pool, &found).await {
        Ok(Some(role)) => text(StatusCode::OK, role),
        Ok(None) => text(StatusCode::NOT_FOUND, "Not Found"),
        Err(e) => {
            tracing::error!("metadata: {e}");
            text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

fn iso(epoch: i64) -> String {
    iam_core::policy::values::format_iso8601(epoch)
}

/// `GET .../security-credentials/ROLE`: the role's credentials as the SDKs read them.
async fn credentials(
    State(endpoint): State<Endpoint>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(role): Path<String>,
    headers: HeaderMap,
) -> Response {
    let found = match workload_of(&endpoint, peer.ip(), &headers).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let now = endpoint.state.now();
    let key = (peer.ip(), role.clone());
    let cached = endpoint.issued.lock().ok().and_then(|m| m.get(&key).cloned());
    let reusable = cached.filter(|c| {
        c.expiration.unix_timestamp() - now.unix_timestamp() > RENEW_BEFORE_SECONDS
            && c.identity
                .role_session()
                .is_some_and(|s| s.session_name == found.instance_id)
    });
    let issued = match reusable {
        Some(issued) => issued,
        None => {
            let meta = iam_service::RequestMeta {
                source_ip: Some(peer.ip().to_string()),
                ..Default::default()
            };
            match workload::credentials(
                &endpoint.state.ctx.pool,
                &endpoint.state.ctx.secrets,
                &found,
                &role,
                now,
                &meta,
            )
            .await
            {
                Ok(issued) => {
                    if let Ok(mut map) = endpoint.issued.lock() {
                        if map.len() > 10_000 {
                            map.clear();
                        }
                        map.insert(key, issued.clone());
                    }
                    issued
                }
                Err(iam_service::ServiceError::NoSuchEntity(_)) => {
                    return text(StatusCode::NOT_FOUND, "Not Found")
                }
                Err(iam_service::ServiceError::AccessDenied(_)) => {
                    return text(StatusCode::NOT_FOUND, "Not Found")
                }
                Err(e) => {
                    tracing::error!("metadata credentials: {e}");
                    return text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
                }
            }
        }
    };
    let body = serde_json::json!({
        "Code": "Success",
        "LastUpdated": iso(now.unix_timestamp()),
        "Type": "AWS-HMAC",
        "AccessKeyId": issued.access_key_id,
        "SecretAccessKey": issued.secret_access_key,
        "Token": issued.session_token,
        "Expiration": iso(issued.expiration.unix_timestamp()),
    });
    (StatusCode::OK, [("content-type", "text/plain")], body.to_string()).into_response()
}
