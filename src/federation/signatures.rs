//! HTTP signatures for server-to-server requests, in both schemes the fediverse uses:
//! draft-cavage (what Mastodon has always sent) and RFC 9421 HTTP Message Signatures
//! (what Fedify sends first, Mastodon verifies since 4.5 and sends from 4.7).
//!
//! Owns: actor key pairs, RSA and Ed25519 (generation, PEM in and out, FEP-521a
//! Multikey); signing outbound requests and parsing and verifying the signatures of
//! inbound requests in either scheme; RFC 9530 `Content-Digest`; deriving a key's
//! probable owner from its key id. Everything here is a pure function: no database,
//! no network, no clock (callers pass `now`).
//!
//! Does not: fetch or cache keys, decide which actor a request speaks for, choose the
//! scheme for a peer (double-knocking is the caller's: send RFC 9421 first and, on
//! 400/401/403, send again with draft-cavage, remembering per host what worked), or
//! keep a replay cache.
//!
//! Specs:
//! - draft-cavage-http-signatures-12:
//!   <https://datatracker.ietf.org/doc/html/draft-cavage-http-signatures-12>
//! - Mastodon's profile of it: <https://docs.joinmastodon.org/spec/security/>
//! - `Digest` header: RFC 3230 <https://www.rfc-editor.org/rfc/rfc3230>
//! - `Date` header (IMF-fixdate): RFC 9110 §5.6.7
//! - RFC 9421 HTTP Message Signatures: <https://www.rfc-editor.org/rfc/rfc9421>
//! - RFC 9530 Digest Fields (`Content-Digest`): <https://www.rfc-editor.org/rfc/rfc9530>
//! - RFC 8941 Structured Field Values: <https://www.rfc-editor.org/rfc/rfc8941>
//! - FEP-521a (Multikey in `assertionMethod`): <https://codeberg.org/fediverse/fep>
//!
//! Which scheme a request uses: a `Signature-Input` header means RFC 9421 (then
//! [`parse_signature_header`] answers [`SignatureError::UnsupportedScheme`], so the
//! inbox can dispatch on it); otherwise `Signature` (or `Authorization: Signature`)
//! is draft-cavage.
//!
//! For the inbox, draft-cavage: call [`parse_signature_header`], fetch the key named by
//! `keyId` (its document must name the actor as `owner`; [`key_owner_from_key_id`] is
//! only a hint), then [`verify`] with the raw body, the request target as received (the
//! original URI when routes are nested) and headers that include `Host` (HTTP/2
//! requests carry `:authority` instead: copy it into `Host` first; behind a proxy,
//! pass the public host through).
//!
//! For the inbox, RFC 9421: call [`parse_message_signatures`], fetch the key of each
//! signature's `keyid` (an RSA `publicKeyPem` or an Ed25519 `publicKeyMultibase`, read
//! with [`VerifyingKey::from_pem`] or [`VerifyingKey::from_multibase`]; the owner check
//! is the same), build the [`RequestTarget`] from the public scheme, the `Host` (or
//! `:authority`) and the request target as received, then call
//! [`verify_message_signatures`] (or [`verify_message`] for one signature) with the
//! raw body: it checks `Content-Digest` itself when the signature covers it.
//!
//! Either way: answer 401 to every [`SignatureError`] (RFC 9421-first senders fall
//! back to draft-cavage only after a 4xx); on `BadSignature`, refetch the key once
//! (rate-limited) and retry, as the sender may have rotated it.
//!
//! For delivery: call [`sign_message`] (RFC 9421, RSA or Ed25519) or [`sign`]
//! (draft-cavage, RSA only) at send time (`Date` and `created` must be fresh), send
//! every returned header unchanged, and send exactly the signed body bytes.

mod digest;
mod keys;
mod multikey;
mod params;
mod rfc9421;
mod rfc9421_sign;
mod rfc9421_verify;
mod structured;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_message;
#[cfg(test)]
mod tests_rfc9421;
mod verify;

pub use digest::{content_digest, verify_content_digest};
pub use keys::{
    generate_ed25519_keypair, generate_rsa_keypair, KeyError, KeyPair, KeyType, SigningKey,
    VerifyingKey,
};
pub(crate) use params::parse_parameters;
pub use params::{parse_signature_header, SignatureParams};
pub use rfc9421::{
    parse_message_signatures, MessageRequest, MessageSignature, RequestTarget, MAX_SIGNATURES,
};
pub use rfc9421_sign::{sign_message, MessageSignatureHeaders};
pub use rfc9421_verify::{verify_message, verify_message_signatures, VerifiedSignature};
pub use verify::{verify, Policy, DEFAULT_MAX_AGE};

use params::is_token_char;

use std::time::SystemTime;

use axum::http::Method;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use url::Url;

const REQUEST_TARGET: &str = "(request-target)";

/// Decodes base64 whether or not the sender kept the `=` padding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The headers [`sign`] produced; send every one of them unchanged with the request.
///
/// Every value is printable ASCII, so valid as a header value. A request body sent with these
/// headers must be byte-for-byte the body that was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Host`: the URL's host, with `:port` only when the port is not the scheme's default.
    pub host: String,
    /// `Date`: the signing time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    pub date: String,
    /// `Digest`: `SHA-256=<base64>` of the body; `None` when there was no body.
    pub digest: Option<String>,
    /// `Signature`: `keyId="…",algorithm="rsa-sha256",headers="…",signature="…"`.
    pub signature: String,
}

impl SignedHeaders {
    /// The headers as `(lowercase name, value)` pairs, in signing order, for a request builder.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("host", Some(self.host.as_str())),
            ("date", Some(self.date.as_str())),
            ("digest", self.digest.as_deref()),
            ("signature", Some(self.signature.as_str())),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
    }
}

/// Why [`sign`] (draft-cavage) or [`sign_message`] (RFC 9421) could not sign a request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigningError {
    /// The URL has no host (e.g. `mailto:`), so there is no `Host` to sign.
    #[error("cannot sign a request to a URL without a host")]
    UrlWithoutHost,
    /// The keyId is empty or has characters other than visible ASCII, or `"` or `\`.
    #[error("keyId contains characters that cannot appear in a Signature header")]
    InvalidKeyId,
    /// draft-cavage signing needs an RSA key (peers verify `rsa-sha256` only).
    #[error("draft-cavage signatures are made with RSA keys only")]
    KeyNotRsa,
    /// A header to cover is not a field name, its value cannot be sent, or it is listed
    /// twice or reserved (`content-digest`, `signature`, `signature-input`).
    #[error("cannot cover the header {0:?}")]
    InvalidHeader(String),
    /// The signing operation itself failed (not expected with a key that parsed).
    #[error("signing failed")]
    Crypto,
}

/// Signs an outbound request the way Mastodon does (draft-cavage, `rsa-sha256`).
///
/// Signs `(request-target) host date`, plus `digest` when `body` is `Some` (even if
/// empty). `(request-target)` is the lowercase method and the URL's path with its query.
/// `key_id` is the URL of the public key (`https://host/users/alice#main-key`).
/// Returns the headers to add; the caller sends them with exactly this method, URL and
/// body. Deterministic for a given key and inputs; no I/O.
///
/// # Errors
/// [`SigningError`] when the key is not RSA, the URL has no host, the keyId cannot be
/// quoted, or RSA fails.
pub fn sign(
    method: &Method,
    url: &Url,
    body: Option<&[u8]>,
    key_id: &str,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<SignedHeaders, SigningError> {
    sign_with_headers(method, url, &[], body, key_id, key, now)
}

/// [`sign`], also covering each of `headers` (name, value) after the others, for a
/// header the receiver must be able to trust (FEP-8fcf's `Collection-Synchronization`).
/// The caller sends those headers itself, with exactly these values.
///
/// # Errors
/// As [`sign`], and [`SigningError::InvalidHeader`] for a name that is not a field
/// name or is signed anyway (`host`, `date`, `digest`, `signature`), or a value with
/// a line break.
pub fn sign_with_headers(
    method: &Method,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    key_id: &str,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<SignedHeaders, SigningError> {
    let host = match (url.host_str(), url.port()) {
        (None, _) => return Err(SigningError::UrlWithoutHost),
        (Some(host), None) => host.to_owned(),
        (Some(host), Some(port)) => format!("{host}:{port}"),
    };
    if key.key_type() != KeyType::Rsa {
        return Err(SigningError::KeyNotRsa);
    }
    if !is_valid_key_id(key_id) {
        return Err(SigningError::InvalidKeyId);
    }
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let date = httpdate::fmt_http_date(SystemTime::from(now));
    let digest = body.map(|body| format!("SHA-256={}", STANDARD.encode(Sha256::digest(body))));

    let mut names = vec![REQUEST_TARGET, "host", "date"];
    let mut extra_names: Vec<String> = Vec::new();
    let method = method.as_str().to_ascii_lowercase();
    let mut lines = vec![
        format!("{REQUEST_TARGET}: {method} {target}"),
        format!("host: {host}"),
        format!("date: {date}"),
    ];
    if let Some(digest) = &digest {
        names.push("digest");
        lines.push(format!("digest: {digest}"));
    }
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let reserved = [REQUEST_TARGET, "host", "date", "digest", "signature"];
        let is_field_name = !name.is_empty() && name.chars().all(is_token_char);
        if !is_field_name || reserved.contains(&name.as_str()) || extra_names.contains(&name) {
            return Err(SigningError::InvalidHeader(name));
        }
        if value.contains(['\r', '\n']) {
            return Err(SigningError::InvalidHeader(name));
        }
        lines.push(format!("{name}: {}", value.trim()));
        extra_names.push(name);
    }
    let names: Vec<&str> = names
        .into_iter()
        .chain(extra_names.iter().map(String::as_str))
        .collect();
    let signature = key
        .sign_bytes(lines.join("\n").as_bytes())
        .map_err(|_| SigningError::Crypto)?;
    let signature = format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        names.join(" "),
        STANDARD.encode(signature)
    );
    Ok(SignedHeaders {
        host,
        date,
        digest,
        signature,
    })
}

/// Whether `key_id` can be written as a quoted header parameter as is: visible ASCII
/// without `"` or `\`, and not empty.
fn is_valid_key_id(key_id: &str) -> bool {
    !key_id.is_empty()
        && key_id
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
}

/// Why an inbound request's signature was refused. Every variant means "answer 401";
/// the variant (and its `Display`) says why, for the log.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Neither a `Signature` header nor `Authorization: Signature …` is present.
    #[error("request is not signed")]
    NotSigned,
    /// [`parse_signature_header`] (draft-cavage) was given a request with an RFC 9421
    /// signature (`Signature-Input`): verify it with [`parse_message_signatures`] instead.
    #[error("the request carries an RFC 9421 signature, not a draft-cavage one")]
    UnsupportedScheme,
    /// A header that must appear once (`Signature`) appears several times.
    #[error("the {0} header appears more than once")]
    DuplicateHeader(&'static str),
    /// The `Signature` header is not a comma-separated list of `name="value"` parameters
    /// (draft-cavage), or `Signature-Input` / `Signature` are not the RFC 8941
    /// dictionaries RFC 9421 defines (or are over their size limits).
    #[error("malformed Signature header: {0}")]
    MalformedHeader(&'static str),
    /// A signature parameter appears twice.
    #[error("signature parameter {0:?} appears more than once")]
    DuplicateParameter(String),
    /// `keyId` or `signature` (or `created`/`expires` when signed) is absent or empty;
    /// RFC 9421: `keyid` or `created`.
    #[error("signature parameter {0} is missing")]
    MissingParameter(&'static str),
    /// `created` or `expires` is not an integer Unix timestamp.
    #[error("signature parameter {0} is not a Unix timestamp")]
    InvalidParameter(&'static str),
    /// The `signature` parameter is not valid base64.
    #[error("the signature is not valid base64")]
    InvalidBase64,
    /// `algorithm` is neither `rsa-sha256` nor `hs2019`.
    #[error("unsupported signature algorithm {0:?} (only rsa-sha256 and hs2019)")]
    UnsupportedAlgorithm(String),
    /// Policy requires this header (or pseudo-header, or RFC 9421 component) to be
    /// covered by the signature, and it is not.
    #[error("{0} must be signed")]
    RequiredHeaderNotSigned(&'static str),
    /// A pseudo-header that is unknown, or `(created)`/`(expires)` with `rsa-sha256`.
    #[error("pseudo-header {0} cannot be used here")]
    InvalidPseudoHeader(String),
    /// A header listed as signed is absent from the request.
    #[error("signed header {0} is missing from the request")]
    MissingHeader(String),
    /// The `Date` header is not an HTTP date.
    #[error("the Date header is not an HTTP date")]
    InvalidDate,
    /// The signature is older than the policy allows, or past its `expires`.
    #[error("the signature has expired (signed at {signed_at})")]
    Expired {
        /// When the request says it was signed.
        signed_at: DateTime<Utc>,
    },
    /// The signature claims a time further in the future than the allowed clock skew.
    #[error("the signature is dated in the future ({signed_at})")]
    FromTheFuture {
        /// When the request says it was signed.
        signed_at: DateTime<Utc>,
    },
    /// The `Digest` header offers no SHA-256 value, or `Content-Digest` neither SHA-256
    /// nor SHA-512; carries the offered algorithm names.
    #[error("the digest header has no supported algorithm (offered: {0})")]
    UnsupportedDigest(String),
    /// The `Digest` header is not `algorithm=base64` entries separated by commas, or
    /// `Content-Digest` not a dictionary of byte sequences.
    #[error("malformed digest header")]
    MalformedDigest,
    /// The SHA-256 in `Digest` (or a value in `Content-Digest`) is not the digest of the
    /// body received.
    #[error("the Digest does not match the body")]
    DigestMismatch,
    /// The signature does not verify against the given public key.
    #[error("the signature does not verify with the sender's key")]
    BadSignature,
    /// The named algorithm does not fit the sender's key (`rsa-sha256` or
    /// `rsa-v1_5-sha256` with an Ed25519 key, `ed25519` with an RSA key).
    #[error("algorithm {0:?} does not match the sender's key type")]
    KeyAlgorithmMismatch(String),
    /// RFC 9421: a covered component this server cannot derive (an unknown `@`
    /// component, component parameters such as `;sf` or `;req`, `@signature-params`,
    /// or a field name that is not lowercase).
    #[error("covered component {0} is not supported")]
    UnsupportedComponent(String),
    /// RFC 9421: no signature of the request names a key the caller could find.
    #[error("no signature names a known key")]
    NoKnownKey,
}

/// The actor that probably owns the key `key_id`: the keyId without its fragment
/// (`…/users/alice#main-key` → `…/users/alice`) or without a trailing `/main-key`
/// segment (GoToSocial: `…/users/alice/main-key` → `…/users/alice`).
///
/// Returns `None` for keyIds that are not http(s) URLs or have neither shape; then fetch
/// the key document and read its `owner`. Even when this returns an owner it is only a
/// guess: the caller must fetch the key (or actor) document and confirm that its
/// `publicKey.owner` is this actor and its `publicKey.id` is `key_id` before trusting it.
pub fn key_owner_from_key_id(key_id: &str) -> Option<Url> {
    let mut url = Url::parse(key_id).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if url.fragment().is_some() {
        url.set_fragment(None);
        return Some(url);
    }
    let owner_path = url.path().strip_suffix("/main-key")?.to_owned();
    if owner_path.is_empty() {
        return None;
    }
    url.set_path(&owner_path);
    url.set_query(None);
    Some(url)
}
