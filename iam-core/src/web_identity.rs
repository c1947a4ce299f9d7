//! OpenID Connect ID tokens as AssumeRoleWithWebIdentity judges them once their signature
//! holds: the issuer, the audience, the times (with a small skew), and the condition keys
//! their claims give the role's trust policy. AWS's error codes and words.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seconds of clock difference tolerated between the provider and this server.
pub const SKEW_SECONDS: i64 = 120;
/// Values of a list claim (`aud`, `amr`) a session takes.
pub const CLAIM_VALUES_MAX: usize = 20;
/// The token's length in characters, as AWS bounds WebIdentityToken.
pub const TOKEN_CHARS: std::ops::RangeInclusive<usize> = 4..=20_000;

/// A claim that holds one string or several (`aud`, `amr`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(vs) => vs.clone(),
        }
    }
}

/// Session tags a provider puts in its tokens (AWS's claim for them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsClaim {
    #[serde(default)]
    pub principal_tags: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
}

/// The claims of an ID token this server reads; others are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<OneOrMany>,
    pub azp: Option<String>,
    pub exp: Option<f64>,
    pub nbf: Option<f64>,
    pub iat: Option<f64>,
    pub amr: Option<OneOrMany>,
    #[serde(rename = "https://aws.amazon.com/tags")]
    pub tags: Option<TagsClaim>,
    #[serde(rename = "https://aws.amazon.com/source_identity")]
    pub source_identity: Option<String>,
    /// The console's sign-in binds its request to the token with this.
    pub nonce: Option<String>,
    /// Shown by the console, and the console session's name when it fits one.
    pub email: Option<String>,
}

/// Why a token is refused: AWS's error code, status and words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    /// 400 InvalidIdentityToken.
    #[error("{0}")]
    Invalid(String),
    /// 400 ExpiredTokenException.
    #[error("{0}")]
    Expired(String),
    /// 403 IDPRejectedClaim.
    #[error("{0}")]
    Rejected(String),
}

impl TokenRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            TokenRefusal::Invalid(_) => "InvalidIdentityToken",
            TokenRefusal::Expired(_) => "ExpiredTokenException",
            TokenRefusal::Rejected(_) => "IDPRejectedClaim",
        }
    }
}

pub fn not_a_jwt() -> TokenRefusal {
    TokenRefusal::Invalid(
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
            .into(),
    )
}

/// The issuer's URL as a provider is registered under (no scheme, no trailing `/`).
pub fn issuer_host_path(iss: &str) -> Option<&str> {
    let rest = iss.strip_prefix("https://")?;
    Some(rest.strip_suffix('/').unwrap_or(rest)).filter(|r| !r.is_empty())
}

/// A token whose signature holds, checked against its provider: what the session takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub subject: String,
    /// The client ID the token was issued to (`azp` when given, as AWS reads it, else `aud`).
    pub audience: String,
    pub expires: i64,
}

fn secs(v: f64) -> i64 {
    // Fractions are allowed by the JWT spec; whole seconds are what matter here.
    v.floor() as i64
}

/// Checks the claims of a token from the provider at `host_path` whose client IDs are
/// `client_ids`, at `now` (seconds since the epoch).
pub fn check_claims(
    claims: &IdTokenClaims,
    host_path: &str,
    client_ids: &[String],
    now: i64,
) -> Result<Accepted, TokenRefusal> {
    let iss_matches = claims
        .iss
        .as_deref()
        .and_then(issuer_host_path)
        .is_some_and(|p| p == host_path);
    if !iss_matches {
        return Err(TokenRefusal::Invalid(format!(
            "Issuer in the token does not match the provider https://{host_path}"
        )));
    }
    let Some(exp) = claims.exp.map(secs) else {
        return Err(TokenRefusal::Invalid(
            "The token has no expiration time (exp).".into(),
        ));
    };
    if now >= exp.saturating_add(SKEW_SECONDS) {
        return Err(TokenRefusal::Expired(format!(
            "Token expired: current date/time {now} must be before the expiration date/time{exp}"
        )));
    }
    if let Some(nbf) = claims.nbf.map(secs) {
        if now.saturating_add(SKEW_SECONDS) < nbf {
            return Err(TokenRefusal::Invalid(format!(
                "Token is not valid before {nbf}; current date/time is {now}"
            )));
        }
    }
    if let Some(iat) = claims.iat.map(secs) {
        if now.saturating_add(SKEW_SECONDS) < iat {
            return Err(TokenRefusal::Invalid(format!(
                "Token was issued in the future ({iat}); current date/time is {now}"
            )));
        }
    }
    let audiences = claims.aud.as_ref().map(OneOrMany::values).unwrap_or_default();
    let audience = match &claims.azp {
        Some(azp) if client_ids.contains(azp) => Some(azp.clone()),
        _ => audiences.iter().find(|a| client_ids.contains(a)).cloned(),
    };
    let Some(audience) = audience else {
        return Err(TokenRefusal::Invalid("Incorrect token audience".into()));
    };
    let subject = claims
        .sub
        .clone()
        .filter(|s| !s.is_empty() && s.len() <= 255 && !s.chars().any(char::is_control));
    let Some(subject) = subject else {
        return Err(TokenRefusal::Rejected(
            "The token's subject (sub) is missing, longer than 255 characters or has control characters"
                .into(),
        ));
    };
    // Every session token and request carries these claims: they are kept small.
    for (name, claim) in [("aud", &claims.aud), ("amr", &claims.amr)] {
        let values = claim.as_ref().map(OneOrMany::values).unwrap_or_default();
        if values.len() > CLAIM_VALUES_MAX || values.iter().any(|v| v.len() > 255) {
            return Err(TokenRefusal::Rejected(format!(
                "The token's {name} claim has more than {CLAIM_VALUES_MAX} values or a value longer than 255 characters"
            )));
        }
    }
    Ok(Accepted {
        subject,
        audience,
        expires: exp,
    })
}

/// The condition keys the token gives the trust policy: `<provider>:aud`, `:oaud`, `:sub`,
/// `:amr`, and `aws:FederatedProvider`.
pub fn condition_keys(
    host_path: &str,
    provider_arn: &str,
    claims: &IdTokenClaims,
    accepted: &Accepted,
) -> Vec<(String, Vec<String>)> {
    let mut keys = vec![
        (format!("{host_path}:aud"), vec![accepted.audience.clone()]),
        (format!("{host_path}:sub"), vec![accepted.subject.clone()]),
        ("aws:FederatedProvider".to_owned(), vec![provider_arn.to_owned()]),
    ];
    // With `azp`, AWS gives the token's `aud` as the original audience.
    if claims.azp.is_some() {
        if let Some(aud) = &claims.aud {
            keys.push((format!("{host_path}:oaud"), aud.values()));
        }
    }
    if let Some(amr) = &claims.amr {
        keys.push((format!("{host_path}:amr"), amr.values()));
    }
    keys
}

/// The session tags the token carries, one value per key (AWS takes a tag's first value),
/// and the keys that pass on.
pub fn session_tags(claims: &IdTokenClaims) -> (Vec<(String, String)>, Vec<String>) {
    let Some(tags) = &claims.tags else {
        return (Vec::new(), Vec::new());
    };
    let pairs = tags
        .principal_tags
        .iter()
        .filter_map(|(k, v)| v.values().into_iter().next().map(|v| (k.clone(), v)))
        .collect();
    (pairs, tags.transitive_tag_keys.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> IdTokenClaims {
        IdTokenClaims {
            iss: Some("https://idp.example.com/realm".into()),
            sub: Some("user-1".into()),
            aud: Some(OneOrMany::One("client-a".into())),
            exp: Some(2000.0),
            iat: Some(1000.0),
            ..Default::default()
        }
    }

    fn ids() -> Vec<String> {
        vec!["client-a".into()]
    }

    #[test]
    fn a_current_token_for_a_client_is_accepted() {
        let accepted = check_claims(&claims(), "idp.example.com/realm", &ids(), 1500).unwrap();
        assert_eq!(accepted.subject, "user-1");
        assert_eq!(accepted.audience, "client-a");
        let keys = condition_keys("idp.example.com/realm", "arn:p", &claims(), &accepted);
        assert!(keys.contains(&("idp.example.com/realm:sub".into(), vec!["user-1".into()])));
    }

    #[test]
    fn issuer_audience_and_time_are_each_checked() {
        let mut other = claims();
        other.iss = Some("https://evil.example.com/realm".into());
        assert!(matches!(
            check_claims(&other, "idp.example.com/realm", &ids(), 1500),
            Err(TokenRefusal::Invalid(_))
        ));
        assert_eq!(
            check_claims(&claims(), "idp.example.com/realm", &["client-b".into()], 1500),
            Err(TokenRefusal::Invalid("Incorrect token audience".into()))
        );
        let expired = check_claims(&claims(), "idp.example.com/realm", &ids(), 2000 + SKEW_SECONDS);
        assert_eq!(expired.unwrap_err().code(), "ExpiredTokenException");
        // Within the skew it is still good.
        assert!(check_claims(
            &claims(),
            "idp.example.com/realm",
            &ids(),
            2000 + SKEW_SECONDS - 1
        )
        .is_ok());
        let mut early = claims();
        early.nbf = Some(1500.0 + SKEW_SECONDS as f64 + 1.0);
        assert!(check_claims(&early, "idp.example.com/realm", &ids(), 1500).is_err());
        let mut anonymous = claims();
        anonymous.sub = None;
        assert_eq!(
            check_claims(&anonymous, "idp.example.com/realm", &ids(), 1500)
                .unwrap_err()
                .code(),
            "IDPRejectedClaim"
        );
    }

    #[test]
    fn azp_names_the_client_and_aud_becomes_oaud() {
        let mut c = claims();
        c.azp = Some("client-a".into());
        c.aud = Some(OneOrMany::Many(vec!["api".into(), "client-a".into()]));
        let accepted = check_claims(&c, "idp.example.com/realm", &ids(), 1500).unwrap();
        let keys = condition_keys("idp.example.com/realm", "arn:p", &c, &accepted);
        assert!(keys.contains(&(
            "idp.example.com/realm:oaud".into(),
            vec!["api".into(), "client-a".into()]
        )));
    }
}
