//! Filters, v1 (deprecated since Mastodon 4.0, still called by Tusky and the official
//! Android and iOS apps; <https://docs.joinmastodon.org/methods/filters/#v1>): each v1
//! filter is one keyword of a v2 filter, as `services::filters::v1` maps them.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::filters::nullable_string;
use crate::api::entities::empty::Empty;
use crate::api::entities::filter::V1Filter;
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::scoped::{ReadFilters, WriteFilters};
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::filters::v1::{self as service, LegacyInput};
use crate::state::AppState;

/// The settings of `POST /api/v1/filters` and `PUT /api/v1/filters/:id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct V1FilterParams {
    /// The text to filter (required on creation).
    phrase: Option<String>,
    /// Where it applies: `home`, `notifications`, `public`, `thread`, `account`.
    #[serde(default, deserialize_with = "string_list")]
    #[schema(value_type = Option<Vec<String>>)]
    context: Option<Vec<String>>,
    /// Leave matching statuses out instead of warning.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    irreversible: Option<bool>,
    /// Only between word boundaries (default true).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    whole_word: Option<bool>,
    /// Seconds until it expires; blank or null: never.
    #[serde(default, deserialize_with = "nullable_string")]
    #[schema(value_type = Option<String>)]
    expires_in: Option<Option<String>>,
}

impl From<V1FilterParams> for LegacyInput {
    fn from(params: V1FilterParams) -> Self {
        LegacyInput {
            phrase: params.phrase,
            context: params.context,
            irreversible: params.irreversible,
            whole_word: params.whole_word,
            expires_in: params.expires_in.map(Option::unwrap_or_default),
        }
    }
}

/// The signed-in user's filter keywords, as v1 filters.
#[utoipa::path(get, path = "/api/v1/filters", tag = "filters",
    security(("bearer" = ["read:filters"])), responses((status = 200, body = Vec<V1Filter>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadFilters>,
) -> ApiResult<Json<Vec<V1Filter>>> {
    let all = service::all(&state, user.account_id).await?;
    Ok(Json(all.into_iter().map(V1Filter::from).collect()))
}

/// Creates a filter with one keyword.
#[utoipa::path(post, path = "/api/v1/filters", tag = "filters", request_body = V1FilterParams,
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = V1Filter), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Params(params): Params<V1FilterParams>,
) -> ApiResult<Json<V1Filter>> {
    let created = service::create(&state, user.account_id, &params.into()).await?;
    Ok(Json(created.into()))
}

/// One v1 filter.
#[utoipa::path(get, path = "/api/v1/filters/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter (keyword) id")),
    security(("bearer" = ["read:filters"])),
    responses((status = 200, body = V1Filter), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<V1Filter>> {
    Ok(Json(
        service::find(&state, user.account_id, id.0).await?.into(),
    ))
}

/// Changes a v1 filter (what was sent).
#[utoipa::path(put, path = "/api/v1/filters/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter (keyword) id")),
    request_body = V1FilterParams, security(("bearer" = ["write:filters"])),
    responses((status = 200, body = V1Filter), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
    Params(params): Params<V1FilterParams>,
) -> ApiResult<Json<V1Filter>> {
    let updated = service::update(&state, user.account_id, id.0, &params.into()).await?;
    Ok(Json(updated.into()))
}

/// Deletes a v1 filter (the keyword).
#[utoipa::path(delete, path = "/api/v1/filters/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter (keyword) id")),
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::delete(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}
