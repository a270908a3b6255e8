//! The keys that protect two-factor sign-in data at rest, derived from the instance's
//! secret key (the one that signs access tokens) with HKDF-SHA256, one key per use:
//! - TOTP secrets are sealed with AES-256-GCM under a random nonce, the user id bound in
//!   as associated data, so a database dump alone yields no secret and a sealed secret
//!   copied onto another user's row does not open;
//! - recovery codes are stored as HMAC-SHA256 digests under a second key (a "pepper"),
//!   so their modest entropy cannot be brute-forced from a dump without the secret key;
//! - phone numbers (for lookups and limits) and phone verification codes are stored
//!   as HMAC-SHA256 digests under a third key, for the same reason: a phone number
//!   has little entropy, a 6-digit code less.
//!
//! Rotating the secret key makes every stored TOTP secret unreadable: users then set up
//! two-factor sign-in again (an admin can disable it with `roost admin disable-two-factor`).
//!
//! Specs: <https://www.rfc-editor.org/rfc/rfc5869> (HKDF), NIST SP 800-38D (GCM).

use std::sync::Arc;

use aws_lc_rs::aead::{Aad, Nonce, RandomizedNonceKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::{hkdf, hmac};

use crate::config::SecretKey;

/// HKDF salt: fixed, naming the scheme, so the derived keys change if the scheme does.
const SALT: &[u8] = b"roost two-factor keys v1";
const SEAL_INFO: &[u8] = b"totp secret sealing";
const PEPPER_INFO: &[u8] = b"recovery code digests";
const PHONE_INFO: &[u8] = b"phone number and verification code digests";

/// Why a sealed secret could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("the sealed two-factor secret cannot be opened (secret key changed, or damaged row)")]
pub struct Unsealable;

/// The derived keys. Cheap to clone; lives in the app state.
#[derive(Clone)]
pub struct TwoFactorKeys {
    seal: Arc<RandomizedNonceKey>,
    pepper: hmac::Key,
    phone: hmac::Key,
}

impl std::fmt::Debug for TwoFactorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwoFactorKeys(<redacted>)")
    }
}

/// An HKDF output length (aws-lc-rs asks for it as a type).
struct Length(usize);

impl hkdf::KeyType for Length {
    fn len(&self) -> usize {
        self.0
    }
}

fn derive(secret: &SecretKey, info: &[u8]) -> [u8; 32] {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(&secret.0);
    let mut key = [0u8; 32];
    prk.expand(&[info], Length(key.len()))
        .and_then(|okm| okm.fill(&mut key))
        .expect("32 bytes is within HKDF-SHA256's output limit");
    key
}

impl TwoFactorKeys {
    /// Derives the keys from the instance's secret key.
    pub fn derive(secret: &SecretKey) -> TwoFactorKeys {
        let seal = RandomizedNonceKey::new(&AES_256_GCM, &derive(secret, SEAL_INFO))
            .expect("a 32-byte key is an AES-256 key");
        TwoFactorKeys {
            seal: Arc::new(seal),
            pepper: hmac::Key::new(hmac::HMAC_SHA256, &derive(secret, PEPPER_INFO)),
            phone: hmac::Key::new(hmac::HMAC_SHA256, &derive(secret, PHONE_INFO)),
        }
    }

    /// Seals a TOTP secret for user `user_id`: nonce, then ciphertext and tag.
    pub fn seal(&self, user_id: i64, secret: &[u8]) -> Vec<u8> {
        let mut sealed = secret.to_vec();
        let nonce = self
            .seal
            .seal_in_place_append_tag(Aad::from(user_id.to_be_bytes()), &mut sealed)
            .expect("AES-GCM sealing of a short buffer cannot fail");
        let mut out = nonce.as_ref().to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`Self::seal`] sealed for the same user with the same secret key.
    pub fn open(&self, user_id: i64, sealed: &[u8]) -> Result<Vec<u8>, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unsealable)?;
        let mut buffer = ciphertext.to_vec();
        let plain = self
            .seal
            .open_in_place(nonce, Aad::from(user_id.to_be_bytes()), &mut buffer)
            .map_err(|_| Unsealable)?;
        Ok(plain.to_vec())
    }

    /// The stored form of a recovery code (already normalised): hex HMAC-SHA256.
    pub fn recovery_digest(&self, code: &str) -> String {
        let tag = hmac::sign(&self.pepper, code.as_bytes());
        tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The stored, searchable form of an E.164 phone number: hex HMAC-SHA256.
    pub fn phone_digest(&self, e164: &str) -> String {
        self.phone_tag(&["number", e164])
    }

    /// The stored form of the code of phone verification `id`: hex HMAC-SHA256 bound
    /// to the verification, so a code digest copied onto another row does not match.
    pub fn phone_code_digest(&self, id: i64, code: &str) -> String {
        self.phone_tag(&["code", &id.to_string(), code])
    }

    fn phone_tag(&self, parts: &[&str]) -> String {
        let tag = hmac::sign(&self.phone, parts.join("\n").as_bytes());
        tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> TwoFactorKeys {
        TwoFactorKeys::derive(&SecretKey(secret.to_vec()))
    }

    #[test]
    fn a_sealed_secret_opens_for_its_user_only_and_with_its_key_only() {
        let keys_a = keys(b"first secret key, long enough for a test");
        let sealed = keys_a.seal(7, b"totp secret bytes");
        assert_ne!(&sealed[NONCE_LEN..], b"totp secret bytes");
        assert_eq!(
            keys_a.open(7, &sealed).expect("opens"),
            b"totp secret bytes"
        );
        assert!(keys_a.open(8, &sealed).is_err(), "bound to the user id");
        let keys_b = keys(b"another secret key, long enough for it");
        assert!(keys_b.open(7, &sealed).is_err(), "bound to the secret key");
        assert!(keys_a.open(7, &sealed[..5]).is_err());
        assert_ne!(keys_a.seal(7, b"x"), keys_a.seal(7, b"x"), "fresh nonces");
    }

    #[test]
    fn recovery_digests_depend_on_the_secret_key() {
        let a = keys(b"first secret key, long enough for a test");
        let b = keys(b"another secret key, long enough for it");
        assert_eq!(a.recovery_digest("code"), a.recovery_digest("code"));
        assert_ne!(a.recovery_digest("code"), b.recovery_digest("code"));
        assert_eq!(a.recovery_digest("code").len(), 64);
    }
}
