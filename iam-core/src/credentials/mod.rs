//! Credential rules: password policy and quality, virtual MFA, brute-force lockout.
//! (Access keys and SigV4 come with the API.)

pub mod lockout;
pub mod password;
pub mod totp;
