//! The one error type every server function returns. Its messages are safe to show: no
//! internals, and nothing that tells whether an email address or user name exists.

use iam_core::field::FieldError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input broke rules; each message belongs under its field.
    #[error("check the fields marked below")]
    Invalid(Vec<FieldError>),
    #[error("Your authentication information is incorrect. Please try again.")]
    InvalidCredentials,
    #[error("you are not signed in, or your session has ended; sign in again")]
    NotSignedIn,
    #[error("too many failed attempts; try again in {}", wait_words(*seconds))]
    Throttled { seconds: i64 },
    #[error("the MFA code is not valid or was already used; enter the current code from your app")]
    InvalidMfaCode,
    #[error("your password has expired; ask your administrator to reset it")]
    PasswordExpired,
    /// The engine's refusal, in AWS's words.
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    NoSuchEntity(String),
    #[error("EntityAlreadyExists: {0}")]
    AlreadyExists(String),
    #[error("LimitExceeded: {0}")]
    LimitExceeded(String),
    #[error("DeleteConflict: {0}")]
    DeleteConflict(String),
    /// AWS's refusal with its code, e.g. `UnmodifiableEntity: Cannot perform ...`.
    #[error("{0}")]
    Refused(String),
    /// Each problem with its line and column, e.g. `Line 3, column 5: ...`.
    #[error("MalformedPolicyDocument: {}", .0.join("; "))]
    MalformedPolicy(Vec<String>),
    #[error("sign-up is turned off on this console; ask its administrator for access")]
    SignUpClosed,
    #[error("the request was not understood; reload the page and try again")]
    BadRequest,
    #[error("this request must come from the console's own pages")]
    CrossSite,
    #[error("the console could not be reached; check the connection and try again")]
    Unreachable,
    /// The details are in the server log under this reference, never in the message.
    #[error("something went wrong on our side; try again (reference {0})")]
    Internal(String),
}

fn wait_words(seconds: i64) -> String {
    match seconds {
        s if s <= 60 => format!("{s} second{}", if s == 1 { "" } else { "s" }),
        s => {
            let minutes = (s + 59) / 60;
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        }
    }
}

impl AppError {
    /// The messages that belong under `field`.
    pub fn field_messages(&self, field: &str) -> Vec<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .filter(|e| e.field == field)
                .map(|e| e.message.clone())
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            ServerFnErrorErr::MiddlewareError(_) => AppError::CrossSite,
            other => internal(other),
        }
    }
}

#[cfg(feature = "ssr")]
fn internal(detail: impl std::fmt::Display) -> AppError {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let reference = format!("{:x}-{}", stamp, SEQ.fetch_add(1, Ordering::Relaxed));
    tracing::error!(reference, "{detail}");
    AppError::Internal(reference)
}

#[cfg(not(feature = "ssr"))]
fn internal(_detail: impl std::fmt::Display) -> AppError {
    AppError::Internal("client".into())
}

#[cfg(feature = "ssr")]
impl From<iam_service::ServiceError> for AppError {
    fn from(error: iam_service::ServiceError) -> Self {
        use iam_service::ServiceError as E;
        match error {
            E::Invalid(errors) => AppError::Invalid(errors),
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::IdentityGone => AppError::NotSignedIn,
            E::SignUpClosed => AppError::SignUpClosed,
            E::Throttled { seconds } => AppError::Throttled { seconds },
            E::InvalidMfaCode => AppError::InvalidMfaCode,
            E::PasswordExpired => AppError::PasswordExpired,
            E::AccessDenied(message) => AppError::AccessDenied(message),
            E::NoSuchEntity(message) => AppError::NoSuchEntity(message),
            E::AlreadyExists(message) => AppError::AlreadyExists(message),
            E::LimitExceeded(message) | E::PackedPolicyTooLarge(message) => AppError::LimitExceeded(message),
            E::DeleteConflict(message) => AppError::DeleteConflict(message),
            E::Rejected { code, message } => AppError::Refused(format!("{code}: {message}")),
            E::IdpRejectedClaim(message) => AppError::AccessDenied(message),
            E::MalformedPolicy(diagnostics) => AppError::MalformedPolicy(
                diagnostics
                    .iter()
                    .map(|d| format!("Line {}, column {}: {}", d.loc.line, d.loc.column, d.message))
                    .collect(),
            ),
            other @ (E::Database(_) | E::Internal(_)) => internal(other),
        }
    }
}
