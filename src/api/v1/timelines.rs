//! Timelines: home, public, hashtag, list, link and one account's statuses
//! (<https://docs.joinmastodon.org/methods/timelines/>), newest first, paged by id
//! with `Link` headers. Fan-out on read over indexed queries.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::status::{self, Status};
use crate::api::paging::{link_header, path_with_filters, PageParams};
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::scoped::{ReadLists, ReadStatuses};
use crate::auth::{OptionalToken, User};
use crate::db::accounts;
use crate::db::timelines::{self, Timeline};
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::lists;
use crate::state::AppState;

/// Default and largest page sizes (Mastodon's).
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 40;

/// The filter context a timeline is read in.
fn filter_context(which: &Timeline<'_>) -> FilterContext {
    match which {
        Timeline::Home | Timeline::List { .. } => FilterContext::Home,
        Timeline::Account { .. } => FilterContext::Account,
        _ => FilterContext::Public,
    }
}

async fn page(
    state: &AppState,
    viewer: Option<i64>,
    which: Timeline<'_>,
    params: &PageParams,
    path: &str,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let bounds = params.page(DEFAULT_LIMIT, MAX_LIMIT);
    let context = filter_context(&which);
    let rows = timelines::timeline(&state.db, viewer, which, &bounds).await?;
    // Paged by the rows read, so statuses a filter hides leave no gap in the paging.
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let rendered = status::render_in(state, viewer, rows, context).await?;
    let headers = link_header(&state.config.base_url(), path, &ids, bounds.limit);
    Ok((headers, Json(rendered)))
}

/// The filters to repeat in `Link` headers for an origin choice.
fn origin_filters(local: Option<bool>) -> [(&'static str, Option<String>); 2] {
    [
        ("local", (local == Some(true)).then(|| "true".to_owned())),
        ("remote", (local == Some(false)).then(|| "true".to_owned())),
    ]
}

/// `Some("true")` for a set flag, for `Link` headers.
fn flag(on: bool) -> Option<String> {
    on.then(|| "true".to_owned())
}

/// `local=true` → only local statuses, `remote=true` → only remote ones.
fn origin(local: Option<bool>, remote: Option<bool>) -> Option<bool> {
    match (local, remote) {
        (Some(true), _) => Some(true),
        (_, Some(true)) => Some(false),
        _ => None,
    }
}

/// The signed-in user's home timeline.
#[utoipa::path(get, path = "/api/v1/timelines/home", tag = "timelines", params(PageParams),
    security(("bearer" = ["read:statuses"])), responses((status = 200, body = Vec<Status>)))]
pub async fn home(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    page(
        &state,
        Some(user.account_id),
        Timeline::Home,
        &params,
        "/api/v1/timelines/home",
    )
    .await
}

/// The statuses of a list's members (the signed-in user's list), replies as the
/// list's `replies_policy` says.
#[utoipa::path(get, path = "/api/v1/timelines/list/{id}", tag = "timelines",
    params(("id" = String, Path, description = "List id"), PageParams),
    security(("bearer" = ["read:lists"])),
    responses((status = 200, body = Vec<Status>), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    user: User<ReadLists>,
    Path(id): Path<Id>,
    Params(params): Params<PageParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let bounds = params.page(DEFAULT_LIMIT, MAX_LIMIT);
    let viewer = Some(user.account_id);
    let rows = lists::timeline(&state, user.account_id, id.0, &bounds).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let rendered = status::render_in(&state, viewer, rows, FilterContext::Home).await?;
    let path = format!("/api/v1/timelines/list/{}", id.0);
    let headers = link_header(&state.config.base_url(), &path, &ids, bounds.limit);
    Ok((headers, Json(rendered)))
}

/// Filters of the public timeline.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicParams {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    local: Option<bool>,
    /// Only statuses with media attachments.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    only_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    remote: Option<bool>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// Public statuses of this instance and the ones it knows.
#[utoipa::path(get, path = "/api/v1/timelines/public", tag = "timelines", params(PublicParams),
    responses((status = 200, body = Vec<Status>)))]
pub async fn public(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(params): Params<PublicParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let local = origin(params.local, params.remote);
    let only_media = params.only_media.unwrap_or(false);
    let viewer = token.account_id();
    let [local_filter, remote_filter] = origin_filters(local);
    page(
        &state,
        viewer,
        Timeline::Public { local, only_media },
        &params.page,
        &path_with_filters(
            "/api/v1/timelines/public",
            &[
                local_filter,
                remote_filter,
                ("only_media", flag(only_media)),
            ],
        ),
    )
    .await
}

/// Filters of an account's statuses.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountStatusesParams {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    pinned: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    only_media: Option<bool>,
    tagged: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// The statuses of one account that the caller may see.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/statuses", tag = "timelines",
    params(("id" = String, Path, description = "Account id"), AccountStatusesParams),
    responses((status = 200, body = Vec<Status>), (status = 404)))]
pub async fn account(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<AccountStatusesParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let account = accounts::find_visible_by_id(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let viewer = token.account_id();
    let (which, path) = params.timeline(account.id);
    page(&state, viewer, which, &params.page, &path).await
}

impl AccountStatusesParams {
    /// The timeline these filters select from `account_id`'s statuses, and the path
    /// (with the filters) the `Link` header repeats.
    fn timeline(&self, account_id: i64) -> (Timeline<'_>, String) {
        let exclude_replies = self.exclude_replies.unwrap_or(false);
        let exclude_reblogs = self.exclude_reblogs.unwrap_or(false);
        let pinned = self.pinned.unwrap_or(false);
        let only_media = self.only_media.unwrap_or(false);
        let which = Timeline::Account {
            account_id,
            exclude_replies,
            exclude_reblogs,
            pinned,
            tagged: self
                .tagged
                .as_deref()
                .map(|t| t.trim_start_matches('#'))
                .filter(|t| !t.is_empty()),
            only_media,
        };
        let path = path_with_filters(
            &format!("/api/v1/accounts/{account_id}/statuses"),
            &[
                ("exclude_replies", flag(exclude_replies)),
                ("exclude_reblogs", flag(exclude_reblogs)),
                ("pinned", flag(pinned)),
                ("tagged", self.tagged.clone()),
                ("only_media", flag(only_media)),
            ],
        );
        (which, path)
    }
}

/// Filters of a hashtag timeline.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagParams {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    remote: Option<bool>,
    /// Only statuses with media attachments.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    only_media: Option<bool>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// Public statuses with a hashtag.
#[utoipa::path(get, path = "/api/v1/timelines/tag/{hashtag}", tag = "timelines",
    params(("hashtag" = String, Path, description = "Without the #"), TagParams),
    responses((status = 200, body = Vec<Status>)))]
pub async fn tag(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    axum::extract::Path(hashtag): axum::extract::Path<String>,
    Params(params): Params<TagParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let name = hashtag.trim_start_matches('#');
    if name.is_empty() || name.chars().count() > 100 {
        return Ok((HeaderMap::new(), Json(Vec::new())));
    }
    let local = origin(params.local, params.remote);
    let viewer = token.account_id();
    let only_media = params.only_media.unwrap_or(false);
    let [local_filter, remote_filter] = origin_filters(local);
    let path = path_with_filters(
        &format!("/api/v1/timelines/tag/{name}"),
        &[
            local_filter,
            remote_filter,
            ("only_media", flag(only_media)),
        ],
    );
    page(
        &state,
        viewer,
        Timeline::Tag {
            name,
            local,
            only_media,
        },
        &params.page,
        &path,
    )
    .await
}

/// The link timeline's parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkParams {
    /// The linked page's URL.
    url: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

/// The longest link URL looked up (longer ones are never stored).
const MAX_LINK_CHARS: usize = 2048;

/// Public statuses linking to a page, from accounts that opted in to discovery.
/// Mastodon lists only links that are trending; Roost has no trends yet (issue 17) and
/// lists any link a public status carries; an unknown link is `404`, as Mastodon's.
#[utoipa::path(get, path = "/api/v1/timelines/link", tag = "timelines", params(LinkParams),
    responses((status = 200, body = Vec<Status>), (status = 400), (status = 404)))]
pub async fn link(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(params): Params<LinkParams>,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let sent = params.url.as_deref().map(str::trim).unwrap_or_default();
    if sent.is_empty() {
        return Err(ApiError::BadRequest(
            "param is missing or the value is empty: url".into(),
        ));
    }
    let url = sent.trim_end_matches('/');
    if url.chars().count() > MAX_LINK_CHARS || !timelines::link_known(&state.db, url).await? {
        return Err(ApiError::NotFound);
    }
    let path = path_with_filters("/api/v1/timelines/link", &[("url", Some(sent.to_owned()))]);
    page(
        &state,
        token.account_id(),
        Timeline::Link { url },
        &params.page,
        &path,
    )
    .await
}
