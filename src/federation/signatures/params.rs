//! Parsing the draft-cavage `Signature` header (§2.1 parameters, §3.1 `Authorization`
//! form) into [`SignatureParams`], before any key is known.

use std::collections::HashMap;

use axum::http::HeaderMap;
use base64::Engine as _;

use super::{SignatureError, LENIENT_BASE64};

/// The parameters of a draft-cavage `Signature` header, as parsed by [`parse_signature_header`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    /// The `keyId`: usually the URL of the sender's public key (see [`super::key_owner_from_key_id`]).
    pub key_id: String,
    /// The `algorithm`, lowercased, or `None` when absent (treated as `hs2019`).
    pub algorithm: Option<String>,
    /// The signed header names, lowercased, in signing order. When the sender omitted
    /// `headers`, Mastodon's default: `(created)` for `hs2019`, `date` for others.
    pub headers: Vec<String>,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
    /// The `created` parameter (Unix seconds), if present.
    pub created: Option<i64>,
    /// The `expires` parameter (Unix seconds), if present.
    pub expires: Option<i64>,
}

impl SignatureParams {
    pub(super) fn is_hs2019(&self) -> bool {
        self.algorithm.as_deref().is_none_or(|a| a == "hs2019")
    }

    /// Whether the signature covers the header `name` (lowercase).
    pub fn signs(&self, name: &str) -> bool {
        self.headers.iter().any(|signed| signed == name)
    }
}

/// Parses the draft-cavage signature of a request without verifying it, so the caller
/// can learn the `keyId` and fetch the sender's key before calling [`super::verify`].
///
/// Reads `Signature`, or else `Authorization: Signature …`. Accepts quoted or token
/// values, optional whitespace, and the stray `Signature ` prefix old senders add.
/// Unknown parameters are ignored. Does not check the algorithm or the signed headers.
///
/// # Errors
/// [`SignatureError::NotSigned`], `UnsupportedScheme`, `DuplicateHeader`,
/// `MalformedHeader`, `DuplicateParameter`, `MissingParameter`, `InvalidParameter`,
/// `InvalidBase64`.
pub fn parse_signature_header(headers: &HeaderMap) -> Result<SignatureParams, SignatureError> {
    if headers.contains_key("signature-input") {
        return Err(SignatureError::UnsupportedScheme);
    }
    let mut values = headers.get_all("signature").iter();
    let raw = match (values.next(), values.next()) {
        (Some(_), Some(_)) => return Err(SignatureError::DuplicateHeader("Signature")),
        (Some(value), None) => value.to_str().map_err(|_| not_ascii())?,
        (None, _) => authorization_signature(headers)?.ok_or(SignatureError::NotSigned)?,
    };
    let mut params = parse_parameters(raw)?;
    let mut take = |name: &'static str| params.remove(name).filter(|v| !v.is_empty());
    let key_id = take("keyId").ok_or(SignatureError::MissingParameter("keyId"))?;
    let signature = take("signature").ok_or(SignatureError::MissingParameter("signature"))?;
    let algorithm = take("algorithm").map(|a| a.to_ascii_lowercase());
    let headers = take("headers");
    let created = take("created")
        .map(|v| timestamp(&v, "created"))
        .transpose()?;
    let expires = take("expires")
        .map(|v| timestamp(&v, "expires"))
        .transpose()?;
    let default_headers = match algorithm.as_deref() {
        None | Some("hs2019") => "(created)",
        Some(_) => "date",
    };
    let headers = headers
        .as_deref()
        .unwrap_or(default_headers)
        .to_ascii_lowercase();
    Ok(SignatureParams {
        key_id,
        algorithm,
        headers: headers
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect(),
        signature: LENIENT_BASE64
            .decode(signature)
            .map_err(|_| SignatureError::InvalidBase64)?,
        created,
        expires,
    })
}

fn not_ascii() -> SignatureError {
    SignatureError::MalformedHeader("not visible ASCII")
}

/// `Authorization: Signature <params>`, the form draft-cavage §3.1 also allows.
fn authorization_signature(headers: &HeaderMap) -> Result<Option<&str>, SignatureError> {
    let Some(value) = headers.get("authorization") else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| not_ascii())?;
    Ok(match value.split_once(' ') {
        Some((scheme, params)) if scheme.eq_ignore_ascii_case("signature") => Some(params),
        _ => None,
    })
}

pub(super) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Splits `name="value", name=token, …` into a map; values keep their case.
pub(crate) fn parse_parameters(raw: &str) -> Result<HashMap<String, String>, SignatureError> {
    let malformed = SignatureError::MalformedHeader;
    let mut rest = raw.trim_start();
    // Old node-http-signature versions put the auth scheme into the Signature header.
    if let Some(stripped) = rest.strip_prefix("Signature ") {
        rest = stripped;
    }
    let mut params = HashMap::new();
    loop {
        rest = rest.trim_start();
        let name_end = rest.find(|c| !is_token_char(c)).unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        if name.is_empty() {
            return Err(malformed("expected a parameter name"));
        }
        let after = after.trim_start().strip_prefix('=');
        let after = after.ok_or(malformed("expected '=' after a parameter name"))?;
        let (value, after) = parse_value(after.trim_start())?;
        if params.insert(name.to_owned(), value).is_some() {
            return Err(SignatureError::DuplicateParameter(name.to_owned()));
        }
        rest = after.trim_start();
        if rest.is_empty() {
            return Ok(params);
        }
        rest = rest
            .strip_prefix(',')
            .ok_or(malformed("expected ',' between parameters"))?;
    }
}

/// Reads one quoted-string (with `\` escapes) or token; returns it and the remaining input.
fn parse_value(input: &str) -> Result<(String, &str), SignatureError> {
    let Some(quoted) = input.strip_prefix('"') else {
        let end = input.find(|c| !is_token_char(c)).unwrap_or(input.len());
        if end == 0 {
            return Err(SignatureError::MalformedHeader(
                "expected a parameter value",
            ));
        }
        return Ok((input[..end].to_owned(), &input[end..]));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &quoted[index + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(SignatureError::MalformedHeader("unterminated quoted value"))
}

fn timestamp(value: &str, name: &'static str) -> Result<i64, SignatureError> {
    value
        .parse()
        .map_err(|_| SignatureError::InvalidParameter(name))
}
