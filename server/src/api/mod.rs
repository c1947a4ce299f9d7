//! The AWS Query API (IAM 2010-05-08, STS 2011-06-15) on `/`: SigV4-authenticated with the
//! access keys of this console's users and roots, answered by the same iam-service
//! operations as the console, in AWS's XML.

mod account;
mod attached;
mod boundaries;
mod budgets;
pub(crate) mod federation;
mod groups;
mod instance_profiles;
mod keys;
mod lists;
mod mfa;
mod params;
mod policies;
mod providers;
mod registry;
mod roles;
mod simulator;
mod sts;
mod tags;
mod users;
pub mod xml;

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use iam_core::credentials::sigv4::{self, SigError, SignedRequest};
use iam_service::Identity;
use params::decode_form;
pub use params::Params;
use rand::RngCore;
use xml::ApiError;

/// The largest request body the API reads (AWS's policy documents are far smaller).
const MAX_BODY: usize = 1 << 20;

/// Whether a request is for the API rather than the console: a POST to `/`, or a GET of `/`
/// naming an action or carrying a presigned signature.
fn is_api(request: &Request) -> bool {
    if request.uri().path() != "/" {
        return false;
    }
    match *request.method() {
        Method::POST => true,
        Method::GET => request.uri().query().is_some_and(|q| {
            q.split('&')
                .any(|p| p.starts_with("Action=") || p.starts_with("X-Amz-Algorithm="))
        }),
        _ => false,
    }
}

/// Routes API requests to the API; everything else goes on to the console.
pub async fn intercept(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_api(&request) {
        handle(state, request).await
    } else {
        next.run(request).await
    }
}

fn request_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

async fn handle(state: AppState, request: Request) -> Response {
    let id = request_id();
    match answer(&state, request, &id).await {
        Ok(response) => response,
        Err(error) => error.response(&id),
    }
}

async fn answer(state: &AppState, request: Request, id: &str) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            "the request body is too large",
        )
    })?;
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let query = parts.uri.query().unwrap_or("");
    let mut params = decode_form(query);
    let form = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        params.extend(decode_form(&String::from_utf8_lossy(&body)));
    }
    let params = Params::new(params);
    let action = params.get("Action").unwrap_or_default().to_owned();
    let sts = params.get("Version") == Some("2011-06-15");
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query,
        headers: &headers,
        body: &body,
    };
    let now = state.now();
    let mut meta = app::ssr::meta_from_parts(&parts);
    // The Budgets API speaks JSON 1.1, errors included.
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let json_service = target.and_then(|t| {
        t.strip_prefix(budgets::TARGET_PREFIX)
            .map(|op| ("budgets", op))
            .or_else(|| {
                t.strip_prefix(budgets::BILLING_TARGET_PREFIX)
                    .map(|op| ("billing", op))
            })
    });
    if let Some((service, operation)) = json_service {
        let result = async {
            let identity = authenticate(state, &signed, service, now, &mut meta).await?;
            let caller = iam_service::Caller {
                identity: &identity,
                meta: &meta,
                now,
            };
            if service == "budgets" {
                budgets::dispatch(state, &caller, operation, &body).await
            } else {
                budgets::dispatch_billing(state, &caller, operation, &body).await
            }
        }
        .await;
        return Ok(budgets::respond(result, id));
    }
    if sts && federation::is_unsigned(&action) {
        return federation::dispatch(state, &params, &meta, now, &action, id).await;
    }
    let identity = authenticate(state, &signed, if sts { "sts" } else { "iam" }, now, &mut meta).await?;
    let caller = iam_service::Caller {
        identity: &identity,
        meta: &meta,
        now,
    };
    registry::dispatch(state, &caller, &action, sts, &params, id).await
}

fn sig_error(error: SigError) -> ApiError {
    let status = match error {
        SigError::Incomplete(_) | SigError::Expired(_) => StatusCode::BAD_REQUEST,
        SigError::Missing | SigError::Mismatch(_) | SigError::Unsigned(_) => StatusCode::FORBIDDEN,
    };
    ApiError::new(status, error.code(), error.message())
}

/// AWS records a key's first use in each 15 minutes; this process skips the database write
/// for keys it recorded less than that long ago (other processes write their own first use).
fn use_worth_recording(key_id: &str, now: i64) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static RECORDED: OnceLock<Mutex<HashMap<String, i64>>> = OnceLock::new();
    let Ok(mut recorded) = RECORDED.get_or_init(Default::default).lock() else {
        return true;
    };
    match recorded.get(key_id) {
        Some(&at) if now - at < 15 * 60 => false,
        _ => {
            if recorded.len() > 100_000 {
                recorded.clear();
            }
            recorded.insert(key_id.to_owned(), now);
            true
        }
    }
}

/// Who signed the request: an active key of this console, or temporary credentials it
/// issued, and a signature that matches. Temporary credentials set the session's facts.
async fn authenticate(
    state: &AppState,
    request: &SignedRequest<'_>,
    service: &str,
    now: time::OffsetDateTime,
    meta: &mut iam_service::RequestMeta,
) -> Result<Identity, ApiError> {
    let claim = sigv4::parse_claim(request).map_err(sig_error)?;
    if !iam_core::credentials::access_key::looks_like_key_id(&claim.access_key_id) {
        return Err(ApiError::invalid_token());
    }
    if claim.access_key_id.starts_with("ASIA") {
        return authenticate_session(state, request, &claim, service, now, meta);
    }
    if claim.session_token.is_some() {
        // A long-term key with a session token is not a pair this console issued.
        return Err(ApiError::invalid_token());
    }
    let owner = iam_service::ops::access_keys::authenticate(
        &state.ctx.pool,
        &state.ctx.secrets,
        &claim.access_key_id,
    )
    .await
    .map_err(ApiError::from)?
    .filter(|o| o.active)
    .ok_or_else(ApiError::invalid_token)?;
    scoped_to(&claim, service)?;
    sigv4::verify(request, &claim, &owner.secret, now.unix_timestamp(), true).map_err(sig_error)?;
    if use_worth_recording(&claim.access_key_id, now.unix_timestamp()) {
        iam_service::ops::access_keys::record_use(
            &state.ctx.pool,
            &claim.access_key_id,
            now,
            service,
            &claim.region,
        )
        .await
        .map_err(ApiError::from)?;
    }
    Ok(owner.identity)
}

fn scoped_to(claim: &sigv4::Claim, service: &str) -> Result<(), ApiError> {
    if claim.service == service {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "SignatureDoesNotMatch",
        format!("Credential should be scoped to correct service: '{service}'. "),
    ))
}

/// Temporary credentials: the session token opens under this deployment's key, names this
/// key ID and has not expired; no database row is read.
fn authenticate_session(
    state: &AppState,
    request: &SignedRequest<'_>,
    claim: &sigv4::Claim,
    service: &str,
    now: time::OffsetDateTime,
    meta: &mut iam_service::RequestMeta,
) -> Result<Identity, ApiError> {
    use iam_service::ops::sts::{token, TokenProblem};
    let sent = claim
        .session_token
        .as_deref()
        .ok_or_else(ApiError::invalid_token)?;
    let session = token::open(
        &state.ctx.secrets,
        &claim.access_key_id,
        sent,
        now.unix_timestamp(),
    )
    .map_err(|problem| match problem {
        TokenProblem::Invalid => ApiError::invalid_token(),
        TokenProblem::Expired => ApiError::new(
            StatusCode::FORBIDDEN,
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
    })?;
    scoped_to(claim, service)?;
    sigv4::verify(request, claim, &session.secret, now.unix_timestamp(), true).map_err(sig_error)?;
    // GetSessionToken's credentials reach IAM only when MFA was given (as on AWS).
    if service == "iam" && session.identity.role_session().is_none() && session.mfa_at.is_none() {
        return Err(ApiError::invalid_token());
    }
    meta.session_credentials = true;
    meta.session_started = Some(session.issued);
    meta.mfa_at = session.mfa_at;
    Ok(session.identity)
}
