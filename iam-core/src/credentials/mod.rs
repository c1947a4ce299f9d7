//! Credential rules: password policy and quality. (TOTP, access keys and SigV4 come later.)

pub mod password;
