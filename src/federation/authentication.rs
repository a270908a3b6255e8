//! Who signed an inbound request: the one rule the inbox POST and signed GETs
//! ("authorized fetch") share. Find (or fetch) the account owning the signature's
//! `keyId`, verify the draft-cavage signature with its key and, when the stored key
//! fails, refetch the key once (rate-limited by `resolve::refetch_key`) and try again,
//! as the sender may have rotated it.
//!
//! Does not: decide what a request may do once its signer is known (the inbox checks
//! the activity's actor, the status page the viewer's rights), nor read the body.
//! The signature checks themselves are the pure functions of `federation::signatures`.
//!
//! Spec: draft-cavage-http-signatures-12 as Mastodon uses it,
//! <https://docs.joinmastodon.org/spec/security/>.

use axum::http::{HeaderMap, Method};
use chrono::Utc;

use super::fetch::FetchError;
use super::resolve::{self, ResolveError};
use super::signatures::{self, Policy, SignatureError, SignatureParams, VerifyingKey};
use crate::db::accounts::AccountRow;
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
}

impl From<ResolveError> for AuthenticationError {
    fn from(error: ResolveError) -> Self {
        match error {
            ResolveError::Fetch(FetchError::Gone(_)) => AuthenticationError::SignerGone,
            other => AuthenticationError::UnknownSigner(format!("{other:#}")),
        }
    }
}

/// The signature rules for a request with `method`: Mastodon's (see
/// [`Policy::for_method`]), with signatures valid for `ROOST_SIGNATURE_MAX_AGE`.
pub fn signature_policy(state: &AppState, method: &Method) -> Policy {
    Policy::for_method(method, state.config.signature_max_age())
}

/// The account that signed `request` (its `Signature` already parsed into `params`),
/// fetching the key's owner when unknown and refetching its key once when the stored
/// one does not verify. Side effects: may store or update the signer's account.
pub async fn authenticate(
    state: &AppState,
    params: &SignatureParams,
    request: &SignedRequest<'_>,
) -> Result<AccountRow, AuthenticationError> {
    let signer = resolve::account_for_key(state, &params.key_id).await?;
    let policy = signature_policy(state, request.method);
    let check = |account: &AccountRow| -> Result<(), SignatureError> {
        let pem = account
            .public_key_pem
            .as_deref()
            .ok_or(SignatureError::BadSignature)?;
        let key = VerifyingKey::from_pem(pem).map_err(|_| SignatureError::BadSignature)?;
        signatures::verify(
            request.method,
            request.path,
            request.headers,
            request.body,
            &key,
            Utc::now(),
            &policy,
        )
    };
    match check(&signer) {
        Err(SignatureError::BadSignature) => match resolve::refetch_key(state, &signer).await? {
            Some(account) => Ok(check(&account).map(|()| account)?),
            None => Err(SignatureError::BadSignature.into()),
        },
        other => Ok(other.map(|()| signer)?),
    }
}
