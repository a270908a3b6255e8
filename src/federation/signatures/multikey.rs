//! FEP-521a Multikey: an actor's public keys as `publicKeyMultibase` values, so a
//! second (Ed25519) key can be published in `assertionMethod` beside the RSA
//! `publicKey`.
//!
//! A Multikey value is `z` (multibase: base58btc) followed by the base58btc encoding of
//! a multicodec varint key type and the key bytes: `0xed 0x01` + 32 raw bytes for
//! Ed25519 (`z6Mk…`), `0x85 0x24` (0x1205) + PKCS#1 `RSAPublicKey` DER for RSA. Only
//! those two types are read; only Ed25519 is written (RSA keys stay `publicKeyPem`).
//!
//! Specs: FEP-521a <https://codeberg.org/fediverse/fep/src/branch/main/fep/521a/fep-521a.md>,
//! Multikey in W3C Controlled Identifiers <https://www.w3.org/TR/cid-1.0/#Multikey>,
//! base58btc <https://datatracker.ietf.org/doc/html/draft-msporny-base58-03>.

use super::keys::{KeyError, VerifyingKey};

/// The Bitcoin base58 alphabet (no `0`, `O`, `I`, `l`).
const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Multicodec `ed25519-pub` (0xed) as an unsigned varint.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// Multicodec `rsa-pub` (0x1205) as an unsigned varint.
const RSA_PUB: [u8; 2] = [0x85, 0x24];

/// The longest `publicKeyMultibase` read: an RSA-8192 key is about 1,420 characters.
/// Base58 decoding is quadratic, so the bound keeps a hostile document cheap.
const MAX_MULTIBASE_LEN: usize = 2048;

impl VerifyingKey {
    /// Parses a FEP-521a `publicKeyMultibase` value: an Ed25519 (`z6Mk…`) or RSA
    /// (multicodec 0x1205, PKCS#1 DER) Multikey.
    ///
    /// # Errors
    /// [`KeyError::InvalidMultikey`] when the value is too long, not `z` + base58btc, or
    /// of another key type (or an Ed25519 key of the wrong length); `Rejected` or
    /// `TooSmall` when the key inside is not a usable key.
    pub fn from_multibase(value: &str) -> Result<Self, KeyError> {
        let invalid = KeyError::InvalidMultikey;
        if value.len() > MAX_MULTIBASE_LEN {
            return Err(invalid("too long"));
        }
        let encoded = value
            .strip_prefix('z')
            .ok_or(invalid("not base58btc (no 'z' prefix)"))?;
        let bytes = base58_decode(encoded).ok_or(invalid("not base58btc"))?;
        if let Some(raw) = bytes.strip_prefix(&ED25519_PUB) {
            if raw.len() != super::keys::ED25519_PUBLIC_KEY_LEN {
                return Err(invalid("an Ed25519 key must be 32 bytes"));
            }
            return Self::from_ed25519_raw(raw);
        }
        if let Some(der) = bytes.strip_prefix(&RSA_PUB) {
            return Self::from_rsa_der(der);
        }
        Err(invalid("unsupported key type"))
    }

    /// This key as a FEP-521a `publicKeyMultibase` value (`z6Mk…`) for an actor's
    /// `assertionMethod`; `None` for an RSA key, which is published as `publicKeyPem`.
    pub fn public_key_multibase(&self) -> Option<String> {
        let raw = self.ed25519_bytes()?;
        let mut bytes = ED25519_PUB.to_vec();
        bytes.extend_from_slice(raw);
        Some(format!("z{}", base58_encode(&bytes)))
    }
}

/// Base58btc encoding: each leading zero byte becomes `1`, the rest is the big-endian
/// number in base 58.
pub(super) fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|byte| **byte == 0).count();
    // Base-58 digits of the number, least significant first.
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in &bytes[zeros..] {
        let mut carry = u32::from(byte);
        for digit in &mut digits {
            carry += u32::from(*digit) << 8;
            *digit = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut text = "1".repeat(zeros);
    text.extend(
        digits
            .iter()
            .rev()
            .map(|digit| ALPHABET[*digit as usize] as char),
    );
    text
}

/// The inverse of [`base58_encode`]; `None` on a character outside the alphabet.
pub(super) fn base58_decode(text: &str) -> Option<Vec<u8>> {
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    // Bytes of the number, least significant first.
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len() * 733 / 1000 + 1);
    for c in text.bytes().skip(zeros) {
        let value = ALPHABET.iter().position(|letter| *letter == c)?;
        let mut carry = value as u32;
        for byte in &mut bytes {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut decoded = vec![0; zeros];
    decoded.extend(bytes.iter().rev());
    Some(decoded)
}
