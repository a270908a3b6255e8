//! The inbox, from request to effect: this module is the endpoint, [`writer`] stores
//! what it accepts, [`worker`] settles the stored rows through `federation::inbound`.
//!
//! `POST /inbox` (shared) and `POST /users/:name/inbox`: authenticate the sender by its
//! HTTP signature, check that the activity is really theirs, **store it** and answer
//! 202. Processing happens later, in [`worker`], so a crash after the 202 loses
//! nothing and a slow activity never holds a peer's connection. The one sender that
//! may pass on someone else's activity is an accepted relay (`services::relays`): the
//! activity is stored under the relay and confirmed at its origin when processed
//! (`federation::inbound::relayed`).
//!
//! Either signature scheme is accepted: RFC 9421 (`Signature-Input`, what Fedify and
//! Roost send first) or draft-cavage (`Signature`). Any authentication failure is 401,
//! never 202 (peers that try RFC 9421 first fall back to draft-cavage only after a
//! 4xx) and never 500. A request without a readable signature is refused with 401
//! before its body is read or judged, as Mastodon answers
//! (`{"error": "Request not signed"}`).
//!
//! Spec: <https://www.w3.org/TR/activitypub/#inbox>,
//! <https://docs.joinmastodon.org/spec/security/>.

pub mod worker;
pub mod writer;

use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::authentication::{authenticate, AuthenticationError, SignatureClaim, SignedRequest};
use super::domain_policy;
use super::protocol::raw::{attributed_to, object_id, same_origin};
use super::signatures::SignatureError;
use crate::db::{accounts, inbox};
use crate::state::AppState;

/// Largest activity accepted (as the activitypub_federation crate and Mastodon: 1 MiB).
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

/// Why an inbound POST was refused.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("request body is too large")]
    TooLarge,
    #[error("not an activity: {0}")]
    Malformed(&'static str),
    /// No `Signature` (nor `Authorization: Signature`) header: Mastodon's wording.
    #[error("Request not signed")]
    NotSigned,
    #[error("signature: {0}")]
    Signature(SignatureError),
    #[error("the signing key's owner could not be resolved: {0}")]
    UnknownSigner(String),
    #[error("the signing actor is gone")]
    SignerGone,
    #[error("the activity's actor is not the signer")]
    ActorMismatch,
    #[error("the activity's id is not on the actor's server")]
    ForeignId,
    #[error("the object is attributed to someone other than the actor")]
    AttributionMismatch,
    #[error("no such inbox")]
    NoSuchInbox,
    #[error("this server does not federate with the sender's domain")]
    DomainRefused,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<SignatureError> for InboxError {
    fn from(error: SignatureError) -> Self {
        match error {
            SignatureError::NotSigned => InboxError::NotSigned,
            other => InboxError::Signature(other),
        }
    }
}

impl From<AuthenticationError> for InboxError {
    fn from(error: AuthenticationError) -> Self {
        match error {
            AuthenticationError::Signature(error) => error.into(),
            AuthenticationError::UnknownSigner(reason) => InboxError::UnknownSigner(reason),
            AuthenticationError::SignerGone => InboxError::SignerGone,
            AuthenticationError::Database(error) => InboxError::Internal(error.into()),
        }
    }
}

impl IntoResponse for InboxError {
    fn into_response(self) -> Response {
        let status = match &self {
            InboxError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            InboxError::Malformed(_) => StatusCode::BAD_REQUEST,
            InboxError::NoSuchInbox => StatusCode::NOT_FOUND,
            InboxError::DomainRefused => StatusCode::FORBIDDEN,
            InboxError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        };
        // The API's rule: 503 with `Retry-After` while the database is unreachable (the
        // peer retries soon), else a logged 500 that says nothing.
        if let InboxError::Internal(cause) = self {
            return crate::error::ApiError::from(cause).into_response();
        }
        tracing::info!(error = %self, %status, "inbox refused a request");
        (status, axum::Json(json!({ "error": self.to_string() }))).into_response()
    }
}

/// The shared inbox.
pub async fn shared(
    State(state): State<AppState>,
    request: Request,
) -> Result<StatusCode, InboxError> {
    receive(&state, request).await
}

/// A local actor's personal inbox (404 for unknown users).
pub async fn personal(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Result<StatusCode, InboxError> {
    let local = accounts::find_visible_by_acct(&state.db, &name, None)
        .await
        .map_err(anyhow::Error::from)?;
    if local.is_none() {
        return Err(InboxError::NoSuchInbox);
    }
    receive(&state, request).await
}

async fn receive(state: &AppState, request: Request) -> Result<StatusCode, InboxError> {
    let (parts, body) = request.into_parts();
    // Who claims to speak comes first: an unsigned request is refused whatever it carries.
    let claim = SignatureClaim::read(&parts.headers)?;
    let body = axum::body::to_bytes(body, MAX_ACTIVITY_BYTES)
        .await
        .map_err(|_| InboxError::TooLarge)?;
    let mut activity: Value =
        serde_json::from_slice(&body).map_err(|_| InboxError::Malformed("invalid JSON"))?;
    // PostgreSQL stores no NUL: drop them, or the peer retries a poison activity for days.
    crate::domain::nul::strip_nul(&mut activity);
    let envelope = Envelope::parse(&activity)?;
    // A suspended (or, in allowlist mode, unlisted) domain is refused before anything
    // is fetched or stored on its behalf.
    let refused = domain_policy::refuses_text(state, envelope.actor)
        .await
        .map_err(anyhow::Error::from)?;
    if refused {
        return Err(InboxError::DomainRefused);
    }
    // The signature covers the target as sent, before the router normalised its path.
    let sent = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let path = sent.path_and_query().map_or("/", |p| p.as_str());
    let request = SignedRequest {
        method: &parts.method,
        path,
        headers: &parts.headers,
        body: &body,
    };
    let signer = match authenticate(state, &claim, &request).await {
        // A deleted account's server announces the deletion to everyone it knew of;
        // nothing is left to verify or to delete here, so acknowledge and drop it.
        Err(AuthenticationError::SignerGone) if envelope.kind == "Delete" => {
            return Ok(StatusCode::ACCEPTED)
        }
        other => other?,
    };
    // Only an accepted relay may pass on another actor's activity; it is stored under
    // the relay and confirmed at its origin later (`federation::inbound::relayed`).
    let relayed = signer.ap_id.as_deref() != Some(envelope.actor);
    if relayed && !relays_for(state, &signer, envelope.kind).await? {
        return Err(InboxError::ActorMismatch);
    }
    // An activity's id must be on its actor's server, or a signed peer could claim
    // other servers' activity ids and have the real ones dropped as duplicates.
    if !same_origin(envelope.id, envelope.actor) {
        return Err(InboxError::ForeignId);
    }
    // Only a Create or Update speaks for its object; an Announce embeds someone
    // else's post on purpose.
    let authors_object = matches!(envelope.kind, "Create" | "Update");
    if let Some(attributed) = attributed_to(&activity["object"]).filter(|_| authors_object) {
        if attributed != envelope.actor {
            return Err(InboxError::AttributionMismatch);
        }
    }
    let stored_actor = match signer.ap_id.as_deref() {
        Some(relay) if relayed => relay,
        _ => envelope.actor,
    };
    let (activity_id, activity_type, actor_ap_id) = (
        envelope.id.to_owned(),
        envelope.kind.to_owned(),
        stored_actor.to_owned(),
    );
    let new = inbox::NewActivity {
        activity_id: activity_id.clone(),
        activity_type,
        actor_ap_id,
        payload: activity,
        collection_synchronization: covered_sync_header(&claim, &parts.headers),
    };
    let stored = state
        .inbox_writer
        .store(&state.db, new, body.len())
        .await
        .map_err(anyhow::Error::from)?;
    if !stored {
        tracing::debug!(id = activity_id, "duplicate activity dropped");
    }
    Ok(StatusCode::ACCEPTED)
}

/// The FEP-8fcf `Collection-Synchronization` header, kept for the inbox worker only
/// when the request's signature covers it (an unsigned one could be anyone's) and it
/// is of a sane length; it is read when the activity is settled.
fn covered_sync_header(claim: &SignatureClaim, headers: &axum::http::HeaderMap) -> Option<String> {
    use crate::federation::collection_sync::HEADER;
    if !claim.covers(HEADER) {
        return None;
    }
    let value = headers.get(HEADER)?.to_str().ok()?;
    (value.len() <= 2048).then(|| value.to_owned())
}

/// Whether `signer` may pass on another actor's activity of type `kind`: an accepted
/// relay forwarding a post's `Create`, `Update` or `Delete`, or a boost's `Announce`.
async fn relays_for(
    state: &AppState,
    signer: &accounts::AccountRow,
    kind: &str,
) -> Result<bool, InboxError> {
    if !matches!(kind, "Create" | "Update" | "Delete" | "Announce") {
        return Ok(false);
    }
    crate::services::relays::is_accepted_relay(state, signer)
        .await
        .map_err(|error| InboxError::Internal(error.into()))
}

/// The fields every stored activity must have.
struct Envelope<'a> {
    id: &'a str,
    kind: &'a str,
    actor: &'a str,
}

impl<'a> Envelope<'a> {
    fn parse(activity: &'a Value) -> Result<Self, InboxError> {
        let id = activity["id"]
            .as_str()
            .filter(|id| url::Url::parse(id).is_ok());
        let kind = activity["type"]
            .as_str()
            .filter(|kind| !kind.is_empty() && kind.len() <= 64);
        Ok(Envelope {
            id: id.ok_or(InboxError::Malformed("missing or invalid id"))?,
            kind: kind.ok_or(InboxError::Malformed("missing or invalid type"))?,
            actor: object_id(&activity["actor"]).ok_or(InboxError::Malformed("missing actor"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};

    use super::*;
    use crate::federation::signatures::{generate_rsa_keypair, sign_with_headers, SigningKey};

    const SYNC: &str = "collectionId=\"https://a.example/users/x/followers\"";

    /// Headers of a POST signed with draft-cavage, covering the sync header or not.
    fn signed(cover_sync: bool) -> HeaderMap {
        let pair = generate_rsa_keypair().expect("key");
        let key = SigningKey::from_pem(&pair.private_pem).expect("parses");
        let url = url::Url::parse("https://roost.example/inbox").expect("url");
        let covered: &[(&str, &str)] = if cover_sync {
            &[("collection-synchronization", SYNC)]
        } else {
            &[]
        };
        let now = chrono::Utc::now();
        let signed = sign_with_headers(&Method::POST, &url, covered, Some(b"{}"), "k", &key, now)
            .expect("signs");
        let mut headers = HeaderMap::new();
        for (name, value) in signed.iter() {
            let value = HeaderValue::from_str(value).expect("value");
            headers.insert(HeaderName::from_static(name), value);
        }
        headers.insert("collection-synchronization", HeaderValue::from_static(SYNC));
        headers
    }

    #[test]
    fn a_sync_header_is_kept_only_when_the_signature_covers_it() {
        let covered = signed(true);
        let claim = SignatureClaim::read(&covered).expect("signed");
        assert_eq!(covered_sync_header(&claim, &covered).as_deref(), Some(SYNC));
        let added_later = signed(false);
        let claim = SignatureClaim::read(&added_later).expect("signed");
        assert_eq!(covered_sync_header(&claim, &added_later), None);
    }
}
