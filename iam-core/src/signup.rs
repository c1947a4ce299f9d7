//! The sign-up form's rules: every field checked, every problem reported at once.

use crate::account::{validate_account_name, validate_email};
use crate::credentials::password::{check_default_rules, PasswordContext};
use crate::field::{FieldError, FieldErrors};

/// What a person typed into the sign-up form.
#[derive(Debug, Clone)]
pub struct SignUpInput<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub password_confirm: &'a str,
    pub account_name: &'a str,
}

/// A sign-up that passed every rule: email lower-cased, name trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSignUp {
    pub email: String,
    pub account_name: String,
}

pub fn validate_sign_up(input: &SignUpInput<'_>) -> Result<ValidSignUp, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let email = errors.check("email", validate_email(input.email));
    let account_name = errors.check("account_name", validate_account_name(input.account_name));
    let context = PasswordContext {
        account_name: Some(input.account_name),
        email: Some(input.email),
        user_name: None,
    };
    if input.password.is_empty() {
        errors.push("password", "enter a password");
    } else {
        for problem in check_default_rules(input.password, context) {
            errors.push("password", problem);
        }
    }
    if input.password_confirm != input.password {
        errors.push("password_confirm", "passwords do not match");
    }
    match (email, account_name) {
        (Some(email), Some(account_name)) if errors.is_empty() => Ok(ValidSignUp { email, account_name }),
        _ => Err(errors.into_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(email: &'a str, password: &'a str, confirm: &'a str, name: &'a str) -> SignUpInput<'a> {
        SignUpInput {
            email,
            password,
            password_confirm: confirm,
            account_name: name,
        }
    }

    #[test]
    fn valid() {
        let ok = validate_sign_up(&input(
            "Ann@Example.com",
            "Correct-h0rse",
            "Correct-h0rse",
            " Acme ",
        ));
        assert_eq!(
            ok,
            Ok(ValidSignUp {
                email: "ann@example.com".into(),
                account_name: "Acme".into()
            })
        );
    }

    #[test]
    fn reports_every_field() {
        let errors = validate_sign_up(&input("nope", "short", "shirt", "")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"email"), "{errors:?}");
        assert!(fields.contains(&"account_name"), "{errors:?}");
        assert!(fields.contains(&"password"), "{errors:?}");
        assert!(fields.contains(&"password_confirm"), "{errors:?}");
    }

    #[test]
    fn mismatch_alone() {
        let errors = validate_sign_up(&input("a@b.co", "Correct-h0rse", "Correct-h0rsE", "A")).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new("password_confirm", "passwords do not match")]
        );
    }
}
