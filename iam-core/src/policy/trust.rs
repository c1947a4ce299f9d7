//! Trust policies as the create-role wizard writes them: for an AWS service, for an AWS
//! account with AWS's two options (require MFA, require an external ID), or for an identity
//! provider (web identity or SAML 2.0 federation).

/// Who the role is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustedEntity<'a> {
    /// A service principal, e.g. `ec2.amazonaws.com`.
    Service(&'a str),
    Account {
        account_id: &'a str,
        require_mfa: bool,
        external_id: Option<&'a str>,
    },
    /// An OpenID Connect provider's tokens issued for `audience`.
    WebIdentity {
        provider_arn: &'a str,
        audience: &'a str,
    },
    /// A SAML provider's assertions addressed to this console's `/saml` (`audience`).
    Saml {
        provider_arn: &'a str,
        audience: &'a str,
    },
}

/// The services the wizard offers as use cases: (name shown, service principal).
pub const SERVICE_USE_CASES: [(&str, &str); 2] =
    [("EC2", "ec2.amazonaws.com"), ("Lambda", "lambda.amazonaws.com")];

fn quoted(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The trust policy document, formatted as AWS's console shows it.
pub fn trust_policy(entity: &TrustedEntity<'_>) -> String {
    let string_equals = |key: &str, value: &str| {
        format!(
            "\"StringEquals\": {{\n                    {}: {}\n                }}",
            quoted(key),
            quoted(value)
        )
    };
    let mut action = "sts:AssumeRole";
    let (principal, conditions) = match entity {
        TrustedEntity::Service(service) => (format!("\"Service\": {}", quoted(service)), Vec::new()),
        TrustedEntity::WebIdentity {
            provider_arn,
            audience,
        } => {
            action = "sts:AssumeRoleWithWebIdentity";
            // The provider's condition keys are named by its host and path.
            let host_path = provider_arn.split_once(":oidc-provider/").map_or("", |(_, p)| p);
            (
                format!("\"Federated\": {}", quoted(provider_arn)),
                vec![string_equals(&format!("{host_path}:aud"), audience)],
            )
        }
        TrustedEntity::Saml {
            provider_arn,
            audience,
        } => {
            action = "sts:AssumeRoleWithSAML";
            (
                format!("\"Federated\": {}", quoted(provider_arn)),
                vec![string_equals("SAML:aud", audience)],
            )
        }
        TrustedEntity::Account {
            account_id,
            require_mfa,
            external_id,
        } => {
            let mut conditions = Vec::new();
            if let Some(id) = external_id {
                conditions.push(format!(
                    "\"StringEquals\": {{\n                    \"sts:ExternalId\": {}\n                }}",
                    quoted(id)
                ));
            }
            if *require_mfa {
                conditions.push(
                    "\"Bool\": {\n                    \"aws:MultiFactorAuthPresent\": \"true\"\n                }".to_owned(),
                );
            }
            (
                format!("\"AWS\": {}", quoted(&format!("arn:aws:iam::{account_id}:root"))),
                conditions,
            )
        }
    };
    let condition = if conditions.is_empty() {
        String::new()
    } else {
        format!(
            ",\n            \"Condition\": {{\n                {}\n            }}",
            conditions.join(",\n                ")
        )
    };
    format!(
        "{{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {{\n            \"Effect\": \"Allow\",\n            \"Principal\": {{\n                {principal}\n            }},\n            \"Action\": \"{action}\"{condition}\n        }}\n    ]\n}}"
    )
}

/// A unique principal ID (`AIDA…` for a user, `AROA…` for a role) as a deleted principal
/// leaves in trust policies: it names nobody who exists.
pub fn is_unique_id(value: &str) -> bool {
    (value.starts_with("AIDA") || value.starts_with("AROA"))
        && (16..=32).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The `AWS` principals of a policy's statements (in Principal and NotPrincipal), each as
/// written (unescaped) with the byte range of its JSON string in `text`. Empty when the text
/// is not JSON.
pub fn aws_principals(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    use super::json::{parse, Value};
    let Ok(root) = parse(text) else {
        return Vec::new();
    };
    fn member<'t>(node: &super::json::Node<'t>, key: &str) -> Option<super::json::Node<'t>> {
        match &node.value {
            Value::Object(members) => members.iter().find(|m| m.key == key).map(|m| m.value.clone()),
            _ => None,
        }
    }
    let statements = match member(&root, "Statement") {
        Some(node) => match node.value {
            Value::Array(items) => items,
            _ => vec![node],
        },
        None => Vec::new(),
    };
    let mut found = Vec::new();
    for statement in &statements {
        for key in ["Principal", "NotPrincipal"] {
            let Some(aws) = member(statement, key).and_then(|p| member(&p, "AWS")) else {
                continue;
            };
            let values = match aws.value {
                Value::Array(items) => items,
                _ => vec![aws],
            };
            for value in values {
                if let Value::String(s) = &value.value {
                    let start = value.loc.offset as usize;
                    found.push((s.to_string(), start..string_end(text, start)));
                }
            }
        }
    }
    found
}

/// Where the JSON string opening at `start` ends (just past its closing quote).
fn string_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The text with every `AWS` principal that is exactly `from` written as `to` instead (as a
/// JSON string), the rest of the document untouched; `None` when none was.
pub fn repoint_principal(text: &str, from: &str, to: &str) -> Option<String> {
    let mut hits: Vec<std::ops::Range<usize>> = aws_principals(text)
        .into_iter()
        .filter(|(value, _)| value == from)
        .map(|(_, range)| range)
        .collect();
    if hits.is_empty() {
        return None;
    }
    let replacement = quoted(to);
    hits.sort_by_key(|r| std::cmp::Reverse(r.start));
    let mut out = text.to_owned();
    for range in hits {
        out.replace_range(range, &replacement);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{parse_policy, PolicyKind};

    #[test]
    fn every_wizard_choice_is_a_valid_trust_policy() {
        let choices = [
            TrustedEntity::Service("ec2.amazonaws.com"),
            TrustedEntity::Account {
                account_id: "123456789012",
                require_mfa: false,
                external_id: None,
            },
            TrustedEntity::Account {
                account_id: "123456789012",
                require_mfa: true,
                external_id: Some("tenant \"7\""),
            },
            TrustedEntity::WebIdentity {
                provider_arn: "arn:aws:iam::123456789012:oidc-provider/token.example.com/tenant",
                audience: "sts.amazonaws.com",
            },
            TrustedEntity::Saml {
                provider_arn: "arn:aws:iam::123456789012:saml-provider/Okta",
                audience: "https://console.example.com/saml",
            },
        ];
        for choice in &choices {
            let text = trust_policy(choice);
            let parsed = parse_policy(&text, PolicyKind::Trust);
            assert!(
                parsed.errors().next().is_none(),
                "{text}: {:?}",
                parsed.diagnostics
            );
            assert!(parsed.policy.is_some(), "{text}");
        }
        let both = trust_policy(&choices[2]);
        assert!(
            both.contains("aws:MultiFactorAuthPresent") && both.contains(r#"tenant \"7\""#),
            "{both}"
        );
        let web = trust_policy(&choices[3]);
        assert!(
            web.contains(r#""token.example.com/tenant:aud": "sts.amazonaws.com""#)
                && web.contains("sts:AssumeRoleWithWebIdentity"),
            "{web}"
        );
        let saml = trust_policy(&choices[4]);
        assert!(
            saml.contains(r#""SAML:aud": "https://console.example.com/saml""#),
            "{saml}"
        );
    }
}

#[cfg(test)]
mod repoint_tests {
    use super::{aws_principals, repoint_principal};

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    #[test]
    fn only_aws_principals_change_and_nothing_else_moves() {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["{ALICE}","{ALICE}x"],"Service":"{ALICE}"}},
              "Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:PrincipalArn":"{ALICE}"}},"NumericLessThan":{{"n":1.10}}}}}}]}}"#
        );
        let out = repoint_principal(&doc, ALICE, "AIDAEXAMPLE000000000").unwrap();
        assert_eq!(
            out,
            doc.replacen(&format!(r#"["{ALICE}","#), r#"["AIDAEXAMPLE000000000","#, 1)
        );
        assert_eq!(
            repoint_principal(&doc, "arn:aws:iam::111122223333:user/bob", "x"),
            None
        );
        assert_eq!(repoint_principal("not json", ALICE, "x"), None);
    }

    #[test]
    fn escaped_principals_are_found_by_their_value() {
        let doc = r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user\/\u0061lice"},"Action":"sts:AssumeRole"}}"#;
        let found = aws_principals(doc);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, ALICE);
        let out = repoint_principal(doc, ALICE, "AIDAEXAMPLE000000000").unwrap();
        assert!(out.contains(r#"{"AWS":"AIDAEXAMPLE000000000"}"#), "{out}");
    }

    #[test]
    fn a_new_arn_that_needs_escaping_is_written_escaped() {
        let doc = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{ALICE}"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        let moved = r#"arn:aws:iam::111122223333:user/q"\/alice2"#;
        let out = repoint_principal(&doc, ALICE, moved).unwrap();
        assert_eq!(aws_principals(&out)[0].0, moved, "{out}");
    }
}
