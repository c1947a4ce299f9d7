//! SAML 2.0 assertions as AssumeRoleWithSAML (and the console's `/saml`) judge them once
//! their signature holds: audience, recipient, times, the roles the identity provider grants,
//! the session's name and length, and the condition keys the assertion gives the role's trust
//! policy. The XML is read by the service; this module sees plain values.

use crate::credentials::session as rules;
use crate::web_identity::TokenRefusal;
use serde::{Deserialize, Serialize};

/// Seconds of clock difference tolerated between the identity provider and this server.
pub const SKEW_SECONDS: i64 = 120;
/// SAMLAssertion's length in characters, as AWS bounds it.
pub const ASSERTION_CHARS: std::ops::RangeInclusive<usize> = 4..=100_000;
/// Role pairs an assertion may offer; more is a malformed assertion, not a choice.
pub const ROLES_MAX: usize = 100;
/// Attributes and values an assertion may carry (each value is kept short).
pub const ATTRIBUTES_MAX: usize = 100;
pub const VALUES_MAX: usize = 100;
pub const VALUE_CHARS_MAX: usize = 1024;

pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const SESSION_NAME_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SESSION_DURATION_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
pub const SOURCE_IDENTITY_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";
pub const PRINCIPAL_TAG_PREFIX: &str = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
pub const TRANSITIVE_TAGS_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys";
/// The service provider's entity ID identity providers configure for AWS; an assertion
/// addressed to this console's `/saml` URL is accepted too.
pub const AWS_AUDIENCE: &str = "urn:amazon:webservices";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const NAMEID_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

/// One `SubjectConfirmation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub method: String,
    pub recipient: Option<String>,
    pub not_before: Option<i64>,
    pub not_on_or_after: Option<i64>,
}

/// What a signed assertion (and the response around it) says; times in seconds since the
/// epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assertion {
    pub id: String,
    pub issuer: String,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub confirmations: Vec<Confirmation>,
    pub not_before: Option<i64>,
    pub not_on_or_after: Option<i64>,
    /// One list of audiences per `AudienceRestriction`; each must name this service.
    pub audience_restrictions: Vec<Vec<String>>,
    /// `AuthnStatement/@SessionNotOnOrAfter`: the identity provider's end of the session.
    pub session_not_on_or_after: Option<i64>,
    pub attributes: Vec<(String, Vec<String>)>,
    /// The response's `Destination`, when it has one.
    pub destination: Option<String>,
}

/// An assertion that passed: what the session takes from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub subject: String,
    /// `persistent`, `transient`, or the NameID format in full (AWS's SubjectType).
    pub subject_type: String,
    /// The recipient (SAML:aud).
    pub recipient: String,
    /// The audience the assertion names this service by.
    pub audience: String,
    /// When the assertion stops being usable (its replay record may go then).
    pub expires: i64,
    /// The identity provider's cap on the session's end, if it gave one.
    pub session_ends: Option<i64>,
}

fn invalid(message: impl Into<String>) -> TokenRefusal {
    TokenRefusal::Invalid(message.into())
}

fn rejected(message: impl Into<String>) -> TokenRefusal {
    TokenRefusal::Rejected(message.into())
}

/// Checks the assertion for a service whose SAML endpoint is `recipient_url`, at `now`.
pub fn check(assertion: &Assertion, recipient_url: &str, now: i64) -> Result<Accepted, TokenRefusal> {
    let bearers: Vec<&Confirmation> = assertion
        .confirmations
        .iter()
        .filter(|c| c.method == BEARER)
        .collect();
    let [confirmation] = bearers.as_slice() else {
        return Err(invalid(
            "The SAML assertion must have exactly one bearer SubjectConfirmation",
        ));
    };
    let (Some(recipient), Some(confirmation_ends)) = (&confirmation.recipient, confirmation.not_on_or_after)
    else {
        return Err(invalid(
            "The SAML assertion's SubjectConfirmationData must have a Recipient and a NotOnOrAfter",
        ));
    };
    if recipient != recipient_url {
        return Err(invalid(format!(
            "The SAML assertion's Recipient `{}` is not this service's SAML endpoint {recipient_url}",
            clip(recipient)
        )));
    }
    if assertion.destination.as_ref().is_some_and(|d| d != recipient_url) {
        return Err(invalid(
            "The SAML response's Destination is not this service's SAML endpoint",
        ));
    }
    let audience = audience(&assertion.audience_restrictions, recipient_url)?;
    let ends = [Some(confirmation_ends), assertion.not_on_or_after]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(confirmation_ends);
    if now >= ends.saturating_add(SKEW_SECONDS) {
        return Err(TokenRefusal::Expired("Response has expired".into()));
    }
    let starts = [confirmation.not_before, assertion.not_before]
        .into_iter()
        .flatten()
        .max();
    if starts.is_some_and(|s| now.saturating_add(SKEW_SECONDS) < s) {
        return Err(invalid("The SAML assertion is not yet valid (NotBefore)"));
    }
    if assertion
        .session_not_on_or_after
        .is_some_and(|s| now >= s.saturating_add(SKEW_SECONDS))
    {
        return Err(TokenRefusal::Expired(
            "The identity provider's session has ended (SessionNotOnOrAfter)".into(),
        ));
    }
    let Some(subject) = assertion
        .name_id
        .clone()
        .filter(|s| !s.is_empty() && s.len() <= 255 && !s.chars().any(char::is_control))
    else {
        return Err(rejected(
            "The SAML assertion's NameID is missing, longer than 255 characters or has control characters",
        ));
    };
    let subject_type = match assertion.name_id_format.as_deref() {
        None => "unspecified".to_owned(),
        Some(format) => match format.strip_prefix(NAMEID_FORMAT) {
            Some(short @ ("persistent" | "transient")) => short.to_owned(),
            _ => clip(format).to_owned(),
        },
    };
    check_attribute_bounds(&assertion.attributes)?;
    Ok(Accepted {
        subject,
        subject_type,
        recipient: recipient.clone(),
        audience,
        expires: ends,
        session_ends: assertion.session_not_on_or_after,
    })
}

/// Every AudienceRestriction must name this service (SAML's rule: each one restricts).
fn audience(restrictions: &[Vec<String>], recipient_url: &str) -> Result<String, TokenRefusal> {
    let ours = |a: &&String| *a == AWS_AUDIENCE || *a == recipient_url;
    let named: Option<Vec<&String>> = restrictions.iter().map(|r| r.iter().find(ours)).collect();
    let named = named.and_then(|n| n.first().map(|a| (*a).clone()));
    named.ok_or_else(|| invalid("Response does not contain the required audience."))
}

fn check_attribute_bounds(attributes: &[(String, Vec<String>)]) -> Result<(), TokenRefusal> {
    let too_many = attributes.len() > ATTRIBUTES_MAX
        || attributes.iter().any(|(name, values)| {
            name.len() > VALUE_CHARS_MAX
                || values.len() > VALUES_MAX
                || values.iter().any(|v| v.len() > VALUE_CHARS_MAX)
        });
    if too_many {
        return Err(rejected(format!(
            "The SAML assertion has more than {ATTRIBUTES_MAX} attributes, more than {VALUES_MAX} values in one, or a value longer than {VALUE_CHARS_MAX} characters"
        )));
    }
    Ok(())
}

fn clip(text: &str) -> &str {
    match text.char_indices().nth(200) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// The values of the attribute `name`.
pub fn values<'a>(assertion: &'a Assertion, name: &'a str) -> impl Iterator<Item = &'a str> {
    assertion
        .attributes
        .iter()
        .filter(move |(n, _)| n == name)
        .flat_map(|(_, vs)| vs.iter().map(String::as_str))
}

fn single<'a>(assertion: &'a Assertion, name: &'a str) -> Option<&'a str> {
    values(assertion, name).next()
}

/// The (role ARN, provider ARN) pairs the Role attribute grants. AWS reads each value as two
/// ARNs separated by a comma, in either order.
pub fn roles(assertion: &Assertion) -> Result<Vec<(String, String)>, TokenRefusal> {
    let mut pairs = Vec::new();
    for value in values(assertion, ROLE_ATTRIBUTE) {
        let mut parts = value.split(',').map(str::trim);
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(rejected(format!(
                "A Role attribute value `{}` is not a role ARN and a provider ARN separated by a comma",
                clip(value)
            )));
        };
        let pair = if a.contains(":saml-provider/") {
            (b, a)
        } else {
            (a, b)
        };
        if !pair.0.contains(":role/") || !pair.1.contains(":saml-provider/") {
            return Err(rejected(format!(
                "A Role attribute value `{}` is not a role ARN and a provider ARN separated by a comma",
                clip(value)
            )));
        }
        pairs.push((pair.0.to_owned(), pair.1.to_owned()));
    }
    if pairs.len() > ROLES_MAX {
        return Err(rejected(format!(
            "The SAML assertion offers more than {ROLES_MAX} roles"
        )));
    }
    pairs.dedup();
    Ok(pairs)
}

/// The RoleSessionName attribute, which AWS requires.
pub fn session_name(assertion: &Assertion) -> Result<String, TokenRefusal> {
    let Some(name) = single(assertion, SESSION_NAME_ATTRIBUTE) else {
        return Err(invalid("RoleSessionName is required in AuthnResponse"));
    };
    if !session_name_ok(name) {
        return Err(invalid(
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
        ));
    }
    Ok(name.to_owned())
}

/// The SessionDuration attribute (900 to 43200 seconds), if the assertion has one.
pub fn session_duration(assertion: &Assertion) -> Result<Option<i64>, TokenRefusal> {
    let Some(text) = single(assertion, SESSION_DURATION_ATTRIBUTE) else {
        return Ok(None);
    };
    match text.trim().parse::<i64>() {
        Ok(s) if (rules::MIN_DURATION..=43_200).contains(&s) => Ok(Some(s)),
        _ => Err(rejected(format!(
            "SessionDuration `{}` must be a number of seconds from 900 to 43200",
            clip(text)
        ))),
    }
}

/// The SourceIdentity attribute, within AssumeRole's rules for it.
pub fn source_identity(assertion: &Assertion) -> Result<Option<String>, TokenRefusal> {
    let Some(source) = single(assertion, SOURCE_IDENTITY_ATTRIBUTE) else {
        return Ok(None);
    };
    if !session_name_ok(source) || source.to_lowercase().starts_with("aws:") {
        return Err(invalid(
            "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"",
        ));
    }
    Ok(Some(source.to_owned()))
}

fn session_name_ok(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Session tags from `PrincipalTag:KEY` attributes (a tag's first value), and the keys that
/// pass on from `TransitiveTagKeys`.
pub fn session_tags(assertion: &Assertion) -> (Vec<(String, String)>, Vec<String>) {
    let tags = assertion
        .attributes
        .iter()
        .filter_map(|(name, vs)| {
            let key = name.strip_prefix(PRINCIPAL_TAG_PREFIX)?;
            Some((key.to_owned(), vs.first()?.clone()))
        })
        .collect();
    let transitive = values(assertion, TRANSITIVE_TAGS_ATTRIBUTE)
        .map(str::to_owned)
        .collect();
    (tags, transitive)
}

/// Directory attributes AWS gives trust policies as `SAML:` keys, and the attribute names
/// (eduPerson and X.500 OIDs, Active Directory claims) each is read from.
const ATTRIBUTE_KEYS: [(&str, &str); 30] = [
    ("SAML:cn", "urn:oid:2.5.4.3"),
    ("SAML:commonName", "urn:oid:2.5.4.3"),
    ("SAML:commonName", "http://schemas.xmlsoap.org/claims/CommonName"),
    ("SAML:givenName", "urn:oid:2.5.4.42"),
    (
        "SAML:givenName",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ),
    ("SAML:surname", "urn:oid:2.5.4.4"),
    (
        "SAML:surname",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ),
    (
        "SAML:name",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    ),
    ("SAML:mail", "urn:oid:0.9.2342.19200300.100.1.3"),
    (
        "SAML:mail",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ),
    ("SAML:uid", "urn:oid:0.9.2342.19200300.100.1.1"),
    ("SAML:x500UniqueIdentifier", "urn:oid:2.5.4.45"),
    ("SAML:organizationStatus", "urn:oid:0.9.2342.19200300.100.1.45"),
    (
        "SAML:primaryGroupSID",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid",
    ),
    ("SAML:edupersonaffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"),
    ("SAML:edupersonnickname", "urn:oid:1.3.6.1.4.1.5923.1.1.1.2"),
    ("SAML:edupersonorgdn", "urn:oid:1.3.6.1.4.1.5923.1.1.1.3"),
    ("SAML:edupersonorgunitdn", "urn:oid:1.3.6.1.4.1.5923.1.1.1.4"),
    (
        "SAML:edupersonprimaryaffiliation",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
    ),
    ("SAML:edupersonprincipalname", "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"),
    ("SAML:edupersonentitlement", "urn:oid:1.3.6.1.4.1.5923.1.1.1.7"),
    (
        "SAML:edupersonprimaryorgunitdn",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
    ),
    (
        "SAML:edupersonscopedaffiliation",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
    ),
    ("SAML:edupersontargetedid", "urn:oid:1.3.6.1.4.1.5923.1.1.1.10"),
    ("SAML:edupersonassurance", "urn:oid:1.3.6.1.4.1.5923.1.1.1.11"),
    ("SAML:eduorghomepageuri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.2"),
    (
        "SAML:eduorgidentityauthnpolicyuri",
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
    ),
    ("SAML:eduorglegalname", "urn:oid:1.3.6.1.4.1.5923.1.2.1.4"),
    ("SAML:eduorgsuperioruri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.5"),
    ("SAML:eduorgwhitepagesuri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.6"),
];

/// Which provider vouched, as the condition keys name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderFacts<'a> {
    pub account: &'a str,
    pub provider_name: &'a str,
    /// AWS's NameQualifier: base64 of SHA-1 over issuer, account ID, `/` and provider name.
    pub name_qualifier: &'a str,
}

/// The condition keys the assertion gives the trust policy: `SAML:aud`, `:iss`, `:sub`,
/// `:sub_type`, `:doc`, `:namequalifier` and the directory attributes it carries.
pub fn condition_keys(
    assertion: &Assertion,
    accepted: &Accepted,
    provider: &ProviderFacts<'_>,
) -> Vec<(String, Vec<String>)> {
    let mut keys = vec![
        ("SAML:aud".to_owned(), vec![accepted.recipient.clone()]),
        ("SAML:iss".to_owned(), vec![assertion.issuer.clone()]),
        ("SAML:sub".to_owned(), vec![accepted.subject.clone()]),
        ("SAML:sub_type".to_owned(), vec![accepted.subject_type.clone()]),
        (
            "SAML:doc".to_owned(),
            vec![format!("{}/{}", provider.account, provider.provider_name)],
        ),
        (
            "SAML:namequalifier".to_owned(),
            vec![provider.name_qualifier.to_owned()],
        ),
    ];
    for (key, attribute) in ATTRIBUTE_KEYS {
        let found = values(assertion, attribute).map(str::to_owned);
        match keys.iter_mut().find(|(k, _)| k == key) {
            Some((_, existing)) => existing.extend(found),
            None => keys.push((key.to_owned(), found.collect())),
        }
    }
    keys.retain(|(_, values)| !values.is_empty());
    keys
}

/// The string AWS hashes for NameQualifier.
pub fn name_qualifier_input(issuer: &str, account: &str, provider_name: &str) -> String {
    format!("{issuer}{account}/{provider_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://console.example/saml";
    const NOW: i64 = 1_800_000_000;

    fn assertion() -> Assertion {
        Assertion {
            id: "_a1".into(),
            issuer: "https://idp.example/saml".into(),
            name_id: Some("alice".into()),
            name_id_format: Some(format!("{NAMEID_FORMAT}persistent")),
            confirmations: vec![Confirmation {
                method: BEARER.into(),
                recipient: Some(URL.into()),
                not_before: None,
                not_on_or_after: Some(NOW + 300),
            }],
            not_before: Some(NOW - 5),
            not_on_or_after: Some(NOW + 300),
            audience_restrictions: vec![vec![AWS_AUDIENCE.into()]],
            session_not_on_or_after: None,
            attributes: vec![
                (
                    ROLE_ATTRIBUTE.into(),
                    vec![
                        "arn:aws:iam::123456789012:saml-provider/Idp, arn:aws:iam::123456789012:role/Two"
                            .into(),
                        "arn:aws:iam::123456789012:role/One,arn:aws:iam::123456789012:saml-provider/Idp"
                            .into(),
                    ],
                ),
                (SESSION_NAME_ATTRIBUTE.into(), vec!["alice@example.com".into()]),
                (
                    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1".into(),
                    vec!["staff".into(), "member".into()],
                ),
            ],
            destination: Some(URL.into()),
        }
    }

    #[test]
    fn a_good_assertion_is_accepted_with_its_subject_and_audience() {
        let accepted = check(&assertion(), URL, NOW).unwrap();
        assert_eq!(accepted.subject, "alice");
        assert_eq!(accepted.subject_type, "persistent");
        assert_eq!(accepted.audience, AWS_AUDIENCE);
        assert_eq!(accepted.expires, NOW + 300);
    }

    #[test]
    fn each_fault_is_refused_with_its_reason() {
        type Case = (&'static str, Box<dyn Fn(&mut Assertion)>, &'static str);
        let cases: Vec<Case> = vec![
            (
                "wrong recipient",
                Box::new(|a| {
                    a.confirmations[0].recipient = Some("https://signin.aws.amazon.com/saml".into())
                }),
                "Recipient",
            ),
            (
                "no recipient",
                Box::new(|a| a.confirmations[0].recipient = None),
                "must have a Recipient",
            ),
            (
                "two bearers",
                Box::new(|a| a.confirmations.push(a.confirmations[0].clone())),
                "exactly one bearer",
            ),
            (
                "wrong audience",
                Box::new(|a| a.audience_restrictions = vec![vec!["https://other.example".into()]]),
                "audience",
            ),
            (
                "no audience",
                Box::new(|a| a.audience_restrictions.clear()),
                "audience",
            ),
            (
                "a second restriction",
                Box::new(|a| a.audience_restrictions.push(vec!["https://other.example".into()])),
                "audience",
            ),
            (
                "wrong destination",
                Box::new(|a| a.destination = Some("https://evil.example/saml".into())),
                "Destination",
            ),
            (
                "expired",
                Box::new(|a| a.not_on_or_after = Some(NOW - SKEW_SECONDS)),
                "Response has expired",
            ),
            (
                "not yet",
                Box::new(|a| a.not_before = Some(NOW + SKEW_SECONDS + 1)),
                "not yet valid",
            ),
            ("no subject", Box::new(|a| a.name_id = None), "NameID"),
            (
                "session ended",
                Box::new(|a| a.session_not_on_or_after = Some(NOW - SKEW_SECONDS)),
                "SessionNotOnOrAfter",
            ),
        ];
        for (what, change, words) in cases {
            let mut a = assertion();
            change(&mut a);
            let refused = check(&a, URL, NOW).expect_err(what);
            assert!(refused.to_string().contains(words), "{what}: {refused}");
        }
    }

    #[test]
    fn the_skew_is_tolerated_on_both_ends() {
        let mut a = assertion();
        a.not_before = Some(NOW + SKEW_SECONDS);
        a.not_on_or_after = Some(NOW - SKEW_SECONDS + 1);
        assert!(check(&a, URL, NOW).is_ok());
    }

    #[test]
    fn roles_are_read_in_either_order_and_malformed_ones_refused() {
        let pairs = roles(&assertion()).unwrap();
        assert_eq!(pairs[0].0, "arn:aws:iam::123456789012:role/Two");
        assert_eq!(pairs[1].1, "arn:aws:iam::123456789012:saml-provider/Idp");
        let mut a = assertion();
        a.attributes[0].1 = vec!["arn:aws:iam::123456789012:role/One".into()];
        assert!(roles(&a).is_err());
        a.attributes[0].1 = vec!["arn:aws:iam::1:role/A,arn:aws:iam::1:role/B".into()];
        assert!(roles(&a).is_err());
    }

    #[test]
    fn the_session_name_is_required_and_checked() {
        assert_eq!(session_name(&assertion()).unwrap(), "alice@example.com");
        let mut a = assertion();
        a.attributes.retain(|(n, _)| n != SESSION_NAME_ATTRIBUTE);
        assert_eq!(
            session_name(&a).unwrap_err().to_string(),
            "RoleSessionName is required in AuthnResponse"
        );
        a.attributes
            .push((SESSION_NAME_ATTRIBUTE.into(), vec!["no spaces allowed".into()]));
        assert!(session_name(&a).is_err());
    }

    #[test]
    fn the_session_duration_is_bounded() {
        let mut a = assertion();
        assert_eq!(session_duration(&a).unwrap(), None);
        a.attributes
            .push((SESSION_DURATION_ATTRIBUTE.into(), vec!["7200".into()]));
        assert_eq!(session_duration(&a).unwrap(), Some(7200));
        a.attributes.last_mut().unwrap().1 = vec!["60".into()];
        assert!(session_duration(&a).is_err());
    }

    #[test]
    fn condition_keys_carry_the_subject_the_document_and_directory_attributes() {
        let a = assertion();
        let accepted = check(&a, URL, NOW).unwrap();
        let facts = ProviderFacts {
            account: "123456789012",
            provider_name: "Idp",
            name_qualifier: "q",
        };
        let keys = condition_keys(&a, &accepted, &facts);
        let get = |k: &str| keys.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("SAML:aud"), Some(vec![URL.to_owned()]));
        assert_eq!(get("SAML:sub"), Some(vec!["alice".to_owned()]));
        assert_eq!(get("SAML:doc"), Some(vec!["123456789012/Idp".to_owned()]));
        assert_eq!(
            get("SAML:edupersonaffiliation"),
            Some(vec!["staff".to_owned(), "member".to_owned()])
        );
        assert_eq!(get("SAML:cn"), None);
    }
}
