//! Serving local actors, their collections and their posts as ActivityStreams JSON to
//! other servers. A browser asking for the same URLs gets an HTML page from
//! `crate::web::pages` instead (content negotiation on `Accept`, see
//! [`wants_activity_json`]); every such response varies on `Accept`.
//!
//! - [`document`]: the actor (`/users/:name`, `/@:name`), the instance actor, key pairs.
//! - [`collections`]: followers, following, outbox, featured, featured hashtags.
//! - [`endorsements`]: the accounts an actor endorses.
//! - [`status`]: one local post as a Note.
//! - [`story`]: one local story, for the holder of its bearcap.
//! - [`emoji`]: one local custom emoji as an `Emoji`.
//! - [`signed_get`]: who is asking, from a signed GET ("authorized fetch").
//!
//! Spec: <https://www.w3.org/TR/activitypub/#actor-objects>,
//! <https://www.w3.org/TR/activitypub/#retrieving-objects>.

pub mod collections;
pub mod document;
pub mod emoji;
pub mod endorsements;
pub mod signed_get;
pub mod status;
pub mod story;

pub use collections::{
    featured, featured_tags, followers, followers_synchronization, following, outbox, replies,
};
pub use document::{actor, actor_document, backfill_missing_keys, instance};
pub use emoji::emoji;
pub use endorsements::endorsements;
pub use status::{quote_authorization, reply_authorization, status};
pub use story::story;

use axum::http::header::{ACCEPT, CONTENT_TYPE, VARY};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db::accounts::{self, AccountRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The media type of Roost's ActivityStreams responses.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// Whether the client asked for ActivityStreams: `application/activity+json`, or
/// `application/ld+json` (with or without the ActivityStreams profile). Media types
/// are compared, not whole header strings.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| {
            item.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .any(|media| media == "application/activity+json" || media == "application/ld+json")
}

/// A JSON body with the ActivityStreams content type.
pub fn activity_json<T: Serialize>(body: &T) -> Response {
    (
        [(CONTENT_TYPE, ACTIVITY_JSON), (VARY, "Accept")],
        axum::Json(body),
    )
        .into_response()
}

/// The visible local account `name`, or 404.
async fn local_account(state: &AppState, name: &str) -> ApiResult<AccountRow> {
    accounts::find_visible_by_acct(&state.db, name, None)
        .await?
        .ok_or(ApiError::NotFound)
}
