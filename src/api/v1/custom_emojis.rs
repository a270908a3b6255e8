//! `GET /api/v1/custom_emojis`: the emoji an app's picker offers
//! (<https://docs.joinmastodon.org/methods/custom_emojis/>). Public, no token needed.

use axum::extract::State;
use axum::Json;

use crate::api::entities::CustomEmoji;
use crate::error::ApiResult;
use crate::services::custom_emojis;
use crate::state::AppState;

/// The local emoji that are enabled and listed in the picker, by shortcode.
#[utoipa::path(get, path = "/api/v1/custom_emojis", tag = "custom_emojis",
    responses((status = 200, description = "CustomEmoji entities", body = Vec<CustomEmoji>)))]
pub async fn index(State(state): State<AppState>) -> ApiResult<Json<Vec<CustomEmoji>>> {
    let listed = custom_emojis::listed(&state).await?;
    Ok(Json(CustomEmoji::all(&listed, &state.config)))
}
