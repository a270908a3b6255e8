//! Translating statuses (`POST /api/v1/statuses/:id/translate`). Roost has no
//! translation service, so it answers as Mastodon does when none is configured:
//! `404` for every status, after the same visibility check as reading the status (so a
//! status the viewer may not see and one it may see answer alike).
//!
//! Spec: <https://docs.joinmastodon.org/methods/statuses/#translate>.

use std::convert::Infallible;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Translates status `id` for `viewer`: never succeeds (no translator is configured),
/// hence [`Infallible`]. Errors: `NotFound`, for a status `viewer` may not see as for
/// one it may.
pub async fn translate(state: &AppState, viewer: i64, id: i64) -> ApiResult<Infallible> {
    super::statuses::visible(state, Some(viewer), id).await?;
    // Mastodon's `TranslationService::NotConfiguredError` is answered with 404.
    Err(ApiError::NotFound)
}
