//! Random secrets (access-token ids, refresh tokens, authorization codes, client
//! secrets, the instance's secret key) and the digest they are stored under.
//!
//! A leaf on purpose: the configuration generates the secret key with
//! [`random_token`], and the token issuer reads the configuration, so these helpers
//! import nothing of Roost's.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Random URL-safe text carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}

/// Hex SHA-256, the form in which secrets are stored and looked up.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_distinct_and_hashes_are_hex() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 43);
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
