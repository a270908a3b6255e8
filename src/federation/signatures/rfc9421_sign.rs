//! Signing an outbound request with RFC 9421, the way Fedify and Mastodon 4.5+ expect:
//! label `sig1`, `created`, `keyid` and `alg` parameters, and the components
//! `@method`, `@target-uri` and `@authority`, the caller's header fields, and
//! `content-digest` (RFC 9530) when there is a body.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use url::Url;

use super::digest::content_digest;
use super::rfc9421::{signature_base, RequestTarget};
use super::structured::{BareItem, InnerList, Item};
use super::{is_valid_key_id, SigningError, SigningKey};

/// The label of the one signature Roost sends.
const LABEL: &str = "sig1";

/// The headers [`sign_message`] produced; send every one of them unchanged, together
/// with the covered header fields the caller passed, and exactly the signed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSignatureHeaders {
    /// `Content-Digest`: `sha-256=:<base64>:` of the body; `None` without a body.
    pub content_digest: Option<String>,
    /// `Signature-Input`: `sig1=("@method" …);created=…;keyid="…";alg="…"`.
    pub signature_input: String,
    /// `Signature`: `sig1=:<base64>:`.
    pub signature: String,
}

impl MessageSignatureHeaders {
    /// The headers as `(lowercase name, value)` pairs, for a request builder.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("content-digest", self.content_digest.as_deref()),
            ("signature-input", Some(self.signature_input.as_str())),
            ("signature", Some(self.signature.as_str())),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
    }
}

/// Signs an outbound request with RFC 9421 (label `sig1`), for the first knock of
/// double-knocking (fall back to draft-cavage [`super::sign`] on 401/403/400).
///
/// Covers `@method`, `@target-uri`, `@authority`, then each of `headers` in order
/// (name, value; pass what the request will carry, e.g. `("date", …)`; names are
/// lowercased), then `content-digest` when `body` is `Some` (even if empty).
/// `created` is the signing time (callers pass now); the algorithm follows the key:
/// `rsa-v1_5-sha256` for RSA, `ed25519` for Ed25519. Deterministic for given inputs.
///
/// # Errors
/// [`SigningError::UrlWithoutHost`], `InvalidKeyId` (empty, or not visible ASCII
/// without `"` and `\`), `InvalidHeader` (a name that is not a field name, a value
/// that cannot be sent, or a name listed twice or reserved: `content-digest`,
/// `signature`, `signature-input`), `Crypto`.
pub fn sign_message(
    method: &Method,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    key_id: &str,
    key: &SigningKey,
    created: DateTime<Utc>,
) -> Result<MessageSignatureHeaders, SigningError> {
    let target = RequestTarget::from_url(url)?;
    if !is_valid_key_id(key_id) {
        return Err(SigningError::InvalidKeyId);
    }
    let mut names = vec![
        "@method".to_owned(),
        "@target-uri".to_owned(),
        "@authority".to_owned(),
    ];
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let reserved = ["content-digest", "signature", "signature-input"];
        if reserved.contains(&name.as_str()) || names.contains(&name) {
            return Err(SigningError::InvalidHeader(name));
        }
        insert(&mut map, &name, value)?;
        names.push(name);
    }
    let content_digest = body.map(content_digest);
    if let Some(digest) = &content_digest {
        insert(&mut map, "content-digest", digest)?;
        names.push("content-digest".to_owned());
    }
    let input = InnerList {
        items: names
            .into_iter()
            .map(|name| Item {
                bare: BareItem::String(name),
                parameters: Vec::new(),
            })
            .collect(),
        parameters: vec![
            ("created".to_owned(), BareItem::Integer(created.timestamp())),
            ("keyid".to_owned(), BareItem::String(key_id.to_owned())),
            (
                "alg".to_owned(),
                BareItem::String(key.key_type().rfc9421_algorithm().to_owned()),
            ),
        ],
    };
    let base = signature_base(method, &target, &map, &input)
        .map_err(|_| SigningError::InvalidHeader("a covered header".to_owned()))?;
    let signature = key.sign_bytes(&base).map_err(|_| SigningError::Crypto)?;
    Ok(MessageSignatureHeaders {
        content_digest,
        signature_input: format!(
            "{LABEL}={}",
            super::structured::serialize_inner_list(&input)
        ),
        signature: format!("{LABEL}=:{}:", STANDARD.encode(signature)),
    })
}

fn insert(map: &mut HeaderMap, name: &str, value: &str) -> Result<(), SigningError> {
    let invalid = || SigningError::InvalidHeader(name.to_owned());
    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
    let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
    map.append(header, value);
    Ok(())
}
