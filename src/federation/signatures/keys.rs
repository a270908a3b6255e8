//! Actor keys for HTTP signatures: RSA and Ed25519 key pairs (generation, PEM in and
//! out) and the raw signing primitives both signature schemes use, all in aws-lc-rs.
//! Debug output never shows key material.
//!
//! RSA signs with RSASSA-PKCS1-v1_5 and SHA-256: what draft-cavage `rsa-sha256` and
//! Mastodon's `hs2019` mean, and RFC 9421 `rsa-v1_5-sha256`. Ed25519 (RFC 8032) signs
//! the message itself, with no prehash: RFC 9421 `ed25519`.
//!
//! Formats: PKCS#8 `BEGIN PRIVATE KEY` (RSA or Ed25519) and PKCS#1 `BEGIN RSA PRIVATE
//! KEY` (Mastodon stores this) for private keys; SPKI `BEGIN PUBLIC KEY` (RSA or
//! Ed25519) and PKCS#1 `BEGIN RSA PUBLIC KEY` for public keys (RFC 7468 PEM, RFC 8017
//! PKCS#1, RFC 5208 PKCS#8, RFC 5280 SPKI, RFC 8410 Ed25519). FEP-521a Multikey
//! (`publicKeyMultibase`) encoding lives in `multikey.rs`.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa;
use aws_lc_rs::signature::{
    Ed25519KeyPair, KeyPair as _, ParsedPublicKey, ED25519, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The smallest RSA modulus accepted, in bits (Mastodon, Pleroma and GoToSocial use 2048+).
const MIN_RSA_BITS: usize = 2048;

/// The length of a raw Ed25519 public key, and the tail of its 44-byte SPKI encoding.
pub(super) const ED25519_PUBLIC_KEY_LEN: usize = 32;

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
    /// The DER inside the PEM is neither an RSA nor an Ed25519 key of the expected kind.
    #[error("not a valid RSA or Ed25519 key")]
    Rejected,
    /// The RSA modulus is shorter than 2048 bits; carries its size.
    #[error("RSA key of {0} bits is too small (at least 2048 required)")]
    TooSmall(usize),
    /// A `publicKeyMultibase` value is not a Multikey this server reads (FEP-521a).
    #[error("not a supported Multikey: {0}")]
    InvalidMultikey(&'static str),
    /// The crypto library failed to generate or serialise a key.
    #[error("key generation or export failed")]
    Crypto,
}

/// Which kind of key signs or verifies: decides the algorithm of both signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// RSA (RSASSA-PKCS1-v1_5 with SHA-256): `rsa-sha256` / `rsa-v1_5-sha256`.
    Rsa,
    /// Ed25519 (RFC 8032): RFC 9421 `ed25519`.
    Ed25519,
}

impl KeyType {
    /// The RFC 9421 `alg` name (HTTP Signature Algorithms registry) for this key type.
    pub fn rfc9421_algorithm(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa-v1_5-sha256",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// A freshly generated actor key pair, PEM-encoded for storage and publication.
///
/// `Debug` shows neither key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM. Secret: store encrypted or at least
    /// never log it; parse with [`SigningKey::from_pem`].
    pub private_pem: String,
    /// SPKI `-----BEGIN PUBLIC KEY-----` PEM: publish an RSA key as the actor's
    /// `publicKeyPem`; publish an Ed25519 key as a Multikey instead
    /// ([`VerifyingKey::public_key_multibase`]).
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

/// Generates a new Ed25519 key pair for an actor (its second key, beside RSA).
///
/// The private key is PKCS#8 v1 (RFC 8410, the form `openssl genpkey` writes), so any
/// tool reads it. Fast (microseconds), unlike RSA.
///
/// # Errors
/// [`KeyError::Crypto`] if the crypto library fails (not expected).
pub fn generate_ed25519_keypair() -> Result<KeyPair, KeyError> {
    let pair = Ed25519KeyPair::generate().map_err(|_| KeyError::Crypto)?;
    let private_der = pair.to_pkcs8v1().map_err(|_| KeyError::Crypto)?;
    let public_der = pair.public_key().as_der().map_err(|_| KeyError::Crypto)?;
    Ok(KeyPair {
        private_pem: encode_pem("PRIVATE KEY", private_der.as_ref()),
        public_pem: encode_pem("PUBLIC KEY", public_der.as_ref()),
    })
}

/// A parsed private key (RSA or Ed25519) that signs requests. Parse once and reuse;
/// cheap to share by reference across threads. `Debug` shows only the key type and
/// size.
pub struct SigningKey {
    inner: PrivateKey,
}

enum PrivateKey {
    Rsa(rsa::KeyPair),
    Ed25519(Ed25519KeyPair),
}

impl SigningKey {
    /// Parses a PKCS#8 (`BEGIN PRIVATE KEY`, RSA or Ed25519, v1 or v2) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`) PEM. Surrounding whitespace, CRLF line ends and
    /// indentation are tolerated.
    ///
    /// # Errors
    /// [`KeyError::InvalidPem`], `UnsupportedLabel` (e.g. an encrypted key),
    /// `Rejected` (neither RSA nor Ed25519), `TooSmall` (RSA under 2048 bits).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        let rsa = match label.as_str() {
            "PRIVATE KEY" => rsa::KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => rsa::KeyPair::from_der(&der),
            _ => return Err(KeyError::UnsupportedLabel(label)),
        };
        let inner = match rsa {
            Ok(pair) => {
                let bits = pair.public_modulus_len() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(KeyError::TooSmall(bits));
                }
                PrivateKey::Rsa(pair)
            }
            Err(_) if label == "PRIVATE KEY" => PrivateKey::Ed25519(
                Ed25519KeyPair::from_pkcs8(&der).map_err(|_| KeyError::Rejected)?,
            ),
            Err(_) => return Err(KeyError::Rejected),
        };
        Ok(Self { inner })
    }

    /// Whether this is an RSA or an Ed25519 key.
    pub fn key_type(&self) -> KeyType {
        match self.inner {
            PrivateKey::Rsa(_) => KeyType::Rsa,
            PrivateKey::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// The matching public key as SPKI `BEGIN PUBLIC KEY` PEM.
    ///
    /// # Errors
    /// [`KeyError::Crypto`] if serialisation fails (not expected).
    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        let der = match &self.inner {
            PrivateKey::Rsa(pair) => pair.public_key().as_der(),
            PrivateKey::Ed25519(pair) => pair.public_key().as_der(),
        };
        let der = der.map_err(|_| KeyError::Crypto)?;
        Ok(encode_pem("PUBLIC KEY", der.as_ref()))
    }

    /// The matching public key, parsed, e.g. to publish it as a Multikey.
    ///
    /// # Errors
    /// [`KeyError::Crypto`] if serialisation fails (not expected).
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        VerifyingKey::from_pem(&self.public_key_pem()?)
    }

    /// Signs `message`: RSASSA-PKCS1-v1_5 with SHA-256 for RSA, Ed25519 for Ed25519.
    /// Both are deterministic.
    pub(super) fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            PrivateKey::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|_| KeyError::Crypto)?;
                Ok(signature)
            }
            PrivateKey::Ed25519(pair) => Ok(pair
                .try_sign(message)
                .map_err(|_| KeyError::Crypto)?
                .as_ref()
                .to_vec()),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("SigningKey");
        match &self.inner {
            PrivateKey::Rsa(pair) => debug.field("bits", &(pair.public_modulus_len() * 8)),
            PrivateKey::Ed25519(_) => debug.field("type", &"ed25519"),
        };
        debug.finish_non_exhaustive()
    }
}

/// A parsed public key (RSA or Ed25519) that verifies signatures: a remote actor's
/// `publicKeyPem` or `publicKeyMultibase`. Parse once per fetched key and reuse.
/// `Debug` shows only the key type and size.
pub struct VerifyingKey {
    inner: ParsedPublicKey,
    kind: PublicKind,
}

enum PublicKind {
    Rsa { bits: usize },
    Ed25519 { raw: [u8; ED25519_PUBLIC_KEY_LEN] },
}

impl VerifyingKey {
    /// Parses an SPKI (`BEGIN PUBLIC KEY`, RSA or Ed25519) or PKCS#1 (`BEGIN RSA
    /// PUBLIC KEY`) PEM, as published in an actor's `publicKey.publicKeyPem`.
    /// Surrounding whitespace, CRLF line ends and indentation are tolerated.
    ///
    /// # Errors
    /// [`KeyError::InvalidPem`], `UnsupportedLabel`, `Rejected` (neither an RSA nor an
    /// Ed25519 key), `TooSmall` (RSA under 2048 bits).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            "RSA PUBLIC KEY" => Self::from_rsa_der(&der),
            "PUBLIC KEY" => match Self::from_rsa_der(&der) {
                Err(KeyError::Rejected) => Self::from_ed25519_spki(&der),
                other => other,
            },
            _ => Err(KeyError::UnsupportedLabel(label)),
        }
    }

    /// An RSA public key from PKCS#1 `RSAPublicKey` or SPKI DER.
    pub(super) fn from_rsa_der(der: &[u8]) -> Result<Self, KeyError> {
        // Both parsers below accept either encoding, so a mislabelled key still works.
        let bits = rsa::PublicKey::from_der(der)
            .map_err(|_| KeyError::Rejected)?
            .modulus_len()
            * 8;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall(bits));
        }
        let inner = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            inner,
            kind: PublicKind::Rsa { bits },
        })
    }

    /// An Ed25519 public key from its 44-byte SPKI DER.
    fn from_ed25519_spki(der: &[u8]) -> Result<Self, KeyError> {
        // ParsedPublicKey also takes 32 raw bytes; insist on the SPKI form here.
        if der.len() != 12 + ED25519_PUBLIC_KEY_LEN {
            return Err(KeyError::Rejected);
        }
        // Parsing the SPKI checks its algorithm identifier (an X25519 key is 44 bytes too).
        ParsedPublicKey::new(&ED25519, der).map_err(|_| KeyError::Rejected)?;
        Self::from_ed25519_raw(&der[12..])
    }

    /// An Ed25519 public key from its 32 raw bytes (RFC 8032 encoding).
    pub(super) fn from_ed25519_raw(raw: &[u8]) -> Result<Self, KeyError> {
        let raw: [u8; ED25519_PUBLIC_KEY_LEN] = raw.try_into().map_err(|_| KeyError::Rejected)?;
        let inner = ParsedPublicKey::new(&ED25519, raw).map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            inner,
            kind: PublicKind::Ed25519 { raw },
        })
    }

    /// Whether this is an RSA or an Ed25519 key.
    pub fn key_type(&self) -> KeyType {
        match self.kind {
            PublicKind::Rsa { .. } => KeyType::Rsa,
            PublicKind::Ed25519 { .. } => KeyType::Ed25519,
        }
    }

    /// The raw 32 bytes of an Ed25519 key; `None` for RSA.
    pub(super) fn ed25519_bytes(&self) -> Option<&[u8; ED25519_PUBLIC_KEY_LEN]> {
        match &self.kind {
            PublicKind::Ed25519 { raw } => Some(raw),
            PublicKind::Rsa { .. } => None,
        }
    }

    /// Whether `signature` is a valid signature of `message` by this key:
    /// RSASSA-PKCS1-v1_5 with SHA-256 for RSA, Ed25519 for Ed25519.
    pub(super) fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> bool {
        self.inner.verify_sig(message, signature).is_ok()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("VerifyingKey");
        match &self.kind {
            PublicKind::Rsa { bits } => debug.field("bits", bits),
            PublicKind::Ed25519 { .. } => debug.field("type", &"ed25519"),
        };
        debug.finish_non_exhaustive()
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
