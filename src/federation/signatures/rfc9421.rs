//! RFC 9421 HTTP Message Signatures, the parts federation uses: the request a
//! signature covers ([`RequestTarget`], [`MessageRequest`]), parsing `Signature-Input`
//! with `Signature` ([`parse_message_signatures`]) and the signature base (§2.5).
//! Signing is in `rfc9421_sign.rs`, verifying in `rfc9421_verify.rs`.
//!
//! Supported: one or more signatures per request (at most [`MAX_SIGNATURES`]); the
//! derived components `@method`, `@target-uri`, `@authority`, `@scheme`,
//! `@request-target`, `@path` and `@query`; header fields by lowercase name, without
//! component parameters (`;sf`, `;key`, `;bs`, `;req`, `;tr`, `@query-param;name`).
//! Those, `@status` and responses are refused, not guessed at.

use axum::http::{HeaderMap, Method};
use url::Url;

use super::digest::{field_value, FieldError};
use super::structured::{
    parse_dictionary, serialize_inner_list, serialize_item, BareItem, InnerList, Member,
};
use super::{SignatureError, SigningError};

/// The most signatures (labels) read from one request. Fediverse senders send one.
pub const MAX_SIGNATURES: usize = 4;

/// The longest `Signature-Input` or `Signature` field read (all lines), in bytes: an
/// RSA-4096 signature is 684 base64 characters, so this fits several signatures.
const MAX_FIELD_LEN: usize = 8192;

/// Where a request goes, as the derived components see it (RFC 9421 §2.2):
/// scheme and authority lowercased, default port dropped, path and query as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTarget {
    scheme: String,
    authority: String,
    path: String,
    query: Option<String>,
}

impl RequestTarget {
    /// The target of an outbound request to `url` (its fragment is never sent).
    ///
    /// # Errors
    /// [`SigningError::UrlWithoutHost`] for URLs without a host (e.g. `mailto:`).
    pub fn from_url(url: &Url) -> Result<Self, SigningError> {
        let host = url.host_str().ok_or(SigningError::UrlWithoutHost)?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Self::from_parts(
            url.scheme(),
            &authority,
            &match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            },
        ))
    }

    /// The target of an inbound request: the scheme of this server's public URL
    /// (`https` behind a TLS-terminating proxy), the authority the client used (`Host`,
    /// or HTTP/2 `:authority`) and the request target exactly as received (the
    /// original URI when routes are nested), e.g. `/users/bob/inbox?x=1`.
    pub fn from_parts(scheme: &str, authority: &str, path_and_query: &str) -> Self {
        let scheme = scheme.to_ascii_lowercase();
        let mut authority = authority.trim().to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => Some(":443"),
            "http" => Some(":80"),
            _ => None,
        };
        if let Some(port) = default_port {
            if let Some(host) = authority.strip_suffix(port) {
                authority = host.to_owned();
            }
        }
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (path_and_query, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        Self {
            scheme,
            authority,
            path: path.to_owned(),
            query,
        }
    }

    /// Whether the request has a query (even an empty one after `?`).
    pub fn has_query(&self) -> bool {
        self.query.is_some()
    }

    /// `@target-uri`: `scheme://authority/path?query`.
    pub fn target_uri(&self) -> String {
        format!(
            "{}://{}{}",
            self.scheme,
            self.authority,
            self.request_target()
        )
    }

    /// `@request-target`: the path with `?query` when there is one.
    fn request_target(&self) -> String {
        match &self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        }
    }
}

/// An inbound request as [`super::verify_message`] needs it.
#[derive(Debug, Clone, Copy)]
pub struct MessageRequest<'a> {
    /// The request method.
    pub method: &'a Method,
    /// Where the request was sent ([`RequestTarget::from_parts`]).
    pub target: &'a RequestTarget,
    /// The request headers as received.
    pub headers: &'a HeaderMap,
    /// The raw body (empty when there is none).
    pub body: &'a [u8],
}

/// One signature of a request, parsed from `Signature-Input` and the `Signature`
/// member with the same label, before any key is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSignature {
    /// The label shared by both fields (`sig1`).
    pub label: String,
    /// The `keyid` parameter: for federation, the URL of the signer's key.
    pub key_id: String,
    /// The `alg` parameter, if the signer named one (`rsa-v1_5-sha256`, `ed25519`).
    pub algorithm: Option<String>,
    /// The `created` parameter (Unix seconds), if present (verification requires it).
    pub created: Option<i64>,
    /// The `expires` parameter (Unix seconds), if present.
    pub expires: Option<i64>,
    /// The `nonce` parameter, if present (Roost keeps no nonce cache).
    pub nonce: Option<String>,
    /// The `tag` parameter, if present.
    pub tag: Option<String>,
    /// The covered component names in signing order (`@method`, `content-digest`, …).
    pub components: Vec<String>,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
    /// The inner list as parsed, serialised again for `@signature-params`.
    pub(super) input: InnerList,
}

impl MessageSignature {
    /// Whether the signature covers the component `name`.
    pub fn covers(&self, name: &str) -> bool {
        self.components.iter().any(|covered| covered == name)
    }
}

/// Parses every signature of a request (`Signature-Input` and `Signature`, RFC 9421
/// §4) without verifying any, so the caller can fetch the keys named by `keyid`
/// before calling [`super::verify_message`]. Signatures come in `Signature-Input`
/// order; `Signature` members without an input are ignored.
///
/// # Errors
/// [`SignatureError::NotSigned`] without `Signature-Input`; `MissingHeader` without
/// `Signature`; `MalformedHeader` when a field is not a valid dictionary of the
/// expected shape, over 8 KiB, has more than [`MAX_SIGNATURES`] labels, or a label
/// has no signature; `MissingParameter("keyid")`; `InvalidParameter` when `created`
/// or `expires` is not an integer.
pub fn parse_message_signatures(
    headers: &HeaderMap,
) -> Result<Vec<MessageSignature>, SignatureError> {
    let inputs = dictionary(headers, "signature-input").map_err(|error| match error {
        SignatureError::MissingHeader(_) => SignatureError::NotSigned,
        other => other,
    })?;
    let signatures = dictionary(headers, "signature")?;
    if inputs.is_empty() {
        return Err(SignatureError::MalformedHeader("empty Signature-Input"));
    }
    if inputs.len() > MAX_SIGNATURES {
        return Err(SignatureError::MalformedHeader("too many signatures"));
    }
    inputs
        .into_iter()
        .map(|(label, member)| {
            let Member::InnerList(input) = member else {
                return Err(SignatureError::MalformedHeader(
                    "a Signature-Input member is not an inner list",
                ));
            };
            let signature = signatures
                .iter()
                .find(|(name, _)| *name == label)
                .and_then(|(_, member)| match member {
                    Member::Item(item) => match &item.bare {
                        BareItem::Bytes(bytes) => Some(bytes.clone()),
                        _ => None,
                    },
                    Member::InnerList(_) => None,
                })
                .ok_or(SignatureError::MalformedHeader(
                    "no byte sequence in Signature for a Signature-Input label",
                ))?;
            signature_from(label, input, signature)
        })
        .collect()
}

fn dictionary(headers: &HeaderMap, name: &str) -> Result<Vec<(String, Member)>, SignatureError> {
    let field = field_value(headers, name, MAX_FIELD_LEN).map_err(|error| match error {
        FieldError::Missing => SignatureError::MissingHeader(name.to_owned()),
        FieldError::Invalid(reason) => SignatureError::MalformedHeader(reason),
    })?;
    parse_dictionary(&field).map_err(SignatureError::MalformedHeader)
}

fn signature_from(
    label: String,
    input: InnerList,
    signature: Vec<u8>,
) -> Result<MessageSignature, SignatureError> {
    let mut components = Vec::with_capacity(input.items.len());
    for item in &input.items {
        let BareItem::String(name) = &item.bare else {
            return Err(SignatureError::MalformedHeader(
                "a covered component is not a string",
            ));
        };
        components.push(name.clone());
    }
    let parameter = |name: &str| {
        input
            .parameters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    };
    let text = |name: &str| match parameter(name) {
        None => Ok(None),
        Some(BareItem::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(SignatureError::MalformedHeader(
            "keyid, alg, nonce and tag must be strings",
        )),
    };
    let integer = |name: &'static str| match parameter(name) {
        None => Ok(None),
        Some(BareItem::Integer(value)) => Ok(Some(*value)),
        Some(_) => Err(SignatureError::InvalidParameter(name)),
    };
    let key_id = text("keyid")?
        .filter(|key_id| !key_id.is_empty())
        .ok_or(SignatureError::MissingParameter("keyid"))?;
    Ok(MessageSignature {
        label,
        key_id,
        algorithm: text("alg")?,
        created: integer("created")?,
        expires: integer("expires")?,
        nonce: text("nonce")?,
        tag: text("tag")?,
        components,
        signature,
        input,
    })
}

/// The signature base (RFC 9421 §2.5) of `request` for the covered components and
/// parameters of `input`: one `"name": value` line per component, then
/// `"@signature-params": …`, with no trailing newline.
///
/// # Errors
/// [`SignatureError::UnsupportedComponent`] for a component that cannot be derived
/// here (unknown `@` name, component parameters, `@signature-params`, a name that is
/// not a lowercase field name); `MalformedHeader` for a component covered twice;
/// `MissingHeader` for a covered field the request lacks.
pub(super) fn signature_base(
    method: &Method,
    target: &RequestTarget,
    headers: &HeaderMap,
    input: &InnerList,
) -> Result<Vec<u8>, SignatureError> {
    let mut base = Vec::new();
    let mut seen: Vec<&str> = Vec::with_capacity(input.items.len());
    for item in &input.items {
        let BareItem::String(name) = &item.bare else {
            return Err(SignatureError::MalformedHeader(
                "a covered component is not a string",
            ));
        };
        if !item.parameters.is_empty() {
            return Err(SignatureError::UnsupportedComponent(serialize_item(item)));
        }
        if seen.contains(&name.as_str()) {
            return Err(SignatureError::MalformedHeader(
                "a component is covered twice",
            ));
        }
        seen.push(name);
        base.extend_from_slice(format!("\"{name}\": ").as_bytes());
        match name.as_str() {
            "@method" => base.extend_from_slice(method.as_str().as_bytes()),
            "@target-uri" => base.extend_from_slice(target.target_uri().as_bytes()),
            "@authority" => base.extend_from_slice(target.authority.as_bytes()),
            "@scheme" => base.extend_from_slice(target.scheme.as_bytes()),
            "@request-target" => base.extend_from_slice(target.request_target().as_bytes()),
            "@path" => base.extend_from_slice(target.path.as_bytes()),
            "@query" => {
                base.push(b'?');
                base.extend_from_slice(target.query.as_deref().unwrap_or_default().as_bytes());
            }
            field if is_field_name(field) => field_component(&mut base, headers, field)?,
            other => return Err(SignatureError::UnsupportedComponent(other.to_owned())),
        }
        base.push(b'\n');
    }
    base.extend_from_slice(b"\"@signature-params\": ");
    base.extend_from_slice(serialize_inner_list(input).as_bytes());
    Ok(base)
}

/// A lowercase HTTP field name (RFC 9110 token); the signature fields themselves and
/// names starting with `@` are not.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&c)
        })
}

/// RFC 9421 §2.1: every line of the field, trimmed, joined with `, `.
fn field_component(
    base: &mut Vec<u8>,
    headers: &HeaderMap,
    name: &str,
) -> Result<(), SignatureError> {
    let mut values = headers.get_all(name).iter().peekable();
    if values.peek().is_none() {
        return Err(SignatureError::MissingHeader(name.to_owned()));
    }
    for (position, value) in values.enumerate() {
        if position > 0 {
            base.extend_from_slice(b", ");
        }
        base.extend_from_slice(value.as_bytes().trim_ascii());
    }
    Ok(())
}
