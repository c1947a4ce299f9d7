//! AWS Query protocol responses: `<ActionResponse><ActionResult>…</ActionResult>` with a
//! RequestId, and `<ErrorResponse>` with AWS's codes.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
pub const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `<name>text</name>`, escaped.
pub fn el(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// An ISO 8601 time as AWS writes it, e.g. `2026-11-29T10:00:00Z`.
pub fn time(epoch: i64) -> String {
    iam_core::policy::values::format_iso8601(epoch)
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

/// Actions whose output AWS models as an empty structure: the SDKs look for an (empty)
/// `<{action}Result>` in their answer. Other empty answers have none.
const EMPTY_RESULTS: [&str; 1] = ["UpdateRole"];

/// A successful answer to `action`, with `result` inside `<{action}Result>` (empty: none).
pub fn success(namespace: &str, action: &str, result: &str, request_id: &str) -> Response {
    let result = if result.is_empty() && EMPTY_RESULTS.contains(&action) {
        format!("<{action}Result/>")
    } else if result.is_empty() {
        String::new()
    } else {
        format!("<{action}Result>{result}</{action}Result>")
    };
    xml(
        StatusCode::OK,
        format!(
            "<{action}Response xmlns=\"{namespace}\">{result}<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
        ),
    )
}

/// An API error as AWS sends it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// AWS's answer to a key (or session) that is not, or no longer, valid.
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    pub fn response(&self, request_id: &str) -> Response {
        let kind = if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        xml(
            self.status,
            format!(
                "<ErrorResponse xmlns=\"{IAM_NS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                self.code,
                escape(&self.message)
            ),
        )
    }
}

impl From<iam_service::ServiceError> for ApiError {
    fn from(error: iam_service::ServiceError) -> Self {
        use iam_service::ServiceError as E;
        match error {
            E::AccessDenied(m) => Self::new(StatusCode::FORBIDDEN, "AccessDenied", m),
            E::NoSuchEntity(m) => Self::new(StatusCode::NOT_FOUND, "NoSuchEntity", m),
            E::AlreadyExists(m) => Self::new(StatusCode::CONFLICT, "EntityAlreadyExists", m),
            E::LimitExceeded(m) => Self::new(StatusCode::CONFLICT, "LimitExceeded", m),
            E::DeleteConflict(m) => Self::new(StatusCode::CONFLICT, "DeleteConflict", m),
            E::IdentityGone => Self::invalid_token(),
            E::PackedPolicyTooLarge(m) => Self::new(StatusCode::BAD_REQUEST, "PackedPolicyTooLarge", m),
            E::Rejected { code, message } => Self::new(StatusCode::BAD_REQUEST, code, message),
            E::IdpRejectedClaim(m) => Self::new(StatusCode::FORBIDDEN, "IDPRejectedClaim", m),
            // AWS's throttling answer; the SDKs retry it with back-off.
            E::Throttled { .. } => Self::new(StatusCode::BAD_REQUEST, "Throttling", "Rate exceeded"),
            E::InvalidMfaCode => Self::new(
                StatusCode::FORBIDDEN,
                "InvalidAuthenticationCode",
                "Authentication code for device is not valid.",
            ),
            E::MalformedPolicy(diagnostics) => Self::new(
                StatusCode::BAD_REQUEST,
                "MalformedPolicyDocument",
                // AWS's words only: our own detail follows them in parentheses.
                diagnostics
                    .first()
                    .map(|d| d.message.split(" (").next().unwrap_or(&d.message).to_owned())
                    .unwrap_or_else(|| "Syntax errors in policy.".into()),
            ),
            E::Invalid(errors) => Self::validation(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            // Two changes that locked the same rows in opposite orders: one is refused, and
            // SDKs retry AWS's ConcurrentModification.
            E::Database(sqlx::Error::Database(e))
                if matches!(e.code().as_deref(), Some("40P01" | "40001")) =>
            {
                Self::new(
                    StatusCode::CONFLICT,
                    "ConcurrentModification",
                    "The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.",
                )
            }
            other => {
                tracing::error!("api: {other}");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "ServiceFailure",
                    "The request processing has failed because of an unknown error, exception or failure.",
                )
            }
        }
    }
}

/// Standard base64 with padding (the credential report's Content).
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(plain.as_bytes()), encoded);
        }
    }
}
