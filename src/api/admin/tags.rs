//! Reviewing hashtags: `GET /api/v1/admin/tags`, `GET /api/v1/admin/tags/:id`,
//! `PUT /api/v1/admin/tags/:id`. Moderators and admins (Mastodon's `manage_taxonomies`);
//! what the flags change is `services::admin_tags`'. Spec:
//! <https://docs.joinmastodon.org/methods/admin/tags/>.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::{ReadTags, Staff, WriteTags};
use crate::api::entities::admin::AdminTag;
use crate::api::paging::{link_header, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::admin_tags::{self as service, AdminTagView, TagChanges};
use crate::state::AppState;

fn rendered(state: &AppState, view: &AdminTagView) -> Json<AdminTag> {
    Json(AdminTag::from_view(view, &state.config))
}

/// Every hashtag, newest first (paged by id: default 100, at most 200).
#[utoipa::path(get, path = "/api/v1/admin/tags", tag = "admin", params(PageParams),
    security(("bearer" = ["admin:read"])), responses((status = 200, body = [AdminTag]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<AdminTag>>)> {
    let page = params.page(100, 200);
    let views = service::list(&state, &page).await?;
    let ids: Vec<i64> = views.iter().map(|view| view.tag.id).collect();
    let headers = link_header(
        &state.config.base_url(),
        "/api/v1/admin/tags",
        &ids,
        page.limit,
    );
    let config = &state.config;
    let tags = views.iter().map(|view| AdminTag::from_view(view, config));
    Ok((headers, Json(tags.collect())))
}

/// One hashtag.
#[utoipa::path(get, path = "/api/v1/admin/tags/{id}", tag = "admin",
    params(("id" = String, Path, description = "Tag id")),
    security(("bearer" = ["admin:read"])), responses((status = 200, body = AdminTag), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Path(id): Path<Id>,
) -> ApiResult<Json<AdminTag>> {
    Ok(rendered(&state, &service::show(&state, id.0).await?))
}

/// Body of `PUT /api/v1/admin/tags/:id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UpdateParams {
    /// The name in another letter case.
    display_name: Option<String>,
    /// Whether new posts are filed under it.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    usable: Option<bool>,
    /// Whether it may be listed.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    listable: Option<bool>,
    /// Whether it may trend.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[schema(value_type = Option<bool>)]
    trendable: Option<bool>,
}

/// Reviews a hashtag: sets the flags given and marks it reviewed.
#[utoipa::path(put, path = "/api/v1/admin/tags/{id}", tag = "admin",
    params(("id" = String, Path, description = "Tag id")), request_body = UpdateParams,
    security(("bearer" = ["admin:write"])),
    responses((status = 200, body = AdminTag), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    _staff: Staff<WriteTags>,
    Path(id): Path<Id>,
    Params(params): Params<UpdateParams>,
) -> ApiResult<Json<AdminTag>> {
    crate::api::v1::check_length("display_name", params.display_name.as_deref(), 100)?;
    let changes = TagChanges {
        display_name: params.display_name.as_deref(),
        usable: params.usable,
        listable: params.listable,
        trendable: params.trendable,
    };
    Ok(rendered(
        &state,
        &service::update(&state, id.0, &changes).await?,
    ))
}
