//! Credential rules: password policy and quality, virtual MFA, brute-force lockout.
//! SigV4 request signatures for the AWS-compatible API.

pub mod access_key;
pub mod lockout;
pub mod password;
pub mod session;
pub mod sigv4;
pub mod totp;
