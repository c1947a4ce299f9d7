//! STS (version 2011-06-15): who am I, role sessions, session tokens, key owners.

use super::lists::number;
use super::registry::Cx;
use super::xml::{el, time, ApiError};
use iam_service::ops::sts::{self, AssumeRole, FederationAsk, Issued, MfaOffer};

super::registry::actions! {
    "GetCallerIdentity" => get_caller_identity,
    "AssumeRole" => assume_role,
    "GetSessionToken" => get_session_token,
    "GetFederationToken" => get_federation_token,
    "GetAccessKeyInfo" => get_access_key_info,
}

/// Session policy ARNs (`PolicyArns.member.N.arn`), at most 64 read.
pub(super) fn policy_arns(params: &super::Params) -> Vec<String> {
    (1..)
        .map_while(|i| {
            params
                .get(&format!("PolicyArns.member.{i}.arn"))
                .map(str::to_owned)
        })
        .take(64)
        .collect()
}

fn session_tags(params: &super::Params) -> Vec<(String, String)> {
    super::lists::tags(params)
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

/// `GetCallerIdentity`: who signed the request. No permission is needed, as on AWS.
async fn get_caller_identity(cx: &Cx<'_>) -> Result<String, ApiError> {
    let identity = cx.caller.identity;
    Ok(format!(
        "{}{}{}",
        el("Arn", &identity.arn()),
        el("UserId", &identity.unique_id()),
        el("Account", cx.caller.account())
    ))
}

pub(super) fn credentials(issued: &Issued) -> String {
    format!(
        "<Credentials>{}{}{}{}</Credentials>",
        el("AccessKeyId", &issued.access_key_id),
        el("SecretAccessKey", &issued.secret_access_key),
        el("SessionToken", &issued.session_token),
        el("Expiration", &time(issued.expiration.unix_timestamp()))
    )
}

fn mfa_offer<'a>(cx: &'a Cx<'a>) -> Result<Option<MfaOffer<'a>>, ApiError> {
    let params = cx.params;
    match (params.get("SerialNumber"), params.get("TokenCode")) {
        (None, None) => Ok(None),
        (Some(serial_number), Some(token_code)) => Ok(Some(MfaOffer {
            serial_number,
            token_code,
        })),
        // AWS asks for both or neither.
        (Some(_), None) => Err(ApiError::validation(
            "TokenCode is required when SerialNumber is given",
        )),
        (None, Some(_)) => Err(ApiError::validation(
            "SerialNumber is required when TokenCode is given",
        )),
    }
}

/// `AssumeRole`.
async fn assume_role(cx: &Cx<'_>) -> Result<String, ApiError> {
    let params = cx.params;
    let tags = session_tags(params);
    let policy_arns = policy_arns(params);
    let asked = AssumeRole {
        role_arn: params.required("RoleArn")?,
        session_name: params.required("RoleSessionName")?,
        duration: number(params, "DurationSeconds")?,
        external_id: params.get("ExternalId"),
        mfa: mfa_offer(cx)?,
        policy: params.get("Policy"),
        policy_arns,
        tags,
        transitive_tag_keys: params.members("TransitiveTagKeys"),
        source_identity: params.get("SourceIdentity"),
    };
    let ctx = &cx.state.ctx;
    let issued = sts::assume_role(cx.pool(), &ctx.secrets, &ctx.settings.lockout, cx.caller, &asked).await?;
    let mut out = credentials(&issued);
    out += &assumed_role_user(&issued)?;
    if let Some(packed) = issued.packed_percent {
        out += &el("PackedPolicySize", &packed.to_string());
    }
    out += &source_identity(&issued);
    Ok(out)
}

fn role_session(issued: &Issued) -> Result<&iam_service::identity::RoleSession, ApiError> {
    issued
        .identity
        .role_session()
        .ok_or_else(|| ApiError::from(iam_service::ServiceError::Internal("not a role session".into())))
}

/// `<AssumedRoleUser>` of a role session's answer.
pub(super) fn assumed_role_user(issued: &Issued) -> Result<String, ApiError> {
    let session = role_session(issued)?;
    Ok(format!(
        "<AssumedRoleUser>{}{}</AssumedRoleUser>",
        el("AssumedRoleId", &session.user_id()),
        el("Arn", &session.arn())
    ))
}

/// `<SourceIdentity>`, when the session has one.
pub(super) fn source_identity(issued: &Issued) -> String {
    issued
        .identity
        .role_session()
        .and_then(|s| s.source_identity.as_deref())
        .map(|source| el("SourceIdentity", source))
        .unwrap_or_default()
}

/// `GetSessionToken`.
async fn get_session_token(cx: &Cx<'_>) -> Result<String, ApiError> {
    let ctx = &cx.state.ctx;
    let duration = number(cx.params, "DurationSeconds")?;
    let issued = sts::get_session_token(
        cx.pool(),
        &ctx.secrets,
        &ctx.settings.lockout,
        cx.caller,
        duration,
        mfa_offer(cx)?,
    )
    .await?;
    Ok(credentials(&issued))
}

/// `GetFederationToken`: a federated user's credentials for a custom identity broker.
async fn get_federation_token(cx: &Cx<'_>) -> Result<String, ApiError> {
    let params = cx.params;
    let asked = FederationAsk {
        name: params.required("Name")?,
        duration: number(params, "DurationSeconds")?,
        policy: params.get("Policy"),
        policy_arns: policy_arns(params),
        tags: session_tags(params),
    };
    let issued = sts::get_federation_token(cx.pool(), &cx.state.ctx.secrets, cx.caller, &asked).await?;
    let mut out = credentials(&issued);
    out += &format!(
        "<FederatedUser>{}{}</FederatedUser>",
        el("FederatedUserId", &issued.identity.unique_id()),
        el("Arn", &issued.identity.arn())
    );
    if let Some(packed) = issued.packed_percent {
        out += &el("PackedPolicySize", &packed.to_string());
    }
    Ok(out)
}

/// `GetAccessKeyInfo`.
async fn get_access_key_info(cx: &Cx<'_>) -> Result<String, ApiError> {
    let key = cx.params.required("AccessKeyId")?;
    let account = sts::access_key_info(cx.pool(), cx.caller, key).await?;
    Ok(el("Account", &account))
}
