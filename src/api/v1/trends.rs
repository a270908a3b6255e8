//! `GET /api/v1/trends/tags`, `/trends/statuses`, `/trends/links` and the deprecated
//! `GET /api/v1/trends` (hashtags): the Explore tab
//! (<https://docs.joinmastodon.org/methods/trends/>). No token needed (with one,
//! hashtags say whether the user follows them and statuses are shown as the user may
//! see them). What trends, and why, is `services::trends`'.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::preview_card::TrendsLink;
use crate::api::entities::status::{render, Status};
use crate::api::entities::tag::Tag;
use crate::api::params::Params;
use crate::auth::scoped::ReadStatuses;
use crate::auth::OptionalToken;
use crate::error::ApiResult;
use crate::services::trends::{self as service, TrendsPage};
use crate::state::AppState;

/// Deepest `offset` accepted, so a request cannot ask for a huge skip.
const MAX_OFFSET: i64 = 10_000;

/// Paging of a trends list (Mastodon pages trends by offset, not by id).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendsParams {
    /// Entries to skip.
    offset: Option<String>,
    /// Entries to return (tags and links: default 10, at most 20; statuses: default 20,
    /// at most 40).
    limit: Option<String>,
}

impl TrendsParams {
    /// The bounded page: values that do not parse take the defaults.
    pub(crate) fn page(&self, default: i64, max: i64) -> TrendsPage {
        let number = |value: &Option<String>| value.as_deref().and_then(|v| v.trim().parse().ok());
        TrendsPage {
            offset: number(&self.offset).unwrap_or(0).clamp(0, MAX_OFFSET),
            limit: number(&self.limit).unwrap_or(default).clamp(1, max),
        }
    }
}

async fn trending_tags(
    state: &AppState,
    viewer: Option<i64>,
    params: &TrendsParams,
) -> ApiResult<Json<Vec<Tag>>> {
    let views = service::tags(state, viewer, params.page(10, 20)).await?;
    let config = &state.config;
    Ok(Json(
        views
            .iter()
            .map(|view| Tag::from_view(view, config))
            .collect(),
    ))
}

/// Hashtags trending now.
#[utoipa::path(get, path = "/api/v1/trends/tags", tag = "trends", params(TrendsParams),
    responses((status = 200, description = "Tag entities", body = Vec<Tag>)))]
pub async fn tags(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<Tag>>> {
    trending_tags(&state, token.account_id(), &params).await
}

/// The deprecated name of [`tags`] (Mastodon 3.0–3.4), still called by older apps.
#[utoipa::path(get, path = "/api/v1/trends", tag = "trends", params(TrendsParams),
    responses((status = 200, description = "Tag entities", body = Vec<Tag>)))]
pub async fn tags_deprecated(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<Tag>>> {
    trending_tags(&state, token.account_id(), &params).await
}

/// Statuses trending now, as the viewer (if any) may see them.
#[utoipa::path(get, path = "/api/v1/trends/statuses", tag = "trends", params(TrendsParams),
    responses((status = 200, description = "Status entities", body = Vec<Status>)))]
pub async fn statuses(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<Status>>> {
    let viewer = token.account_id();
    let rows = service::statuses(&state, viewer, params.page(20, 40)).await?;
    Ok(Json(render(&state, viewer, rows).await?))
}

/// Links trending now (PreviewCard entities with their history).
#[utoipa::path(get, path = "/api/v1/trends/links", tag = "trends", params(TrendsParams),
    responses((status = 200, description = "Trends::Link entities", body = Vec<TrendsLink>)))]
pub async fn links(
    State(state): State<AppState>,
    Params(params): Params<TrendsParams>,
) -> ApiResult<Json<Vec<TrendsLink>>> {
    let links = service::links(&state, params.page(10, 20)).await?;
    let config = &state.config;
    Ok(Json(
        links
            .iter()
            .map(|link| TrendsLink::from_link(link, config))
            .collect(),
    ))
}
