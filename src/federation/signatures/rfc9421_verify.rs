//! Verifying an inbound request's RFC 9421 signature: which components must be
//! covered, the `created`/`expires` window, `alg` against the key type, the
//! `Content-Digest` (RFC 9530) and the signature itself.

use axum::http::Method;
use chrono::{DateTime, Utc};

use super::digest::verify_content_digest;
use super::rfc9421::{signature_base, MessageRequest, MessageSignature};
use super::{KeyType, Policy, SignatureError, VerifyingKey};

/// A signature that verified: which one, and the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The signature's label (`sig1`).
    pub label: String,
    /// Its `keyid`: the key the caller looked up, whose owner is the signer.
    pub key_id: String,
}

/// Verifies one RFC 9421 signature of `request` (from
/// [`super::parse_message_signatures`]) against the key its `keyid` names.
///
/// Checks, in order:
/// 1. `alg`, when present, is `rsa-v1_5-sha256` for an RSA key or `ed25519` for an
///    Ed25519 key (without `alg` the key type decides);
/// 2. the signature covers `@method`; `@target-uri`, or `@authority` with `@path` and
///    (when the request has a query) `@query`, or `@authority` with
///    `@request-target`; and `content-digest` for POST or a non-empty body;
/// 3. every covered component can be derived and every covered field is present;
/// 4. `created` is present and within the policy window (`policy.max_age` old at
///    most, `policy.max_future_skew` ahead at most), and `expires`, when present, has
///    not passed by more than `policy.max_future_skew` (clock skew, as for cavage).
///    `policy.require_host` does not apply: the authority is always covered;
/// 5. a covered `Content-Digest` matches the body ([`super::verify_content_digest`]);
/// 6. the signature verifies over the signature base.
///
/// Pure: no I/O, and no replay cache (deduplicate activity ids; `nonce` is not
/// tracked).
///
/// # Errors
/// The first failed check, as a distinct [`SignatureError`] variant.
pub fn verify_message(
    request: &MessageRequest<'_>,
    signature: &MessageSignature,
    key: &VerifyingKey,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), SignatureError> {
    check_algorithm(signature, key)?;
    check_required_components(request, signature)?;
    // Built before the window and digest checks so that a missing field or an
    // unsupported component is reported as such.
    let base = signature_base(
        request.method,
        request.target,
        request.headers,
        &signature.input,
    )?;
    check_time_window(signature, now, policy)?;
    if signature.covers("content-digest") {
        verify_content_digest(request.headers, request.body)?;
    }
    if !key.verify_bytes(&base, &signature.signature) {
        return Err(SignatureError::BadSignature);
    }
    Ok(())
}

/// Verifies `signatures` in order with the key `key_for` returns for each (`None`:
/// the key is unknown, skip that signature) and returns the first that verifies.
///
/// # Errors
/// [`SignatureError::NoKnownKey`] when `key_for` knew no signature's key; otherwise
/// the error of the first signature that had a key.
pub fn verify_message_signatures<'k>(
    request: &MessageRequest<'_>,
    signatures: &[MessageSignature],
    key_for: impl Fn(&MessageSignature) -> Option<&'k VerifyingKey>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<VerifiedSignature, SignatureError> {
    let mut first_error = None;
    for signature in signatures {
        let Some(key) = key_for(signature) else {
            continue;
        };
        match verify_message(request, signature, key, now, policy) {
            Ok(()) => {
                return Ok(VerifiedSignature {
                    label: signature.label.clone(),
                    key_id: signature.key_id.clone(),
                })
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(SignatureError::NoKnownKey))
}

fn check_algorithm(signature: &MessageSignature, key: &VerifyingKey) -> Result<(), SignatureError> {
    let Some(algorithm) = signature.algorithm.as_deref() else {
        return Ok(());
    };
    let expected = match algorithm {
        "rsa-v1_5-sha256" => KeyType::Rsa,
        "ed25519" => KeyType::Ed25519,
        other => return Err(SignatureError::UnsupportedAlgorithm(other.to_owned())),
    };
    if key.key_type() != expected {
        return Err(SignatureError::KeyAlgorithmMismatch(algorithm.to_owned()));
    }
    Ok(())
}

fn check_required_components(
    request: &MessageRequest<'_>,
    signature: &MessageSignature,
) -> Result<(), SignatureError> {
    let missing = SignatureError::RequiredHeaderNotSigned;
    let covers = |name: &str| signature.covers(name);
    if !covers("@method") {
        return Err(missing("@method"));
    }
    if !covers("@target-uri") {
        if !covers("@authority") {
            return Err(missing("@target-uri or @authority"));
        }
        let request_target = covers("@request-target");
        if !request_target && !covers("@path") {
            return Err(missing("@target-uri or @path"));
        }
        if request.target.has_query() && !request_target && !covers("@query") {
            return Err(missing("@query"));
        }
    }
    let has_body = *request.method == Method::POST || !request.body.is_empty();
    if has_body && !covers("content-digest") {
        return Err(missing("content-digest"));
    }
    Ok(())
}

fn check_time_window(
    signature: &MessageSignature,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), SignatureError> {
    let created = signature
        .created
        .ok_or(SignatureError::MissingParameter("created"))?;
    let signed_at = unix_time(created, "created")?;
    if signed_at > now + policy.max_future_skew {
        return Err(SignatureError::FromTheFuture { signed_at });
    }
    if now - signed_at > policy.max_age {
        return Err(SignatureError::Expired { signed_at });
    }
    if let Some(expires) = signature.expires {
        let expires = unix_time(expires, "expires")?;
        // Checked: `expires` comes from the sender and may sit at the end of time.
        let deadline = expires
            .checked_add_signed(policy.max_future_skew)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        if now > deadline {
            return Err(SignatureError::Expired { signed_at });
        }
    }
    Ok(())
}

fn unix_time(seconds: i64, parameter: &'static str) -> Result<DateTime<Utc>, SignatureError> {
    DateTime::from_timestamp(seconds, 0).ok_or(SignatureError::InvalidParameter(parameter))
}
