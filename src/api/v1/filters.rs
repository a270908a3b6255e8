//! Filters, v2 (<https://docs.joinmastodon.org/methods/filters/>): a user's filter
//! groups, their keywords and their statuses. Each handler extracts its input, calls
//! `services::filters` and renders; the rules live there. The deprecated v1 routes are
//! in `super::filters_v1`.

use axum::extract::State;
use axum::Json;
use serde::de::Deserializer;
use serde::Deserialize;
use serde_json::Value;

use crate::api::entities::empty::Empty;
use crate::api::entities::filter::{Filter, FilterKeyword, FilterStatus};
use crate::api::params::{lenient_opt_bool, record_list, string_list, Params};
use crate::auth::scoped::{ReadFilters, WriteFilters};
use crate::auth::User;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::filters::{self as service, rules, FilterInput, KeywordInput};
use crate::state::AppState;

/// A string sent as a string or a number (`null`: `Some(None)`, absent: `None`).
pub(crate) fn nullable_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(text)) => Ok(Some(Some(text))),
        Some(Value::Number(number)) => Ok(Some(Some(number.to_string()))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a string, got {other}"
        ))),
    }
}

/// One entry of `keywords_attributes[]`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct KeywordAttributes {
    /// The keyword to change or remove (none: add one).
    #[serde(default, deserialize_with = "nullable_string")]
    #[schema(value_type = Option<String>)]
    id: Option<Option<String>>,
    keyword: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    whole_word: Option<bool>,
    /// Remove the keyword `id`.
    #[serde(default, rename = "_destroy", deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    destroy: Option<bool>,
}

/// The settings of `POST /api/v2/filters` and `PUT /api/v2/filters/:id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FilterParams {
    /// The filter's name (required on creation).
    title: Option<String>,
    /// Where it applies: `home`, `notifications`, `public`, `thread`, `account`.
    #[serde(default, deserialize_with = "string_list")]
    #[schema(value_type = Option<Vec<String>>)]
    context: Option<Vec<String>>,
    /// `warn` (default), `hide` or `blur`.
    filter_action: Option<String>,
    /// Seconds until it expires; blank or null: never.
    #[serde(default, deserialize_with = "nullable_string")]
    #[schema(value_type = Option<String>)]
    expires_in: Option<Option<String>>,
    /// Keywords to add, change (`id`) or remove (`id` and `_destroy`).
    #[serde(default, deserialize_with = "record_list")]
    #[schema(value_type = Option<Vec<KeywordAttributes>>)]
    keywords_attributes: Option<Vec<KeywordAttributes>>,
}

impl FilterParams {
    /// The service's input; a keyword id that is no id names no keyword: 404.
    fn input(self) -> ApiResult<FilterInput> {
        let keywords = self.keywords_attributes.unwrap_or_default();
        let keywords = keywords
            .into_iter()
            .map(|sent| {
                let id = match sent.id.flatten().filter(|id| !id.trim().is_empty()) {
                    Some(id) => Some(id.trim().parse::<Id>().map_err(|_| ApiError::NotFound)?.0),
                    None => None,
                };
                Ok(KeywordInput {
                    id,
                    keyword: sent.keyword,
                    whole_word: sent.whole_word,
                    destroy: sent.destroy.unwrap_or(false),
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(FilterInput {
            title: self.title,
            context: self.context,
            filter_action: self.filter_action,
            expires_in: self.expires_in.map(Option::unwrap_or_default),
            keywords,
        })
    }
}

/// The signed-in user's filters, with their keywords and statuses.
#[utoipa::path(get, path = "/api/v2/filters", tag = "filters",
    security(("bearer" = ["read:filters"])), responses((status = 200, body = Vec<Filter>)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadFilters>,
) -> ApiResult<Json<Vec<Filter>>> {
    let all = service::all(&state, user.account_id).await?;
    Ok(Json(all.into_iter().map(Filter::from).collect()))
}

/// Creates a filter, with keywords.
#[utoipa::path(post, path = "/api/v2/filters", tag = "filters", request_body = FilterParams,
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = Filter), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Params(params): Params<FilterParams>,
) -> ApiResult<Json<Filter>> {
    let created = service::create(&state, user.account_id, &params.input()?).await?;
    Ok(Json(created.into()))
}

/// One of the signed-in user's filters.
#[utoipa::path(get, path = "/api/v2/filters/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter id")),
    security(("bearer" = ["read:filters"])),
    responses((status = 200, body = Filter), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Filter>> {
    Ok(Json(
        service::find(&state, user.account_id, id.0).await?.into(),
    ))
}

/// Changes a filter's settings (those sent) and keywords.
#[utoipa::path(put, path = "/api/v2/filters/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter id")), request_body = FilterParams,
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = Filter), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
    Params(params): Params<FilterParams>,
) -> ApiResult<Json<Filter>> {
    let input = params.input()?;
    let updated = service::update(&state, user.account_id, id.0, &input).await?;
    Ok(Json(updated.into()))
}

/// Deletes a filter with its keywords and statuses.
#[utoipa::path(delete, path = "/api/v2/filters/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter id")),
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

/// `keyword` and `whole_word` of the keyword endpoints.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct KeywordParams {
    keyword: Option<String>,
    /// Only between word boundaries (default true).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    whole_word: Option<bool>,
}

/// The keywords of a filter.
#[utoipa::path(get, path = "/api/v2/filters/{id}/keywords", tag = "filters",
    params(("id" = String, Path, description = "Filter id")),
    security(("bearer" = ["read:filters"])),
    responses((status = 200, body = Vec<FilterKeyword>), (status = 404)))]
pub async fn keywords(
    State(state): State<AppState>,
    user: User<ReadFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<FilterKeyword>>> {
    let rows = rules::keywords(&state, user.account_id, id.0).await?;
    Ok(Json(rows.into_iter().map(FilterKeyword::from).collect()))
}

/// Adds a keyword to a filter.
#[utoipa::path(post, path = "/api/v2/filters/{id}/keywords", tag = "filters",
    params(("id" = String, Path, description = "Filter id")), request_body = KeywordParams,
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = FilterKeyword), (status = 404), (status = 422)))]
pub async fn add_keyword(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
    Params(params): Params<KeywordParams>,
) -> ApiResult<Json<FilterKeyword>> {
    let keyword = params.keyword.as_deref();
    let row = rules::add_keyword(&state, user.account_id, id.0, keyword, params.whole_word).await?;
    Ok(Json(row.into()))
}

/// One keyword of the signed-in user's filters.
#[utoipa::path(get, path = "/api/v2/filters/keywords/{id}", tag = "filters",
    params(("id" = String, Path, description = "Keyword id")),
    security(("bearer" = ["read:filters"])),
    responses((status = 200, body = FilterKeyword), (status = 404)))]
pub async fn show_keyword(
    State(state): State<AppState>,
    user: User<ReadFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<FilterKeyword>> {
    let row = rules::find_keyword(&state, user.account_id, id.0).await?;
    Ok(Json(row.into()))
}

/// Changes a keyword (what was sent).
#[utoipa::path(put, path = "/api/v2/filters/keywords/{id}", tag = "filters",
    params(("id" = String, Path, description = "Keyword id")), request_body = KeywordParams,
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = FilterKeyword), (status = 404), (status = 422)))]
pub async fn update_keyword(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
    Params(params): Params<KeywordParams>,
) -> ApiResult<Json<FilterKeyword>> {
    let keyword = params.keyword.as_deref();
    let account = user.account_id;
    let row = rules::update_keyword(&state, account, id.0, keyword, params.whole_word).await?;
    Ok(Json(row.into()))
}

/// Removes a keyword from its filter.
#[utoipa::path(delete, path = "/api/v2/filters/keywords/{id}", tag = "filters",
    params(("id" = String, Path, description = "Keyword id")),
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete_keyword(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    rules::delete_keyword(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}

/// `status_id` of `POST /api/v2/filters/:id/statuses`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FilterStatusParams {
    #[serde(default, deserialize_with = "nullable_string")]
    #[schema(value_type = Option<String>)]
    status_id: Option<Option<String>>,
}

/// The statuses a filter names.
#[utoipa::path(get, path = "/api/v2/filters/{id}/statuses", tag = "filters",
    params(("id" = String, Path, description = "Filter id")),
    security(("bearer" = ["read:filters"])),
    responses((status = 200, body = Vec<FilterStatus>), (status = 404)))]
pub async fn statuses(
    State(state): State<AppState>,
    user: User<ReadFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<FilterStatus>>> {
    let rows = rules::statuses(&state, user.account_id, id.0).await?;
    Ok(Json(rows.into_iter().map(FilterStatus::from).collect()))
}

/// Adds a status to a filter.
#[utoipa::path(post, path = "/api/v2/filters/{id}/statuses", tag = "filters",
    params(("id" = String, Path, description = "Filter id")), request_body = FilterStatusParams,
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = FilterStatus), (status = 404), (status = 422)))]
pub async fn add_status(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
    Params(params): Params<FilterStatusParams>,
) -> ApiResult<Json<FilterStatus>> {
    let sent = params.status_id.flatten();
    let status = sent
        .and_then(|sent| sent.trim().parse::<Id>().ok())
        .map(|id| id.0);
    let row = rules::add_status(&state, user.account_id, id.0, status).await?;
    Ok(Json(row.into()))
}

/// One status of the signed-in user's filters.
#[utoipa::path(get, path = "/api/v2/filters/statuses/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter status id")),
    security(("bearer" = ["read:filters"])),
    responses((status = 200, body = FilterStatus), (status = 404)))]
pub async fn show_status(
    State(state): State<AppState>,
    user: User<ReadFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<FilterStatus>> {
    let row = rules::find_status(&state, user.account_id, id.0).await?;
    Ok(Json(row.into()))
}

/// Removes a status from its filter.
#[utoipa::path(delete, path = "/api/v2/filters/statuses/{id}", tag = "filters",
    params(("id" = String, Path, description = "Filter status id")),
    security(("bearer" = ["write:filters"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn delete_status(
    State(state): State<AppState>,
    user: User<WriteFilters>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    rules::delete_status(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}
