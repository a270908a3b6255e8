//! Message encryption for Web Push: ECDH on P-256 with the subscriber's key, HKDF with
//! its authentication secret, AES-128-GCM over one record.
//!
//! Two content codings exist in the wild and Mastodon clients ask for one or the other
//! with `subscription[standard]`:
//! - `aes128gcm`: RFC 8291 (keys) over RFC 8188 (the coding); the salt and the sender's
//!   public key travel in the body's header block.
//! - `aesgcm`: the earlier drafts (draft-ietf-webpush-encryption-04 over
//!   draft-ietf-httpbis-encryption-encoding-03) that Mastodon used before 4.4; the salt
//!   and key travel in the `Encryption` and `Crypto-Key` headers.
//!
//! Spec: <https://www.rfc-editor.org/rfc/rfc8291>, <https://www.rfc-editor.org/rfc/rfc8188>.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, ECDH_P256};
use aws_lc_rs::hkdf::{self, Salt, HKDF_SHA256};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// The record size Roost announces; a message is always one record.
const RECORD_SIZE: u32 = 4096;
/// The largest plaintext that fits one `aes128gcm` record (tag and delimiter included).
pub const MAX_PLAINTEXT: usize = RECORD_SIZE as usize - 16 - 1;

/// Which content coding to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// RFC 8291 / RFC 8188.
    Aes128Gcm,
    /// The pre-RFC drafts.
    AesGcm,
}

impl Coding {
    /// The `Content-Encoding` header value.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Aes128Gcm => "aes128gcm",
            Coding::AesGcm => "aesgcm",
        }
    }
}

/// An encrypted push message.
#[derive(Debug)]
pub struct Encrypted {
    /// The request body.
    pub body: Vec<u8>,
    /// The random salt (already in `body` for `aes128gcm`; a header for `aesgcm`).
    pub salt: [u8; 16],
    /// The sender's one-time public key (likewise).
    pub sender_public_key: Vec<u8>,
}

/// Why a message could not be encrypted.
#[derive(Debug, thiserror::Error)]
pub enum EncryptionError {
    #[error("the subscription's public key is not a P-256 point")]
    BadPublicKey,
    #[error("the subscription's authentication secret must be 16 bytes")]
    BadAuthSecret,
    #[error("the message is too long for one record")]
    TooLong,
    #[error("cryptography failed")]
    Crypto,
}

/// Whether `key` is a P-256 public key (uncompressed point on the curve), as a
/// subscription's `p256dh` must be.
pub fn is_valid_public_key(key: &[u8]) -> bool {
    key.len() == 65
        && agreement::ParsedPublicKey::try_from(&UnparsedPublicKey::new(&ECDH_P256, key)).is_ok()
}

/// Encrypts `plaintext` for the subscriber whose ECDH public key is `p256dh` (65-byte
/// uncompressed point) and whose secret is `auth_secret`, with a fresh key and salt.
pub fn encrypt(
    coding: Coding,
    plaintext: &[u8],
    p256dh: &[u8],
    auth_secret: &[u8],
) -> Result<Encrypted, EncryptionError> {
    let sender = PrivateKey::generate(&ECDH_P256).map_err(|_| EncryptionError::Crypto)?;
    let mut salt = [0_u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| EncryptionError::Crypto)?;
    encrypt_with(coding, plaintext, p256dh, auth_secret, &sender, salt)
}

/// [`encrypt`] with a given sender key and salt (deterministic, for the RFC's test vector).
fn encrypt_with(
    coding: Coding,
    plaintext: &[u8],
    p256dh: &[u8],
    auth_secret: &[u8],
    sender: &PrivateKey,
    salt: [u8; 16],
) -> Result<Encrypted, EncryptionError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EncryptionError::TooLong);
    }
    if auth_secret.len() != 16 {
        return Err(EncryptionError::BadAuthSecret);
    }
    let sender_public_key = sender
        .compute_public_key()
        .map_err(|_| EncryptionError::Crypto)?
        .as_ref()
        .to_vec();
    let ecdh_secret = agreement::agree(
        sender,
        UnparsedPublicKey::new(&ECDH_P256, p256dh),
        EncryptionError::BadPublicKey,
        |secret| Ok(secret.to_vec()),
    )?;
    let keys = derive(
        coding,
        &ecdh_secret,
        auth_secret,
        p256dh,
        &sender_public_key,
        &salt,
    )?;
    let mut record = match coding {
        // Content, then the last-record delimiter (RFC 8188 §2).
        Coding::Aes128Gcm => [plaintext, &[2]].concat(),
        // A two-byte padding length (zero), then the content.
        Coding::AesGcm => [&[0, 0], plaintext].concat(),
    };
    seal(&keys, &mut record)?;
    let body = match coding {
        Coding::Aes128Gcm => {
            let mut body = Vec::with_capacity(21 + sender_public_key.len() + record.len());
            body.extend_from_slice(&salt);
            body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
            body.push(sender_public_key.len() as u8);
            body.extend_from_slice(&sender_public_key);
            body.extend_from_slice(&record);
            body
        }
        Coding::AesGcm => record,
    };
    Ok(Encrypted {
        body,
        salt,
        sender_public_key,
    })
}

/// The content-encryption key and nonce of the (only) record.
struct RecordKeys {
    key: [u8; 16],
    nonce: [u8; 12],
}

fn derive(
    coding: Coding,
    ecdh_secret: &[u8],
    auth_secret: &[u8],
    receiver_key: &[u8],
    sender_key: &[u8],
    salt: &[u8],
) -> Result<RecordKeys, EncryptionError> {
    let (key_info, context) = match coding {
        Coding::Aes128Gcm => (
            [b"WebPush: info\0".as_slice(), receiver_key, sender_key].concat(),
            Vec::new(),
        ),
        Coding::AesGcm => (
            b"Content-Encoding: auth\0".to_vec(),
            legacy_context(receiver_key, sender_key),
        ),
    };
    let input_key: [u8; 32] = expand(&hkdf_extract(auth_secret, ecdh_secret), &key_info)?;
    let prk = hkdf_extract(salt, &input_key);
    let name = coding.name();
    let key_info = [format!("Content-Encoding: {name}\0").as_bytes(), &context].concat();
    let nonce_info = [b"Content-Encoding: nonce\0".as_slice(), &context].concat();
    Ok(RecordKeys {
        key: expand(&prk, &key_info)?,
        nonce: expand(&prk, &nonce_info)?,
    })
}

/// The `aesgcm` key-derivation context: the curve, then both public keys with lengths.
fn legacy_context(receiver_key: &[u8], sender_key: &[u8]) -> Vec<u8> {
    let mut context = b"P-256\0".to_vec();
    for key in [receiver_key, sender_key] {
        context.extend_from_slice(&(key.len() as u16).to_be_bytes());
        context.extend_from_slice(key);
    }
    context
}

fn hkdf_extract(salt: &[u8], secret: &[u8]) -> hkdf::Prk {
    Salt::new(HKDF_SHA256, salt).extract(secret)
}

/// An output length for HKDF-Expand.
struct Length(usize);

impl hkdf::KeyType for Length {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand<const N: usize>(prk: &hkdf::Prk, info: &[u8]) -> Result<[u8; N], EncryptionError> {
    let mut out = [0_u8; N];
    prk.expand(&[info], Length(N))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| EncryptionError::Crypto)?;
    Ok(out)
}

fn seal(keys: &RecordKeys, record: &mut Vec<u8>) -> Result<(), EncryptionError> {
    let key = UnboundKey::new(&AES_128_GCM, &keys.key).map_err(|_| EncryptionError::Crypto)?;
    LessSafeKey::new(key)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(keys.nonce),
            Aad::empty(),
            record,
        )
        .map_err(|_| EncryptionError::Crypto)
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD
            .decode(text)
            .expect("test vector is base64url")
    }

    /// The example of RFC 8291 §5 and Appendix A.
    struct Example {
        sender: PrivateKey,
        receiver_public: Vec<u8>,
        auth_secret: Vec<u8>,
        salt: [u8; 16],
    }

    fn example() -> Example {
        let sender = PrivateKey::from_private_key(
            &ECDH_P256,
            &b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        )
        .expect("valid key");
        Example {
            sender,
            receiver_public: b64(
                "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            ),
            auth_secret: b64("BTBZMqHH6r4Tts7J_aSIgg"),
            salt: b64("DGv6ra1nlYgDCS1FRnbzlw")
                .try_into()
                .expect("16 bytes"),
        }
    }

    #[test]
    fn the_rfc_8291_example_derives_the_published_key_and_header() {
        let example = example();
        let sender_public = example.sender.compute_public_key().expect("public key");
        let ecdh_secret = agreement::agree(
            &example.sender,
            UnparsedPublicKey::new(&ECDH_P256, &example.receiver_public),
            (),
            |secret| Ok(secret.to_vec()),
        )
        .expect("agreement");
        assert_eq!(
            ecdh_secret,
            b64("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs")
        );
        let keys = derive(
            Coding::Aes128Gcm,
            &ecdh_secret,
            &example.auth_secret,
            &example.receiver_public,
            sender_public.as_ref(),
            &example.salt,
        )
        .expect("derivation");
        assert_eq!(keys.key.to_vec(), b64("oIhVW04MRdy2XN9CiKLxTg"));

        let plaintext = b64("V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24");
        let encrypted = encrypt_with(
            Coding::Aes128Gcm,
            &plaintext,
            &example.receiver_public,
            &example.auth_secret,
            &example.sender,
            example.salt,
        )
        .expect("encrypts");
        // Header block: salt, rs = 4096, idlen = 65, the sender's key (RFC 8291 §5).
        let header = URL_SAFE_NO_PAD.encode(&encrypted.body[..21]);
        assert_eq!(header, "DGv6ra1nlYgDCS1FRnbzlwAAEABB");
        assert_eq!(&encrypted.body[21..86], sender_public.as_ref());
        // One record: content, delimiter, 16-byte tag.
        assert_eq!(encrypted.body.len(), 86 + plaintext.len() + 1 + 16);
    }

    #[test]
    fn a_message_is_sealed_with_the_derived_key_and_opens_again() {
        let example = example();
        for coding in [Coding::Aes128Gcm, Coding::AesGcm] {
            let encrypted = encrypt_with(
                coding,
                b"hello",
                &example.receiver_public,
                &example.auth_secret,
                &example.sender,
                example.salt,
            )
            .expect("encrypts");
            let ecdh_secret = agreement::agree(
                &example.sender,
                UnparsedPublicKey::new(&ECDH_P256, &example.receiver_public),
                (),
                |secret| Ok(secret.to_vec()),
            )
            .expect("agreement");
            let keys = derive(
                coding,
                &ecdh_secret,
                &example.auth_secret,
                &example.receiver_public,
                &encrypted.sender_public_key,
                &example.salt,
            )
            .expect("derivation");
            let start = if coding == Coding::Aes128Gcm { 86 } else { 0 };
            let mut record = encrypted.body[start..].to_vec();
            let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &keys.key).expect("key"));
            let opened = key
                .open_in_place(
                    Nonce::assume_unique_for_key(keys.nonce),
                    Aad::empty(),
                    &mut record,
                )
                .expect("opens");
            let expected: &[u8] = match coding {
                Coding::Aes128Gcm => b"hello\x02",
                Coding::AesGcm => b"\0\0hello",
            };
            assert_eq!(opened, expected);
        }
    }

    #[test]
    fn bad_keys_and_oversized_messages_are_refused() {
        let example = example();
        let refused = encrypt(Coding::Aes128Gcm, b"x", &[4; 65], &example.auth_secret);
        assert!(matches!(refused, Err(EncryptionError::BadPublicKey)));
        let refused = encrypt(Coding::Aes128Gcm, b"x", &example.receiver_public, &[1; 8]);
        assert!(matches!(refused, Err(EncryptionError::BadAuthSecret)));
        let long = vec![b'a'; MAX_PLAINTEXT + 1];
        let refused = encrypt(
            Coding::Aes128Gcm,
            &long,
            &example.receiver_public,
            &example.auth_secret,
        );
        assert!(matches!(refused, Err(EncryptionError::TooLong)));
    }
}
