//! VAPID: the instance identifies itself to push services with an ECDSA P-256 key.
//! Clients pass the public half (the `server_key` of a subscription, the instance's
//! `vapid.public_key`) to the browser or push relay when they subscribe; every push
//! carries a short-lived ES256 JWT signed with the private half.
//!
//! Spec: <https://www.rfc-editor.org/rfc/rfc8292> (the `vapid` scheme), and the earlier
//! draft's `WebPush` scheme with `Crypto-Key: p256ecdsa=` for `aesgcm` subscribers.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::json;

/// How long a VAPID token is valid (RFC 8292 allows at most 24 hours).
const TOKEN_LIFETIME_SECS: i64 = 12 * 3600;

/// The instance's VAPID key pair.
pub struct VapidKey {
    pair: EcdsaKeyPair,
    public_key: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("VapidKey")
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// A new random key, as PKCS#8 bytes to store.
    pub fn generate_pkcs8() -> anyhow::Result<Vec<u8>> {
        let document =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|_| anyhow::anyhow!("could not generate a VAPID key"))?;
        Ok(document.as_ref().to_vec())
    }

    /// Loads a stored key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> anyhow::Result<VapidKey> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map_err(|error| anyhow::anyhow!("the stored VAPID key is unusable: {error}"))?;
        let public_key = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        Ok(VapidKey { pair, public_key })
    }

    /// The public key: an uncompressed P-256 point, base64url without padding.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// A signed JWT for pushes to `audience` (the push service's origin), naming
    /// `subject` (a `mailto:` or `https:` contact) as RFC 8292 §2.1 asks.
    pub fn token(
        &self,
        audience: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let header = URL_SAFE_NO_PAD.encode(json!({"typ": "JWT", "alg": "ES256"}).to_string());
        let claims = json!({
            "aud": audience,
            "exp": now.timestamp() + TOKEN_LIFETIME_SECS,
            "sub": subject,
        });
        let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        // The fixed-length (r ‖ s) signature is exactly JWS's ES256 format.
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| anyhow::anyhow!("VAPID signing failed"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    use super::*;

    #[test]
    fn a_token_is_an_es256_jwt_that_the_public_key_verifies() {
        let key = VapidKey::from_pkcs8(&VapidKey::generate_pkcs8().expect("key")).expect("loads");
        let now = Utc::now();
        let token = key
            .token("https://push.example", "mailto:admin@example.com", now)
            .expect("token");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(claims["aud"], "https://push.example");
        assert_eq!(claims["sub"], "mailto:admin@example.com");
        assert_eq!(claims["exp"], now.timestamp() + TOKEN_LIFETIME_SECS);
        let public = URL_SAFE_NO_PAD.decode(key.public_key()).expect("b64");
        assert_eq!(public.len(), 65);
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("the signature verifies");
    }
}
