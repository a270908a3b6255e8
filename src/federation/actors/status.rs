//! One local post as a Note (`GET /users/:name/statuses/:id`, `/@:name/:id`), or its
//! HTML page for browsers. Public and unlisted posts are served to anyone;
//! followers-only and direct ones only to a signed GET whose signer may see them.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#retrieving-objects>,
//! <https://docs.joinmastodon.org/spec/security/#http-sign> (authorized fetch).

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;

use super::{activity_json, local_account, signed_get, wants_activity_json};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::state::AppState;

/// `GET /users/:name/statuses/:id`: a local status as a Note (or its page, for
/// browsers). Public and unlisted statuses are served to anyone; followers-only and
/// direct ones only to a signed GET whose signer may see them (a follower, or someone
/// mentioned). Everyone else gets 404, as if the status did not exist.
pub async fn status(
    State(state): State<AppState>,
    Path((name, Id(id))): Path<(String, Id)>,
    method: Method,
    // The signature covers the target as sent, before the router normalised its path.
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    mut parts: axum::http::request::Parts,
) -> ApiResult<Response> {
    if !wants_activity_json(&headers) {
        return Ok(crate::web::status_request(&state, &mut parts, &name, id).await);
    }
    let account = local_account(&state, &name).await?;
    let viewer = signed_get::signed_viewer(&state, &method, &uri, &headers).await;
    let row = crate::db::statuses::find_visible(&state.db, viewer, id)
        .await?
        .filter(|row| row.account_id == account.id && row.reblog_of_id.is_none())
        .ok_or(ApiError::NotFound)?;
    let mut connection = state.db.acquire().await?;
    let note = crate::federation::posts::note_of(&state, &mut connection, &account, &row).await?;
    Ok(activity_json(&note))
}

/// `GET /users/:name/quote_authorizations/:id`: the FEP-044f `QuoteAuthorization` stamp
/// by which local account NAME approved status ID quoting theirs, while the quote
/// stands (404 once revoked), so other servers can verify a quote.
pub async fn quote_authorization(
    State(state): State<AppState>,
    Path((name, Id(id))): Path<(String, Id)>,
) -> ApiResult<Response> {
    let stamp = crate::services::quotes::stamp(&state, &name, id).await?;
    Ok(activity_json(&stamp))
}

/// `GET /users/:name/reply_authorizations/:id`: the GoToSocial `ReplyAuthorization`
/// stamp by which local account NAME approved reply ID to one of their posts, while
/// the reply stands (404 otherwise), so other servers can verify the reply.
pub async fn reply_authorization(
    State(state): State<AppState>,
    Path((name, Id(id))): Path<(String, Id)>,
) -> ApiResult<Response> {
    let stamp = crate::services::reply_controls::stamp(&state, &name, id).await?;
    Ok(activity_json(&stamp))
}
