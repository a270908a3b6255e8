//! Who is asking, from a signed GET (Mastodon's "authorized fetch"): the same
//! authentication as the inbox (`federation::authentication`, either scheme), on an empty body. A GET
//! that is unsigned, or whose signature fails for any reason, is simply anonymous.
//!
//! Spec: <https://docs.joinmastodon.org/spec/security/#http-sign>.

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, Method, Uri};

use crate::db::accounts::AccountRow;
use crate::federation::authentication::{authenticate, SignatureClaim, SignedRequest};
use crate::state::AppState;

/// The id of the account behind a valid signed GET, if any; `None` for an unsigned
/// request and for every failure ("anonymous"). `uri` must be the target as sent.
pub async fn signed_viewer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<i64> {
    Some(signer(state, method, uri, headers).await?.id)
}

/// The account behind a valid signed GET, as [`signed_viewer`] finds it, for a
/// document that depends on who asks (FEP-8fcf's partial followers collection).
pub async fn signer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<AccountRow> {
    if !is_signed(headers) {
        return None;
    }
    let claim = SignatureClaim::read(headers).ok()?;
    let request = SignedRequest {
        method,
        path: uri.path_and_query().map_or("/", |p| p.as_str()),
        headers,
        body: b"",
    };
    authenticate(state, &claim, &request).await.ok()
}

/// Whether the request carries a signature at all (`Signature`, `Signature-Input`, or
/// `Authorization: Signature …`), so unsigned GETs cost nothing.
fn is_signed(headers: &HeaderMap) -> bool {
    headers.contains_key("signature")
        || headers.contains_key("signature-input")
        || headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Signature "))
}
