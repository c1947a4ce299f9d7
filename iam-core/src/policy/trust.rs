//! Trust policies as the create-role wizard writes them: for an AWS service, or for an AWS
//! account with AWS's two options (require MFA, require an external ID).

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
    let (principal, conditions) = match entity {
        TrustedEntity::Service(service) => (format!("\"Service\": {}", quoted(service)), Vec::new()),
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
        "{{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {{\n            \"Effect\": \"Allow\",\n            \"Principal\": {{\n                {principal}\n            }},\n            \"Action\": \"sts:AssumeRole\"{condition}\n        }}\n    ]\n}}"
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
    }
}
