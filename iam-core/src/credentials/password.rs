//! Password rules. Without a custom policy AWS requires 8-128 characters, three of the four
//! character types, and a password different from the account name and email address.

/// The symbols that count as a character type, as AWS lists them.
pub const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

pub const MAX_LENGTH: usize = 128;
pub const DEFAULT_MIN_LENGTH: usize = 8;

/// Facts about the identity that a password must not simply repeat.
#[derive(Debug, Default, Clone, Copy)]
pub struct PasswordContext<'a> {
    pub account_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub user_name: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    Uppercase,
    Lowercase,
    Number,
    Symbol,
}

impl CharClass {
    pub fn of(c: char) -> Option<Self> {
        match c {
            'A'..='Z' => Some(Self::Uppercase),
            'a'..='z' => Some(Self::Lowercase),
            '0'..='9' => Some(Self::Number),
            c if SYMBOLS.contains(c) => Some(Self::Symbol),
            _ => None,
        }
    }
}

/// Which of the four character types a password uses.
pub fn classes_used(password: &str) -> [bool; 4] {
    let mut used = [false; 4];
    for class in password.chars().filter_map(CharClass::of) {
        used[class as usize] = true;
    }
    used
}

/// Checks a password against the rules in force without a custom password policy.
/// Returns every unmet rule, in words fit to show under the password field.
pub fn check_default_rules(password: &str, context: PasswordContext<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let length = password.chars().count();
    if length < DEFAULT_MIN_LENGTH {
        problems.push(format!(
            "password must be at least {DEFAULT_MIN_LENGTH} characters; it has {length}"
        ));
    }
    if length > MAX_LENGTH {
        problems.push(format!(
            "password must be at most {MAX_LENGTH} characters; it has {length}"
        ));
    }
    let kinds = classes_used(password).iter().filter(|used| **used).count();
    if kinds < 3 {
        problems.push(format!(
            "password must mix at least three of: uppercase letters, lowercase letters, numbers, \
             symbols ({SYMBOLS}); it has {kinds}"
        ));
    }
    problems.extend(same_as_identity(password, context));
    problems
}

/// An account's password policy, with AWS's settings and ranges. Absent, the default rules
/// above apply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordPolicy {
    /// 6-128.
    pub minimum_length: u8,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub allow_users_to_change_password: bool,
    /// Days, 1-1095: passwords expire this long after they were set.
    pub max_password_age: Option<u16>,
    /// 1-24: a new password must differ from this many previous ones.
    pub password_reuse_prevention: Option<u8>,
    /// Expired passwords can only be reset by an administrator.
    pub hard_expiry: bool,
    /// Ours, beyond AWS: refuse passwords that are easy to guess (zxcvbn score below 3),
    /// however well they meet the character rules. On by default.
    #[serde(default = "on")]
    pub refuse_guessable: bool,
}

fn on() -> bool {
    true
}

impl Default for PasswordPolicy {
    /// What the console proposes when a policy is first set (AWS's console defaults).
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            allow_users_to_change_password: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(5),
            hard_expiry: false,
            refuse_guessable: true,
        }
    }
}

impl PasswordPolicy {
    /// Checks the settings against AWS's ranges; every problem, by field.
    pub fn validate(&self) -> Vec<crate::field::FieldError> {
        use crate::field::FieldError;
        let mut errors = Vec::new();
        if !(6..=128).contains(&self.minimum_length) {
            errors.push(FieldError::new(
                "minimum_length",
                format!(
                    "minimum password length must be 6 to 128; got {}",
                    self.minimum_length
                ),
            ));
        }
        if let Some(days) = self.max_password_age.filter(|d| !(1..=1095).contains(d)) {
            errors.push(FieldError::new(
                "max_password_age",
                format!("password expiration must be 1 to 1095 days; got {days}"),
            ));
        }
        if let Some(n) = self.password_reuse_prevention.filter(|n| !(1..=24).contains(n)) {
            errors.push(FieldError::new(
                "password_reuse_prevention",
                format!("password reuse prevention must remember 1 to 24 passwords; got {n}"),
            ));
        }
        errors
    }

    /// Every rule `password` breaks, in words fit to show under the password field.
    pub fn check(&self, password: &str, context: PasswordContext<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        let length = password.chars().count();
        let min = usize::from(self.minimum_length);
        if length < min {
            problems.push(format!(
                "password must be at least {min} characters; it has {length}"
            ));
        }
        if length > MAX_LENGTH {
            problems.push(format!(
                "password must be at most {MAX_LENGTH} characters; it has {length}"
            ));
        }
        let [upper, lower, number, symbol] = classes_used(password);
        let rules = [
            (
                self.require_uppercase,
                upper,
                "an uppercase letter (A-Z)".to_string(),
            ),
            (
                self.require_lowercase,
                lower,
                "a lowercase letter (a-z)".to_string(),
            ),
            (self.require_numbers, number, "a number (0-9)".to_string()),
            (self.require_symbols, symbol, format!("a symbol ({SYMBOLS})")),
        ];
        for (required, present, what) in rules {
            if required && !present {
                problems.push(format!("password must include {what}"));
            }
        }
        problems.extend(same_as_identity(password, context));
        problems
    }
}

fn same_as_identity(password: &str, context: PasswordContext<'_>) -> Vec<String> {
    let equals =
        |other: Option<&str>| other.is_some_and(|o| !o.is_empty() && o.trim().eq_ignore_ascii_case(password));
    let mut problems = Vec::new();
    if equals(context.account_name) {
        problems.push("password must not be the account name".into());
    }
    if equals(context.email) {
        problems.push("password must not be the email address".into());
    }
    if equals(context.user_name) {
        problems.push("password must not be the user name".into());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str) -> Vec<String> {
        check_default_rules(password, PasswordContext::default())
    }

    #[test]
    fn accepts_three_kinds_at_eight_characters() {
        assert!(check("abcdEF12").is_empty());
        assert!(check("abcdefG!").is_empty());
        assert!(check("ABCDEF1!").is_empty());
    }

    #[test]
    fn refuses_short_and_long() {
        assert!(check("abC1!")
            .iter()
            .any(|p| p.contains("at least 8") && p.contains("has 5")));
        let long = format!("aB1{}", "x".repeat(126));
        assert!(check(&long).iter().any(|p| p.contains("at most 128")));
    }

    #[test]
    fn refuses_two_kinds() {
        let problems = check("abcdefgh12");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("it has 2"));
        // Characters outside the listed symbols do not count as a kind.
        assert!(!check("abcdefgh1~").is_empty());
    }

    #[test]
    fn custom_policies() {
        let policy = PasswordPolicy {
            minimum_length: 12,
            require_symbols: true,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            policy.check("Short1", PasswordContext::default()),
            vec![
                "password must be at least 12 characters; it has 6".to_string(),
                format!("password must include a symbol ({SYMBOLS})"),
            ]
        );
        assert!(policy
            .check("Long-enough-1x", PasswordContext::default())
            .is_empty());
        let lax = PasswordPolicy {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            ..PasswordPolicy::default()
        };
        assert!(lax.check("aaaaaa", PasswordContext::default()).is_empty());
        let bad = PasswordPolicy {
            minimum_length: 5,
            max_password_age: Some(0),
            password_reuse_prevention: Some(25),
            ..PasswordPolicy::default()
        };
        let fields: Vec<String> = bad.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["minimum_length", "max_password_age", "password_reuse_prevention"]
        );
        assert!(PasswordPolicy::default().validate().is_empty());
    }

    #[test]
    fn refuses_the_account_name_and_email() {
        let context = PasswordContext {
            account_name: Some("Acme-Prod1"),
            email: Some("Ann@Example.com1"),
            user_name: None,
        };
        assert_eq!(check_default_rules("acme-prod1", context).len(), 1);
        assert_eq!(
            check_default_rules("ann@example.COM1", context),
            vec!["password must not be the email address".to_string()]
        );
        assert!(check_default_rules("Another-1pass", context).is_empty());
    }
}
