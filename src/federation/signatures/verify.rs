//! Verifying an inbound request's draft-cavage signature: which headers must be
//! signed, the time window, the `Digest` (RFC 3230) and the RSA signature itself.

use axum::http::{HeaderMap, Method};
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest as _, Sha256};

use super::{
    parse_signature_header, KeyType, SignatureError, SignatureParams, VerifyingKey, LENIENT_BASE64,
    REQUEST_TARGET,
};

/// Which signed headers and which signing times [`verify`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How old the signing time (the signed `Date`, or the signed `(created)`) may be.
    /// Default: [`DEFAULT_MAX_AGE`].
    pub max_age: TimeDelta,
    /// How far in the future the signing time may be, and the grace given after a
    /// signed `(expires)`. Default: 1 hour (Mastodon's clock skew margin).
    pub max_future_skew: TimeDelta,
    /// Whether `host` must be signed. Default: true (Mastodon requires it on GET).
    pub require_host: bool,
}

/// 65 minutes: Mastodon treats a signature as valid for 5 minutes after its signing
/// time, plus an hour of clock skew (`SignedRequest#matches_time_window?`), for GETs
/// and POSTs alike.
pub const DEFAULT_MAX_AGE: TimeDelta = TimeDelta::minutes(65);

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_age: DEFAULT_MAX_AGE,
            max_future_skew: TimeDelta::hours(1),
            require_host: true,
        }
    }
}

impl Policy {
    /// Mastodon's rules for a request with `method`, with signatures valid for
    /// `max_age`: `host` must be signed on GET (and HEAD) only, as Mastodon requires;
    /// the activitypub_federation crate's default mode, used by Lemmy, leaves it out
    /// of POSTs.
    pub fn for_method(method: &Method, max_age: TimeDelta) -> Policy {
        Policy {
            max_age,
            require_host: matches!(*method, Method::GET | Method::HEAD),
            ..Policy::default()
        }
    }
}

/// Verifies an inbound request's draft-cavage signature against the sender's public key.
///
/// `path_and_query` is the request target exactly as received (`/users/bob/inbox?x=1`),
/// `headers` the request headers (they must include `Host`; see the module docs) and
/// `body` the raw body. Checks, in order:
/// 1. the `Signature` header parses ([`parse_signature_header`]);
/// 2. the algorithm is `rsa-sha256` (with an RSA key), `hs2019` or absent;
/// 3. the signature covers `(request-target)`, `date` or `(created)`, `host` (if
///    `policy.require_host`) and `digest` (for POST or a non-empty body);
/// 4. every signed header is present, and `(created)`/`(expires)` appear only with
///    `hs2019` and their parameter;
/// 5. the signing time lies in the policy window, and a signed `(expires)` has not
///    passed. Only what the signature covers counts: the `created` parameter when
///    `(created)` is signed, else the `Date` header when `date` is signed. An unsigned
///    `created` or `expires` parameter is ignored, so a captured request cannot be
///    made fresh again by adding one;
/// 6. a `Digest` header, if present, carries a SHA-256 (name in any case, among any
///    others) equal to the body's;
/// 7. the signature verifies: RSASSA-PKCS1-v1_5 SHA-256 for an RSA key, Ed25519 (with
///    `hs2019` or no algorithm only) for an Ed25519 key. As Mastodon does, a signature
///    over the path without its query is also accepted (older Mastodon signed so).
///
/// Pure: no I/O, and no replay cache (deduplicate activity ids yourself).
///
/// # Errors
/// The first failed check, as a distinct [`SignatureError`] variant.
pub fn verify(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    public_key: &VerifyingKey,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), SignatureError> {
    let params = parse_signature_header(headers)?;
    if let Some(algorithm) = params.algorithm.as_deref() {
        if algorithm != "rsa-sha256" && algorithm != "hs2019" {
            return Err(SignatureError::UnsupportedAlgorithm(algorithm.to_owned()));
        }
        // `hs2019` takes its algorithm from the key; `rsa-sha256` names RSA.
        if algorithm == "rsa-sha256" && public_key.key_type() != KeyType::Rsa {
            return Err(SignatureError::KeyAlgorithmMismatch(algorithm.to_owned()));
        }
    }
    check_required_headers(&params, method, body, policy)?;
    let method = method.as_str().to_ascii_lowercase();
    // Built first so that a missing signed header or a bad pseudo-header is reported
    // as such, before freshness and digest.
    let with_query = signing_string(&params, &method, path_and_query, headers)?;
    check_time_window(&params, headers, now, policy)?;
    if params.signs("digest") || headers.contains_key("digest") {
        check_digest(headers, body)?;
    }
    if public_key.verify_bytes(&with_query, &params.signature) {
        return Ok(());
    }
    match path_and_query.split_once('?') {
        Some((path, _)) => {
            let without_query = signing_string(&params, &method, path, headers)?;
            if public_key.verify_bytes(&without_query, &params.signature) {
                return Ok(());
            }
            Err(SignatureError::BadSignature)
        }
        None => Err(SignatureError::BadSignature),
    }
}

fn check_required_headers(
    params: &SignatureParams,
    method: &Method,
    body: &[u8],
    policy: &Policy,
) -> Result<(), SignatureError> {
    let missing = SignatureError::RequiredHeaderNotSigned;
    if !params.signs(REQUEST_TARGET) {
        return Err(missing(REQUEST_TARGET));
    }
    if !params.signs("date") && !params.signs("(created)") {
        return Err(missing("date or (created)"));
    }
    if policy.require_host && !params.signs("host") {
        return Err(missing("host"));
    }
    if (*method == Method::POST || !body.is_empty()) && !params.signs("digest") {
        return Err(missing("digest"));
    }
    Ok(())
}

fn check_time_window(
    params: &SignatureParams,
    headers: &HeaderMap,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), SignatureError> {
    let signed_at = signing_time(params, headers)?;
    if signed_at > now + policy.max_future_skew {
        return Err(SignatureError::FromTheFuture { signed_at });
    }
    if now - signed_at > policy.max_age {
        return Err(SignatureError::Expired { signed_at });
    }
    if params.signs("(expires)") {
        let expires = params
            .expires
            .ok_or(SignatureError::MissingParameter("expires"))?;
        // Checked: `expires` comes from the sender and may sit at the end of time.
        let deadline = unix_time(expires, "expires")?
            .checked_add_signed(policy.max_future_skew)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        if now > deadline {
            return Err(SignatureError::Expired { signed_at });
        }
    }
    Ok(())
}

/// When the request was signed, taken only from what the signature covers: the
/// `created` parameter if `(created)` is signed, else the `Date` header if `date` is.
fn signing_time(
    params: &SignatureParams,
    headers: &HeaderMap,
) -> Result<DateTime<Utc>, SignatureError> {
    if params.signs("(created)") {
        let created = params
            .created
            .ok_or(SignatureError::MissingParameter("created"))?;
        return unix_time(created, "created");
    }
    if !params.signs("date") {
        return Err(SignatureError::RequiredHeaderNotSigned("date or (created)"));
    }
    let date = headers
        .get("date")
        .ok_or_else(|| SignatureError::MissingHeader("date".to_owned()))?;
    let date = date.to_str().map_err(|_| SignatureError::InvalidDate)?;
    let date = httpdate::parse_http_date(date).map_err(|_| SignatureError::InvalidDate)?;
    Ok(DateTime::<Utc>::from(date))
}

fn unix_time(seconds: i64, parameter: &'static str) -> Result<DateTime<Utc>, SignatureError> {
    DateTime::from_timestamp(seconds, 0).ok_or(SignatureError::InvalidParameter(parameter))
}

/// RFC 3230: `Digest: alg=value, alg=value`; algorithm names are case-insensitive.
fn check_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let mut offered = Vec::new();
    let mut sha256 = None;
    for value in headers.get_all("digest") {
        let value = value
            .to_str()
            .map_err(|_| SignatureError::MalformedDigest)?;
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (algorithm, digest) = entry
                .split_once('=')
                .ok_or(SignatureError::MalformedDigest)?;
            let algorithm = algorithm.trim();
            if algorithm.eq_ignore_ascii_case("sha-256") {
                sha256 = Some(digest.trim());
            }
            offered.push(algorithm.to_owned());
        }
    }
    if offered.is_empty() {
        return Err(SignatureError::MalformedDigest);
    }
    let sha256 = sha256.ok_or_else(|| SignatureError::UnsupportedDigest(offered.join(", ")))?;
    let sha256 = LENIENT_BASE64
        .decode(sha256)
        .map_err(|_| SignatureError::MalformedDigest)?;
    if sha256[..] != Sha256::digest(body)[..] {
        return Err(SignatureError::DigestMismatch);
    }
    Ok(())
}

/// The draft-cavage signing string for `target`: one `name: value` line per signed header.
fn signing_string(
    params: &SignatureParams,
    method: &str,
    target: &str,
    headers: &HeaderMap,
) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::new();
    for (index, name) in params.headers.iter().enumerate() {
        if index > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        match name.as_str() {
            REQUEST_TARGET => out.extend_from_slice(format!("{method} {target}").as_bytes()),
            "(created)" | "(expires)" if params.is_hs2019() => {
                let (value, parameter) = if name == "(created)" {
                    (params.created, "created")
                } else {
                    (params.expires, "expires")
                };
                let value = value.ok_or(SignatureError::MissingParameter(parameter))?;
                out.extend_from_slice(value.to_string().as_bytes());
            }
            pseudo if pseudo.starts_with('(') => {
                return Err(SignatureError::InvalidPseudoHeader(pseudo.to_owned()));
            }
            _ => {
                let mut values = headers.get_all(name.as_str()).iter().peekable();
                if values.peek().is_none() {
                    return Err(SignatureError::MissingHeader(name.clone()));
                }
                // draft-cavage §2.3: repeated headers are joined with ", " in order.
                for (position, value) in values.enumerate() {
                    if position > 0 {
                        out.extend_from_slice(b", ");
                    }
                    out.extend_from_slice(value.as_bytes());
                }
            }
        }
    }
    Ok(out)
}
