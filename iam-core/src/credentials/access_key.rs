//! Access key IDs and secrets in AWS's formats: `AKIA` + 16 of `[A-Z2-7]`, and 40 characters
//! of `[A-Za-z0-9+/]`. Randomness is passed in.

use rand_core::RngCore;

const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Picks `n` characters uniformly from `alphabet` (whose length divides 256: no bias).
fn pick(rng: &mut impl RngCore, alphabet: &[u8], n: usize) -> String {
    debug_assert!(256 % alphabet.len() == 0);
    let mut bytes = vec![0u8; n];
    rng.fill_bytes(&mut bytes);
    bytes
        .into_iter()
        .map(|b| char::from(alphabet[usize::from(b) % alphabet.len()]))
        .collect()
}

/// 40 characters, about 240 bits. The first is a letter or digit: a secret starting with
/// `+` would be taken for a formula by spreadsheets, and the .csv download would have to
/// alter it.
pub fn new_secret_access_key(rng: &mut impl RngCore) -> String {
    loop {
        let secret = pick(rng, SECRET_ALPHABET, 40);
        if secret.as_bytes()[0].is_ascii_alphanumeric() {
            return secret;
        }
    }
}

/// Whether text has the shape of an access key ID (long-term `AKIA` or temporary `ASIA`).
pub fn looks_like_key_id(text: &str) -> bool {
    text.len() == 20
        && (text.starts_with("AKIA") || text.starts_with("ASIA"))
        && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_secrets_have_aws_shapes() {
        let mut rng = rand::rngs::OsRng;
        let secret = new_secret_access_key(&mut rng);
        assert_eq!(secret.len(), 40);
        assert!(secret.bytes().all(|b| SECRET_ALPHABET.contains(&b)));
        assert_ne!(new_secret_access_key(&mut rng), secret);
        for _ in 0..2000 {
            let s = new_secret_access_key(&mut rng);
            assert!(s.as_bytes()[0].is_ascii_alphanumeric(), "{s}");
        }
        assert!(!looks_like_key_id("AKIA123"));
    }
}
