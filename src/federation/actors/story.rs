// SPDX-License-Identifier: AGPL-3.0-or-later
//! `GET /users/:name/stories/:id`: a live local story as a `Story` document, for the
//! holder of its bearer token only (a Pixelfed server fetching the bearcap of the `Add`
//! it received). Everyone else, and every expired story, gets 404.

use axum::extract::{Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use axum::response::Response;

use super::activity_json;
use crate::error::{ApiError, ApiResult};
use crate::services::stories::remote;
use crate::state::AppState;

/// Serves story `id` of local `name` to the holder of its token.
pub async fn story(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = id.parse::<i64>().map_err(|_| ApiError::NotFound)?;
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let document = remote::document(&state, &name, id, token).await?;
    Ok(activity_json(&document))
}
