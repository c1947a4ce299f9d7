//! Identity providers an account trusts for federation: OpenID Connect issuers and SAML 2.0
//! identity providers. Their input rules and ARNs, with AWS's words.

use crate::field::FieldError;
use crate::names::constraint;

/// AWS's quotas: providers of each kind per account, client IDs and thumbprints per provider.
pub const OIDC_PROVIDERS_PER_ACCOUNT: i64 = 100;
pub const SAML_PROVIDERS_PER_ACCOUNT: i64 = 100;
pub const CLIENT_IDS_PER_PROVIDER: usize = 100;
pub const THUMBPRINTS_PER_PROVIDER: usize = 5;
/// SAMLMetadataDocument's length, in characters.
pub const METADATA_CHARS: std::ops::RangeInclusive<usize> = 1000..=10_000_000;

/// An OIDC issuer URL: `https://`, a host, an optional path; no port, query or fragment;
/// at most 255 characters. Returns what the ARN and GetOpenIDConnectProvider show: the URL
/// without its scheme (and without a trailing `/`). AWS gives one message for every fault.
pub fn check_oidc_url(url: &str) -> Result<String, FieldError> {
    if url.is_empty() || url.len() > 255 {
        return Err(FieldError::new(
            "url",
            constraint(url, "url", "Member must have length between 1 and 255"),
        ));
    }
    let rest = url.strip_prefix("https://").unwrap_or_default();
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let host = rest.split('/').next().unwrap_or_default();
    // A host of letters, digits, dots and hyphens (so no port or user), and a path of RFC 3986
    // characters without a query or fragment.
    let valid = url.starts_with("https://")
        && !host.is_empty()
        && !rest.contains("//")
        && !rest.contains(['?', '#'])
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/".contains(&b));
    if !valid {
        return Err(FieldError::new("url", "Invalid Open ID Connect Provider URL"));
    }
    Ok(rest.to_owned())
}

/// `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`.
pub fn oidc_arn(account: &str, host_path: &str) -> String {
    format!("arn:aws:iam::{account}:oidc-provider/{host_path}")
}

/// The host and path an OIDC provider ARN of `account` names.
pub fn parse_oidc_arn<'a>(account: &str, arn: &'a str) -> Option<&'a str> {
    let rest = arn.strip_prefix("arn:aws:iam::")?.strip_prefix(account)?;
    rest.strip_prefix(":oidc-provider/")
        .filter(|r| !r.is_empty() && r.len() <= 255)
}

/// A client ID (audience): 1 to 255 characters.
pub fn check_client_id(id: &str) -> Result<(), FieldError> {
    if id.chars().any(char::is_control) {
        return Err(FieldError::new(
            "client_ids",
            format!("client ID `{}` has control characters", id.escape_debug()),
        ));
    }
    if id.is_empty() || id.chars().count() > 255 {
        return Err(FieldError::new(
            "client_ids",
            constraint(
                id,
                "clientIDList.member",
                "Member must have length between 1 and 255",
            ),
        ));
    }
    Ok(())
}

/// A thumbprint: the SHA-1 of a certificate, 40 hexadecimal characters.
pub fn check_thumbprint(thumbprint: &str) -> Result<(), FieldError> {
    if thumbprint.len() != 40 || !thumbprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FieldError::new(
            "thumbprints",
            constraint(
                thumbprint,
                "thumbprintList.member",
                "Member must have length 40 and be hexadecimal",
            ),
        ));
    }
    Ok(())
}

/// A SAML provider's name: 1 to 128 of `[\w._-]`.
pub fn check_saml_name(name: &str) -> Result<(), FieldError> {
    let rule = if name.is_empty() || name.len() > 128 {
        "Member must have length between 1 and 128"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        r"Member must satisfy regular expression pattern: [\w._-]+"
    } else {
        return Ok(());
    };
    Err(FieldError::new("name", constraint(name, "name", rule)))
}

/// `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
pub fn saml_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:saml-provider/{name}")
}

/// The name a SAML provider ARN of `account` names.
pub fn parse_saml_arn<'a>(account: &str, arn: &'a str) -> Option<&'a str> {
    let rest = arn.strip_prefix("arn:aws:iam::")?.strip_prefix(account)?;
    rest.strip_prefix(":saml-provider/")
        .filter(|name| check_saml_name(name).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_urls_keep_host_and_path() {
        assert_eq!(
            check_oidc_url("https://token.example.com").unwrap(),
            "token.example.com"
        );
        assert_eq!(
            check_oidc_url("https://id.example.com/tenant/7/").unwrap(),
            "id.example.com/tenant/7"
        );
        assert_eq!(
            check_oidc_url("example.org").unwrap_err().message,
            "Invalid Open ID Connect Provider URL"
        );
        for bad in [
            "https://id.example.com/a\"b",
            "https://id.example.com/a b",
            "http://id.example.com",
            "https://",
            "https://id.example.com:8443",
            "https://a.com/?x=1",
            "https://u@a.com",
        ] {
            assert!(check_oidc_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_oidc_arn("123456789012", &oidc_arn("123456789012", "id.example.com/t")),
            Some("id.example.com/t")
        );
        assert_eq!(
            parse_oidc_arn("123456789012", "arn:aws:iam::999999999999:oidc-provider/x"),
            None
        );
    }

    #[test]
    fn thumbprints_client_ids_and_names() {
        assert!(check_thumbprint(&"a".repeat(40)).is_ok());
        assert!(check_thumbprint(&"g".repeat(40)).is_err());
        assert!(check_thumbprint("abc").is_err());
        assert!(check_client_id("").is_err());
        assert!(check_client_id("a\u{0}b").is_err());
        assert!(check_saml_name("Okta_prod-1.x").is_ok());
        assert!(check_saml_name("a b").is_err());
        assert_eq!(
            parse_saml_arn("123456789012", &saml_arn("123456789012", "Okta")),
            Some("Okta")
        );
    }
}
