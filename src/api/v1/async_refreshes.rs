//! `GET /api/v1_alpha/async_refreshes/:id`: how a background refresh announced by a
//! `Mastodon-Async-Refresh` header (the thread backfill of `/api/v1/statuses/:id/context`)
//! stands, as Mastodon 4.5 answers it. Only the viewer the id was handed to may read it.

use axum::extract::State;
use axum::Json;

use crate::api::entities::async_refresh::AsyncRefreshEntity;
use crate::auth::scoped::Read;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::state::AppState;

/// A refresh's state: `running` or `finished`, with the posts fetched so far.
#[utoipa::path(get, path = "/api/v1_alpha/async_refreshes/{id}", tag = "statuses",
    params(("id" = String, Path, description = "The id of a Mastodon-Async-Refresh header")),
    security(("bearer" = ["read"])),
    responses((status = 200, description = "AsyncRefresh entity", body = AsyncRefreshEntity),
        (status = 404, description = "No such refresh for this user")))]
pub async fn show(
    State(state): State<AppState>,
    user: User<Read>,
    Path(id): Path<String>,
) -> ApiResult<Json<AsyncRefreshEntity>> {
    let refresh = crate::services::thread_backfill::refresh(&state, user.account_id, &id).await?;
    Ok(Json(AsyncRefreshEntity::render(&refresh)))
}
