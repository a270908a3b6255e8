//! RFC 9530 `Content-Digest`: the digest of a request body that an RFC 9421 signature
//! covers (the successor of RFC 3230 `Digest`, which draft-cavage signs).
//!
//! The field is an RFC 8941 dictionary of algorithm → byte sequence:
//! `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`. Roost sends SHA-256 and
//! reads SHA-256 and SHA-512, the two algorithms RFC 9530 marks as standard; the
//! deprecated and unknown ones are ignored.
//!
//! Spec: <https://www.rfc-editor.org/rfc/rfc9530>

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256, Sha512};

use super::structured::{parse_dictionary, BareItem, Member};
use super::SignatureError;

/// The longest `Content-Digest` field read (all its lines together), in bytes.
const MAX_CONTENT_DIGEST_LEN: usize = 1024;

/// The `Content-Digest` value to send with `body`: `sha-256=:<base64>:`.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// Checks the request's `Content-Digest` field (all its lines) against `body`.
///
/// Every `sha-256` or `sha-512` value present must equal the body's digest, and at
/// least one must be present; other algorithms are ignored (RFC 9530 §2). Only call
/// this for a request whose signature covers `content-digest`: an unsigned digest
/// proves nothing.
///
/// # Errors
/// [`SignatureError::MissingHeader`] when there is no `Content-Digest`;
/// `MalformedDigest` when it is not a dictionary of byte sequences (or is over 1 KiB);
/// `UnsupportedDigest` (with the offered names) when it has neither SHA-256 nor
/// SHA-512; `DigestMismatch` when a value differs from the body's digest.
pub fn verify_content_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let field = field_value(headers, "content-digest", MAX_CONTENT_DIGEST_LEN).map_err(
        |error| match error {
            FieldError::Missing => SignatureError::MissingHeader("content-digest".to_owned()),
            FieldError::Invalid(_) => SignatureError::MalformedDigest,
        },
    )?;
    let members = parse_dictionary(&field).map_err(|_| SignatureError::MalformedDigest)?;
    if members.is_empty() {
        return Err(SignatureError::MalformedDigest);
    }
    let mut checked = false;
    for (algorithm, member) in &members {
        let Member::Item(item) = member else {
            return Err(SignatureError::MalformedDigest);
        };
        let BareItem::Bytes(expected) = &item.bare else {
            return Err(SignatureError::MalformedDigest);
        };
        let actual = match algorithm.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if *expected != actual {
            return Err(SignatureError::DigestMismatch);
        }
        checked = true;
    }
    if !checked {
        let offered: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        return Err(SignatureError::UnsupportedDigest(offered.join(", ")));
    }
    Ok(())
}

/// Why [`field_value`] found no usable value.
pub(super) enum FieldError {
    /// The field is absent.
    Missing,
    /// A line is not visible ASCII, or all lines together are longer than allowed.
    Invalid(&'static str),
}

/// All lines of the field `name` joined with `, ` (RFC 9110 §5.3), bounded to `max_len`
/// bytes; the form RFC 8941 parses.
pub(super) fn field_value(
    headers: &HeaderMap,
    name: &str,
    max_len: usize,
) -> Result<String, FieldError> {
    let mut joined = String::new();
    let mut found = false;
    for value in headers.get_all(name) {
        let value = value
            .to_str()
            .map_err(|_| FieldError::Invalid("not visible ASCII"))?;
        if found {
            joined.push_str(", ");
        }
        joined.push_str(value);
        found = true;
        if joined.len() > max_len {
            return Err(FieldError::Invalid("field too long"));
        }
    }
    if !found {
        return Err(FieldError::Missing);
    }
    Ok(joined)
}
