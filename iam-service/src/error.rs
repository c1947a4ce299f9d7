//! The service's errors. Display texts are for logs; what a person sees is decided by the
//! caller (the console or the API), which must not show `Internal`'s details.

use iam_core::field::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input broke a rule; nothing was written.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// Wrong email address or password: one error for both, so it reveals nothing.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed attempts for this identifier or address; try again after `seconds`.
    #[error("throttled for {seconds} s")]
    Throttled { seconds: i64 },
    /// The password is past its maximum age and only an administrator can reset it.
    #[error("password expired")]
    PasswordExpired,
    /// The MFA code (or recovery code) was wrong, malformed or already used.
    #[error("invalid MFA code")]
    InvalidMfaCode,
    /// The signed-in user (or the key's user) was deleted or renamed since the session or
    /// request began.
    #[error("the signed-in identity no longer exists")]
    IdentityGone,
    /// The caller may not do this (engine decision, or not allowed by a setting).
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// A named thing does not exist.
    #[error("no such entity: {0}")]
    NoSuchEntity(String),
    /// A name is taken (AWS's `EntityAlreadyExists`), in AWS's words.
    #[error("EntityAlreadyExists: {0}")]
    AlreadyExists(String),
    /// A quota would be exceeded (`LimitExceeded`).
    #[error("LimitExceeded: {0}")]
    LimitExceeded(String),
    /// The thing still has dependents (`DeleteConflict`).
    #[error("DeleteConflict: {0}")]
    DeleteConflict(String),
    /// A policy document failed validation (`MalformedPolicyDocument`); each problem with its
    /// line and column.
    #[error("MalformedPolicyDocument: {0:?}")]
    MalformedPolicy(Vec<iam_core::policy::Diagnostic>),
    /// Session policies and tags too large for a session (`PackedPolicyTooLarge`).
    #[error("PackedPolicyTooLarge: {0}")]
    PackedPolicyTooLarge(String),
    /// AWS refuses the request with this error code and these words (`InvalidInput`,
    /// `UnmodifiableEntity`, `PolicyNotAttachable`, ...); nothing was written.
    #[error("{code}: {message}")]
    Rejected { code: &'static str, message: String },
    /// What an identity provider vouched for is refused (AWS's IDPRejectedClaim, 403).
    #[error("IDPRejectedClaim: {0}")]
    IdpRejectedClaim(String),
    /// Sign-up is turned off by configuration and an account already exists.
    #[error("sign-up is disabled")]
    SignUpClosed,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}
