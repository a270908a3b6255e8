//! RSA keys for HTTP signatures: generation, PEM parsing and encoding, raw
//! RSASSA-PKCS1-v1_5 with SHA-256 (what `rsa-sha256` and Mastodon's `hs2019` mean), all
//! in aws-lc-rs. Debug output never shows key material.
//!
//! Formats: PKCS#8 `BEGIN PRIVATE KEY` and PKCS#1 `BEGIN RSA PRIVATE KEY` (Mastodon
//! stores this) for private keys; SPKI `BEGIN PUBLIC KEY` and PKCS#1 `BEGIN RSA PUBLIC
//! KEY` for public keys (RFC 7468 PEM, RFC 8017 PKCS#1, RFC 5208 PKCS#8, RFC 5280 SPKI).

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa;
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The smallest RSA modulus accepted, in bits (Mastodon, Pleroma and GoToSocial use 2048+).
const MIN_RSA_BITS: usize = 2048;

/// Why a key could not be generated, parsed or exported.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The text has no complete `-----BEGIN …-----` / `-----END …-----` block, or its
    /// body is not base64.
    #[error("not a PEM block: {0}")]
    InvalidPem(&'static str),
    /// The PEM label is not one this key type reads; carries the label.
    #[error("unsupported PEM label {0:?}")]
    UnsupportedLabel(String),
    /// The DER inside the PEM is not an RSA key of the expected kind.
    #[error("not a valid RSA key")]
    Rejected,
    /// The RSA modulus is shorter than 2048 bits; carries its size.
    #[error("RSA key of {0} bits is too small (at least 2048 required)")]
    TooSmall(usize),
    /// The crypto library failed to generate or serialise a key.
    #[error("RSA key generation or export failed")]
    Crypto,
}

/// A freshly generated actor key pair, PEM-encoded for storage and publication.
///
/// `Debug` shows neither key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM. Secret: store encrypted or at least
    /// never log it; parse with [`SigningKey::from_pem`].
    pub private_pem: String,
    /// SPKI `-----BEGIN PUBLIC KEY-----` PEM: publish as the actor's `publicKeyPem`.
    pub public_pem: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair").finish_non_exhaustive()
    }
}

/// Generates a new RSA-2048 key pair for an actor.
///
/// Takes tens of milliseconds; call it off the async executor (`spawn_blocking`) when
/// many accounts are created at once.
///
/// # Errors
/// [`KeyError::Crypto`] if the crypto library fails (not expected).
pub fn generate_rsa_keypair() -> Result<KeyPair, KeyError> {
    let pair = rsa::KeyPair::generate(rsa::KeySize::Rsa2048).map_err(|_| KeyError::Crypto)?;
    let private_der = pair.as_der().map_err(|_| KeyError::Crypto)?;
    let public_der = pair.public_key().as_der().map_err(|_| KeyError::Crypto)?;
    Ok(KeyPair {
        private_pem: encode_pem("PRIVATE KEY", private_der.as_ref()),
        public_pem: encode_pem("PUBLIC KEY", public_der.as_ref()),
    })
}

/// A parsed RSA private key that signs requests. Parse once and reuse; cheap to share
/// by reference across threads. `Debug` shows only the key size.
pub struct SigningKey {
    inner: rsa::KeyPair,
}

impl SigningKey {
    /// Parses a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM.
    /// Surrounding whitespace, CRLF line ends and indentation are tolerated.
    ///
    /// # Errors
    /// [`KeyError::InvalidPem`], `UnsupportedLabel` (e.g. an encrypted key),
    /// `Rejected` (not RSA), `TooSmall` (under 2048 bits).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        let inner = match label.as_str() {
            "PRIVATE KEY" => rsa::KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => rsa::KeyPair::from_der(&der),
            _ => return Err(KeyError::UnsupportedLabel(label)),
        }
        .map_err(|_| KeyError::Rejected)?;
        let bits = inner.public_modulus_len() * 8;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall(bits));
        }
        Ok(Self { inner })
    }

    /// The matching public key as SPKI `BEGIN PUBLIC KEY` PEM.
    ///
    /// # Errors
    /// [`KeyError::Crypto`] if serialisation fails (not expected).
    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        let der = self
            .inner
            .public_key()
            .as_der()
            .map_err(|_| KeyError::Crypto)?;
        Ok(encode_pem("PUBLIC KEY", der.as_ref()))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub(super) fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut signature = vec![0; self.inner.public_modulus_len()];
        self.inner
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| KeyError::Crypto)?;
        Ok(signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("bits", &(self.inner.public_modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

/// A parsed RSA public key (a remote actor's `publicKeyPem`) that verifies signatures.
/// Parse once per fetched key and reuse. `Debug` shows only the key size.
pub struct VerifyingKey {
    inner: ParsedPublicKey,
    bits: usize,
}

impl VerifyingKey {
    /// Parses an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM, as
    /// published in an actor's `publicKey.publicKeyPem`. Surrounding whitespace, CRLF
    /// line ends and indentation are tolerated.
    ///
    /// # Errors
    /// [`KeyError::InvalidPem`], `UnsupportedLabel`, `Rejected` (not an RSA key),
    /// `TooSmall` (under 2048 bits).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
            return Err(KeyError::UnsupportedLabel(label));
        }
        // Both parsers below accept either encoding, so a mislabelled key still works.
        let bits = rsa::PublicKey::from_der(&der)
            .map_err(|_| KeyError::Rejected)?
            .modulus_len()
            * 8;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall(bits));
        }
        let inner = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &der)
            .map_err(|_| KeyError::Rejected)?;
        Ok(Self { inner, bits })
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub(super) fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> bool {
        self.inner.verify_sig(message, signature).is_ok()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

/// RFC 7468 PEM with 64-character lines and a trailing newline.
fn encode_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    let mut rest = body.as_str();
    while !rest.is_empty() {
        // Base64 is ASCII, so any byte offset is a character boundary.
        let (line, tail) = rest.split_at(rest.len().min(64));
        pem.push_str(line);
        pem.push('\n');
        rest = tail;
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// The label and DER of the first PEM block in `pem`; whitespace inside the base64
/// (newlines, CRLF, indentation) is ignored.
fn decode_pem(pem: &str) -> Result<(String, Vec<u8>), KeyError> {
    let invalid = KeyError::InvalidPem;
    let start = pem.find("-----BEGIN ").ok_or(invalid("no BEGIN line"))?;
    let after_begin = &pem[start + "-----BEGIN ".len()..];
    let label_end = after_begin
        .find("-----")
        .ok_or(invalid("unterminated BEGIN line"))?;
    let label = after_begin[..label_end].trim();
    let body = &after_begin[label_end + "-----".len()..];
    let end = body
        .find(&format!("-----END {label}-----"))
        .ok_or(invalid("no matching END line"))?;
    let base64: String = body[..end].split_whitespace().collect();
    let der = STANDARD
        .decode(base64)
        .map_err(|_| invalid("body is not base64"))?;
    Ok((label.to_owned(), der))
}
