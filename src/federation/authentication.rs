//! Who signed an inbound request: the one rule the inbox POST and signed GETs
//! ("authorized fetch") share, for both signature schemes. Read the request's
//! signature ([`SignatureClaim::read`]: RFC 9421 when `Signature-Input` is present,
//! draft-cavage otherwise), find (or fetch) the account owning its key id — the main
//! `publicKey` or any further key the actor publishes (a second `publicKey`, a
//! FEP-521a Multikey) — verify it with that key and, when the stored key fails,
//! refetch the actor once (rate-limited by `resolve::refetch_key`) and try again, as
//! the sender may have rotated it.
//!
//! Does not: decide what a request may do once its signer is known (the inbox checks
//! the activity's actor, the status page the viewer's rights), nor read the body.
//! The signature checks themselves are the pure functions of `federation::signatures`.
//!
//! Specs: draft-cavage-http-signatures-12 as Mastodon uses it,
//! <https://docs.joinmastodon.org/spec/security/>; RFC 9421,
//! <https://www.rfc-editor.org/rfc/rfc9421>.

use axum::http::header::HOST;
use axum::http::{HeaderMap, Method};
use chrono::{DateTime, Utc};

use super::fetch::FetchError;
use super::resolve::{self, ResolveError};
use super::signatures::{
    self, MessageRequest, MessageSignature, Policy, RequestTarget, SignatureError, SignatureParams,
    VerifyingKey,
};
use crate::db::accounts::AccountRow;
use crate::db::actor_keys;
use crate::state::AppState;

/// What the signature of a request covers.
pub struct SignedRequest<'a> {
    /// The request's method.
    pub method: &'a Method,
    /// The request target as sent (path and query), before any router normalised it.
    pub path: &'a str,
    /// The request's headers, including `Host`.
    pub headers: &'a HeaderMap,
    /// The body exactly as received (empty for a GET).
    pub body: &'a [u8],
}

/// The signature a request carries, in the scheme it was made with.
#[derive(Debug)]
pub enum SignatureClaim {
    /// draft-cavage: one `Signature` (or `Authorization: Signature`) header.
    Cavage(SignatureParams),
    /// RFC 9421: `Signature-Input` and `Signature` dictionaries, at most
    /// [`signatures::MAX_SIGNATURES`] signatures.
    Message(Vec<MessageSignature>),
}

impl SignatureClaim {
    /// Reads the request's signature: RFC 9421 when a `Signature-Input` header is
    /// present, draft-cavage otherwise.
    ///
    /// # Errors
    /// [`SignatureError::NotSigned`] when the request carries no signature; a parse
    /// error when it carries a malformed one.
    pub fn read(headers: &HeaderMap) -> Result<Self, SignatureError> {
        if headers.contains_key("signature-input") {
            return signatures::parse_message_signatures(headers).map(SignatureClaim::Message);
        }
        signatures::parse_signature_header(headers).map(SignatureClaim::Cavage)
    }

    /// Whether the signature covers the header `name` (lowercase): a header the
    /// receiver acts on must be covered, or anyone on the path could have added it.
    /// With several RFC 9421 signatures, every one must cover it (whichever verifies).
    pub fn covers(&self, name: &str) -> bool {
        match self {
            SignatureClaim::Cavage(params) => params.signs(name),
            SignatureClaim::Message(signatures) => {
                !signatures.is_empty() && signatures.iter().all(|s| s.covers(name))
            }
        }
    }

    /// The scheme's name, for logs.
    pub fn scheme(&self) -> &'static str {
        match self {
            SignatureClaim::Cavage(_) => "draft-cavage",
            SignatureClaim::Message(_) => "rfc9421",
        }
    }
}

/// Why a request's signer could not be established.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    /// The signature is missing, malformed, stale or does not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The key's owner could not be found or fetched.
    #[error("the signing key's owner could not be resolved: {0}")]
    UnknownSigner(String),
    /// The key's owner answered 410 Gone: the account was deleted.
    #[error("the signing actor is gone")]
    SignerGone,
    /// Roost's database failed while looking the key up.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<ResolveError> for AuthenticationError {
    fn from(error: ResolveError) -> Self {
        match error {
            ResolveError::Fetch(FetchError::Gone(_)) => AuthenticationError::SignerGone,
            ResolveError::Database(error) => AuthenticationError::Database(error),
            other => AuthenticationError::UnknownSigner(format!("{other:#}")),
        }
    }
}

/// The signature rules for a request with `method`: Mastodon's (see
/// [`Policy::for_method`]), with signatures valid for `ROOST_SIGNATURE_MAX_AGE`.
pub fn signature_policy(state: &AppState, method: &Method) -> Policy {
    Policy::for_method(method, state.config.signature_max_age())
}

/// The account that signed `request` with `claim`, fetching the key's owner when
/// unknown and refetching it once when the stored key does not verify. Of several
/// RFC 9421 signatures the first that verifies counts. Side effects: may store or
/// update the signer's account.
pub async fn authenticate(
    state: &AppState,
    claim: &SignatureClaim,
    request: &SignedRequest<'_>,
) -> Result<AccountRow, AuthenticationError> {
    let policy = signature_policy(state, request.method);
    let now = Utc::now();
    match claim {
        SignatureClaim::Cavage(params) => {
            let check = |key: &VerifyingKey| {
                signatures::verify(
                    request.method,
                    request.path,
                    request.headers,
                    request.body,
                    key,
                    now,
                    &policy,
                )
            };
            signer_of(state, &params.key_id, check).await
        }
        SignatureClaim::Message(signatures) => {
            authenticate_message(state, signatures, request, now, &policy).await
        }
    }
}

/// RFC 9421: tries each signature in order (at most four) and returns the signer of
/// the first that verifies, else the first failure.
async fn authenticate_message(
    state: &AppState,
    signatures: &[MessageSignature],
    request: &SignedRequest<'_>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<AccountRow, AuthenticationError> {
    let target = request_target(state, request);
    let message = MessageRequest {
        method: request.method,
        target: &target,
        headers: request.headers,
        body: request.body,
    };
    let mut first_failure = None;
    for signature in signatures {
        let check =
            |key: &VerifyingKey| signatures::verify_message(&message, signature, key, now, policy);
        match signer_of(state, &signature.key_id, check).await {
            Ok(signer) => return Ok(signer),
            Err(error) => {
                first_failure.get_or_insert(error);
            }
        }
    }
    Err(first_failure.unwrap_or(SignatureError::NotSigned.into()))
}

/// The URL the request was sent to, as the signer saw it: this server's public scheme,
/// the `Host` the client used (this server's domain without one) and the target as
/// received.
fn request_target(state: &AppState, request: &SignedRequest<'_>) -> RequestTarget {
    let scheme = if state.config.insecure_http {
        "http"
    } else {
        "https"
    };
    let authority = request
        .headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or(&state.config.domain);
    RequestTarget::from_parts(scheme, authority, request.path)
}

/// The account owning `key_id` if `check` accepts the signature with that key;
/// refetches the account once (rate-limited) when the stored key fails, as the signer
/// may have rotated it.
async fn signer_of(
    state: &AppState,
    key_id: &str,
    check: impl Fn(&VerifyingKey) -> Result<(), SignatureError>,
) -> Result<AccountRow, AuthenticationError> {
    let signer = resolve::account_for_key(state, key_id).await?;
    match verify_with(state, &signer, key_id, &check).await? {
        Err(SignatureError::BadSignature) => match resolve::refetch_key(state, &signer).await? {
            Some(account) => {
                let verified = verify_with(state, &account, key_id, &check).await?;
                Ok(verified.map(|()| account)?)
            }
            None => Err(SignatureError::BadSignature.into()),
        },
        other => Ok(other.map(|()| signer)?),
    }
}

/// `check` run with the key `key_id` of `account` as stored (its main key or a
/// further one); a key that is not stored or does not parse fails as a bad signature.
async fn verify_with(
    state: &AppState,
    account: &AccountRow,
    key_id: &str,
    check: &impl Fn(&VerifyingKey) -> Result<(), SignatureError>,
) -> Result<Result<(), SignatureError>, sqlx::Error> {
    let key = if account.key_id.as_deref() == Some(key_id) {
        account
            .public_key_pem
            .as_deref()
            .and_then(|pem| VerifyingKey::from_pem(pem).ok())
    } else {
        actor_keys::find(&state.db, account.id, key_id)
            .await?
            .and_then(|key| super::actor_keys::verifying_key(&key))
    };
    Ok(key.map_or(Err(SignatureError::BadSignature), |key| check(&key)))
}
