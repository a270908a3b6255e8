//! `GET /emojis/:id`: a local custom emoji as the `Emoji` object its tags name by id,
//! for servers that dereference the tag (as Mastodon serves it). Only enabled local
//! emoji are served; anything else is 404.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Emoji>.

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::activity_json;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::federation::builders::emojis::emoji_of;
use crate::federation::protocol::context;
use crate::state::AppState;

/// The emoji as ActivityStreams JSON, with Roost's `@context`.
pub async fn emoji(State(state): State<AppState>, Path(Id(id)): Path<Id>) -> ApiResult<Response> {
    let row = crate::db::custom_emojis::find_local(&state.db, id)
        .await?
        .filter(|row| !row.disabled)
        .ok_or(ApiError::NotFound)?;
    let tag = emoji_of(&state.config, &row)?.into_tag();
    let mut document = serde_json::to_value(tag).map_err(anyhow::Error::from)?;
    if let Value::Object(fields) = &mut document {
        fields.insert("@context".into(), context());
    }
    Ok(activity_json(&document))
}
