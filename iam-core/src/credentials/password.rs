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
    let equals =
        |other: Option<&str>| other.is_some_and(|o| !o.is_empty() && o.trim().eq_ignore_ascii_case(password));
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
