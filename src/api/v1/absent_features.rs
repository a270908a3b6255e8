//! Endpoints of features Roost does not have, answered as Mastodon answers without them:
//! `GET /api/v1/accounts/:id/identity_proofs` (Mastodon removed identity proofs and
//! answers `[]` for any account) and `POST /api/v1/statuses/:id/translate` (no
//! translator configured: `404`). Spec:
//! <https://docs.joinmastodon.org/methods/accounts/#identity_proofs>,
//! <https://docs.joinmastodon.org/methods/statuses/#translate>.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::follows::find_account;
use crate::auth::scoped::ReadStatuses;
use crate::auth::{CurrentUser, User};
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::translations;
use crate::state::AppState;

/// Always `[]` for a known account (identity proofs were removed in Mastodon 3.5);
/// `404` for an unknown one.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/identity_proofs", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 404)))]
pub async fn identity_proofs(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Value>>> {
    find_account(&state, id).await?;
    Ok(Json(Vec::new()))
}

/// Translation is not configured on Roost: `404` `{"error": "Record not found"}`, as
/// Mastodon answers then (and for a status the viewer may not see).
#[utoipa::path(post, path = "/api/v1/statuses/{id}/translate", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    security(("bearer" = ["read:statuses"])),
    responses((status = 404, description = "No translator, or a status the viewer may not see")))]
pub async fn translate(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Value>> {
    match translations::translate(&state, user.account_id, id.0).await? {}
}
