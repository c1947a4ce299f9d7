//! The STS actions that take no credentials (AWS's): the caller proves who it is with what
//! an identity provider signed, an OIDC ID token or a SAML assertion.

use super::lists::number;
use super::sts::{assumed_role_user, credentials, policy_arns, source_identity};
use super::xml::{el, success, ApiError, STS_NS};
use super::Params;
use crate::state::AppState;
use axum::response::Response;
use iam_service::ops::sts::{self, SamlAsk, WebIdentityAsk};
use iam_service::RequestMeta;
use time::OffsetDateTime;

/// Whether `action` is answered without a signature.
pub(super) fn is_unsigned(action: &str) -> bool {
    matches!(action, "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML")
}

pub(super) async fn dispatch(
    state: &AppState,
    params: &Params,
    meta: &RequestMeta,
    now: OffsetDateTime,
    action: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let result = match action {
        "AssumeRoleWithSAML" => assume_role_with_saml(state, params, meta, now).await?,
        _ => assume_role_with_web_identity(state, params, meta, now).await?,
    };
    Ok(success(STS_NS, action, &result, id))
}

/// `AssumeRoleWithWebIdentity`.
async fn assume_role_with_web_identity(
    state: &AppState,
    params: &Params,
    meta: &RequestMeta,
    now: OffsetDateTime,
) -> Result<String, ApiError> {
    let asked = WebIdentityAsk {
        role_arn: params.required("RoleArn")?,
        session_name: params.required("RoleSessionName")?,
        token: params.required("WebIdentityToken")?,
        provider_id: params.get("ProviderId"),
        duration: number(params, "DurationSeconds")?,
        policy: params.get("Policy"),
        policy_arns: policy_arns(params),
    };
    let ctx = &state.ctx;
    let got =
        sts::assume_role_with_web_identity(&ctx.pool, &ctx.secrets, &ctx.idp_keys, meta, now, &asked).await?;
    let mut out = credentials(&got.issued);
    out += &el("SubjectFromWebIdentityToken", &got.subject);
    out += &assumed_role_user(&got.issued)?;
    if let Some(packed) = got.issued.packed_percent {
        out += &el("PackedPolicySize", &packed.to_string());
    }
    out += &el("Provider", &got.provider_arn);
    out += &el("Audience", &got.audience);
    out += &source_identity(&got.issued);
    Ok(out)
}

/// This service's SAML endpoint: where assertions must be addressed (their Recipient).
pub(crate) fn saml_endpoint(state: &AppState) -> String {
    format!("{}/saml", state.ctx.settings.base_url.trim_end_matches('/'))
}

/// `AssumeRoleWithSAML`, its answer in the order of AWS's model.
async fn assume_role_with_saml(
    state: &AppState,
    params: &Params,
    meta: &RequestMeta,
    now: OffsetDateTime,
) -> Result<String, ApiError> {
    let asked = SamlAsk {
        role_arn: params.required("RoleArn")?,
        principal_arn: params.required("PrincipalArn")?,
        assertion: params.required("SAMLAssertion")?,
        duration: number(params, "DurationSeconds")?,
        policy: params.get("Policy"),
        policy_arns: policy_arns(params),
    };
    let ctx = &state.ctx;
    let got =
        sts::assume_role_with_saml(&ctx.pool, &ctx.secrets, meta, now, &saml_endpoint(state), &asked).await?;
    let mut out = credentials(&got.issued);
    out += &assumed_role_user(&got.issued)?;
    if let Some(packed) = got.issued.packed_percent {
        out += &el("PackedPolicySize", &packed.to_string());
    }
    out += &el("Subject", &got.subject);
    out += &el("SubjectType", &got.subject_type);
    out += &el("Issuer", &got.issuer);
    out += &el("Audience", &got.audience);
    out += &el("NameQualifier", &got.name_qualifier);
    out += &source_identity(&got.issued);
    Ok(out)
}
