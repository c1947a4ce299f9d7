//! Name and path rules for users, groups, roles and policies, with AWS's ValidationError words
//! (the API shows them as they are; the console shows them under the field).

use crate::field::FieldError;

/// What is being named, with AWS's parameter name and maximum length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    User,
    Group,
    Role,
    Policy,
    InstanceProfile,
}

impl NameKind {
    /// The API parameter, as AWS's messages spell it.
    pub fn parameter(self) -> &'static str {
        match self {
            NameKind::User => "userName",
            NameKind::Group => "groupName",
            NameKind::Role => "roleName",
            NameKind::Policy => "policyName",
            NameKind::InstanceProfile => "instanceProfileName",
        }
    }

    /// The console form field.
    pub fn field(self) -> &'static str {
        match self {
            NameKind::User => "user_name",
            NameKind::Group => "group_name",
            NameKind::Role => "role_name",
            NameKind::Policy => "policy_name",
            NameKind::InstanceProfile => "instance_profile_name",
        }
    }

    pub fn max_len(self) -> usize {
        match self {
            NameKind::User | NameKind::Role => 64,
            NameKind::Group | NameKind::Policy | NameKind::InstanceProfile => 128,
        }
    }
}

pub(crate) fn name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b)
}

pub(crate) fn constraint(value: &str, parameter: &str, rule: &str) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{parameter}' failed to satisfy constraint: {rule}"
    )
}

/// Checks a name: 1 to the kind's maximum of `[\w+=,.@-]`.
pub fn check_name(kind: NameKind, name: &str) -> Result<(), FieldError> {
    let parameter = kind.parameter();
    let message = if name.is_empty() {
        Some(constraint(
            name,
            parameter,
            "Member must have length greater than or equal to 1",
        ))
    } else if name.len() > kind.max_len() {
        Some(constraint(
            name,
            parameter,
            &format!("Member must have length less than or equal to {}", kind.max_len()),
        ))
    } else if !name.bytes().all(name_char) {
        Some(constraint(
            name,
            parameter,
            r"Member must satisfy regular expression pattern: [\w+=,.@-]+",
        ))
    } else {
        None
    };
    match message {
        Some(message) => Err(FieldError::new(kind.field(), message)),
        None => Ok(()),
    }
}

/// Checks a path: `/` alone, or `/` ... `/` of printable ASCII, at most 512 characters.
pub fn check_path(path: &str) -> Result<(), FieldError> {
    let ok = path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "path",
            constraint(
                path,
                "path",
                r"Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)",
            ),
        ))
    }
}

/// A tag: key 1-128 and value 0-256 characters; keys starting `aws:` are AWS's.
pub fn check_tag(key: &str, value: &str) -> Result<(), FieldError> {
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    if key.is_empty() || key.chars().count() > 128 || !key.chars().all(allowed) {
        return Err(FieldError::new(
            "tags",
            constraint(
                key,
                "tags.member.key",
                r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+ and have length 1 to 128",
            ),
        ));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(FieldError::new(
            "tags",
            format!("tag key `{key}` is reserved: keys starting with aws: belong to AWS"),
        ));
    }
    if value.chars().count() > 256 || !value.chars().all(allowed) {
        return Err(FieldError::new(
            "tags",
            constraint(
                value,
                "tags.member.value",
                r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]* and have length 0 to 256",
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        assert!(check_name(NameKind::User, "alice.smith+ops@example.com").is_ok());
        let e = check_name(NameKind::User, "a b").unwrap_err();
        assert_eq!(e.field, "user_name");
        assert!(e.message.contains("Value 'a b' at 'userName'"), "{}", e.message);
        assert!(check_name(NameKind::User, &"a".repeat(65)).is_err());
        assert!(check_name(NameKind::Group, &"a".repeat(128)).is_ok());
        assert!(check_name(NameKind::Group, &"a".repeat(129)).is_err());
        assert!(check_name(NameKind::Policy, "").is_err());
    }

    #[test]
    fn paths_start_and_end_with_a_slash() {
        assert!(check_path("/").is_ok());
        assert!(check_path("/engineering/ops/").is_ok());
        assert!(check_path("engineering/").is_err());
        assert!(check_path("/a b/").is_err());
        assert!(check_path(&format!("/{}/", "a".repeat(511))).is_err());
    }

    #[test]
    fn tags_refuse_reserved_and_long_keys() {
        assert!(check_tag("team", "platform").is_ok());
        assert!(check_tag("aws:created", "x").is_err());
        assert!(check_tag("", "x").is_err());
        assert!(check_tag("k", &"v".repeat(257)).is_err());
    }
}
