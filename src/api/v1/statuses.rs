//! Posting, reading, editing and deleting statuses
//! (<https://docs.joinmastodon.org/methods/statuses/>): each handler extracts the
//! request, calls `services::statuses`, and renders the entity.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::api::entities::scheduled_status::ScheduledStatus;
use crate::api::entities::status::{self, Status};
use crate::api::entities::status_edit::{StatusEdit, StatusSource};
use crate::api::entities::MediaAttachment;
use crate::api::params::{lenient_opt_bool, string_list, IdsQuery, Params};
use crate::auth::scoped::{ReadStatuses, WriteStatuses};
use crate::auth::{OptionalToken, User};
use crate::db::statuses::StatusRow;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::music::TrackInput;
use crate::services::statuses::{self, NewPost, PostEdit, PostKind, Posted};
use crate::state::AppState;

/// Parameters of `POST /api/v1/statuses`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateStatusParams {
    status: Option<String>,
    in_reply_to_id: Option<String>,
    visibility: Option<String>,
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    sensitive: Option<bool>,
    language: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    media_ids: Option<Vec<String>>,
    /// When to publish it (ISO 8601, five minutes ahead at least): a ScheduledStatus is
    /// returned instead of a Status.
    scheduled_at: Option<String>,
    poll: Option<crate::api::v1::polls::PollParams>,
    quoted_status_id: Option<String>,
    quote_approval_policy: Option<String>,
    /// Who may reply: `everyone` (default), `followers`, `mentioned` or `nobody`.
    reply_policy: Option<String>,
    /// Roost: post it as a reel (one vertical video, see `GET /api/v1/roost/reels`).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    reel: Option<bool>,
    /// Roost: a music track (`music[title]`, `music[artist]`, `music[url]`,
    /// `music[artwork_id]`, `music[clip_id]`).
    music: Option<MusicParams>,
}

/// `music[...]` of `POST /api/v1/statuses` and `POST /api/v1/roost/stories` (Roost).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MusicParams {
    pub title: Option<String>,
    pub artist: Option<String>,
    /// The track on a music service (https).
    pub url: Option<String>,
    /// An uploaded image.
    pub artwork_id: Option<String>,
    /// An uploaded audio clip of at most 60 seconds.
    pub clip_id: Option<String>,
}

impl MusicParams {
    /// The track as the music service takes it.
    pub fn input(&self) -> TrackInput<'_> {
        TrackInput {
            title: self.title.as_deref(),
            artist: self.artist.as_deref(),
            url: self.url.as_deref(),
            artwork_id: self.artwork_id.as_deref(),
            clip_id: self.clip_id.as_deref(),
        }
    }
}

/// Posts a status (or a reply) and returns it, or schedules it (`scheduled_at`) and
/// returns the ScheduledStatus. A repeated `Idempotency-Key` returns what the first
/// request made.
#[utoipa::path(post, path = "/api/v1/statuses", tag = "statuses", request_body = CreateStatusParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, description = "The status, or the scheduled status with `scheduled_at`",
        content((Status), (ScheduledStatus))),
        (status = 404, description = "Unknown parent"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    headers: HeaderMap,
    Params(params): Params<CreateStatusParams>,
) -> ApiResult<Response> {
    let new = NewPost {
        text: params.status.as_deref(),
        in_reply_to_id: params.in_reply_to_id.as_deref(),
        visibility: params.visibility.as_deref(),
        spoiler_text: params.spoiler_text.as_deref(),
        sensitive: params.sensitive,
        language: params.language.as_deref(),
        media_ids: params.media_ids.as_deref(),
        idempotency_key: headers.get("idempotency-key").and_then(|v| v.to_str().ok()),
        application_id: Some(user.token.app_id),
        scheduled_at: params.scheduled_at.as_deref(),
        from_schedule: None,
        poll: params.poll.as_ref().map(|poll| poll.request()),
        quoted_status_id: params.quoted_status_id.as_deref(),
        quote_approval_policy: params.quote_approval_policy.as_deref(),
        reply_policy: params.reply_policy.as_deref(),
        kind: match params.reel {
            Some(true) => PostKind::Reel,
            _ => PostKind::Post,
        },
        music: params
            .music
            .as_ref()
            .map(MusicParams::input)
            .unwrap_or_default(),
    };
    match statuses::post(&state, user.account_id, &new).await? {
        Posted::Again(row) => rendered(&state, Some(user.account_id), *row)
            .await
            .map(|status| Json(status).into_response()),
        Posted::Scheduled(kept) => {
            let entity = ScheduledStatus::from_scheduled(&kept, &state.config);
            Ok(Json(entity).into_response())
        }
        // A quote shows the quoted status, and music its track, which only a full read
        // renders.
        Posted::New(written) if written.quote.is_some() || written.music.is_some() => {
            rendered(&state, Some(user.account_id), written.row)
                .await
                .map(|status| Json(status).into_response())
        }
        Posted::New(written) => {
            let written = *written;
            let written = status::Written {
                media: (written.media.iter())
                    .map(|media| MediaAttachment::from_row(media, &state.config))
                    .collect(),
                row: written.row,
                author: written.author,
                mentioned: written.mentioned,
                tags: written.tags,
                emojis: written.emojis,
                application: written.application,
                poll: written.poll,
                quote_policy: written.quote_policy,
                reply_policy: written.reply_policy,
            };
            status::render_written(&state, written)
                .map(|status| Json(status).into_response())
                .ok_or(ApiError::NotFound)
        }
    }
}

/// One status rendered for `viewer`.
pub(super) async fn rendered(
    state: &AppState,
    viewer: Option<i64>,
    row: StatusRow,
) -> ApiResult<Status> {
    status::render(state, viewer, vec![row])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Most ids `GET /api/v1/statuses?id[]=` takes (Mastodon's `DEFAULT_STATUSES_LIMIT`).
const MAX_STATUS_IDS: usize = 20;

/// Several statuses at once, those the caller may see, in the order asked.
#[utoipa::path(get, path = "/api/v1/statuses", tag = "statuses", params(IdsQuery),
    responses((status = 200, body = Vec<Status>), (status = 422, description = "More than 20 ids")))]
pub async fn index(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Params(query): Params<IdsQuery>,
) -> ApiResult<Json<Vec<Status>>> {
    let viewer = token.account_id();
    let rows = statuses::visible_many(&state, viewer, &query.ids(MAX_STATUS_IDS)?).await?;
    Ok(Json(status::render(&state, viewer, rows).await?))
}

/// One status, if the caller may see it.
#[utoipa::path(get, path = "/api/v1/statuses/{id}", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let viewer = token.account_id();
    let row = statuses::visible(&state, viewer, id.0).await?;
    rendered(&state, viewer, row).await.map(Json)
}

/// Deletes one of the caller's statuses and returns it with its source `text`.
#[utoipa::path(delete, path = "/api/v1/statuses/{id}", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Status>> {
    let row = statuses::own(&state, user.account_id, id.0).await?;
    // Rendered while it still exists: counters and marks as the author last saw them.
    let mut shown = rendered(&state, Some(user.account_id), row.clone()).await?;
    statuses::delete(&state, user.account_id, &row).await?;
    shown.text = Some(row.text);
    Ok(Json(shown))
}

/// Parameters of `PUT /api/v1/statuses/:id`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EditStatusParams {
    status: Option<String>,
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    sensitive: Option<bool>,
    language: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    media_ids: Option<Vec<String>>,
    poll: Option<crate::api::v1::polls::PollParams>,
}

/// Edits one of the caller's statuses; earlier versions stay in `/history`.
#[utoipa::path(put, path = "/api/v1/statuses/{id}", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), request_body = EditStatusParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404), (status = 422)))]
pub async fn edit(
    State(state): State<AppState>,
    user: User<WriteStatuses>,
    Path(id): Path<Id>,
    Params(params): Params<EditStatusParams>,
) -> ApiResult<Json<Status>> {
    let change = PostEdit {
        text: params.status.as_deref(),
        spoiler_text: params.spoiler_text.as_deref(),
        sensitive: params.sensitive,
        language: params.language.as_deref(),
        media_ids: params.media_ids.as_deref(),
        poll: params.poll.as_ref().map(|poll| poll.request()),
    };
    let edited = statuses::edit(&state, user.account_id, id.0, &change).await?;
    rendered(&state, Some(user.account_id), edited)
        .await
        .map(Json)
}

/// Every version of a status, oldest first (Mastodon's StatusEdit entities).
#[utoipa::path(get, path = "/api/v1/statuses/{id}/history", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    responses((status = 200, body = Vec<StatusEdit>), (status = 404)))]
pub async fn history(
    State(state): State<AppState>,
    token: OptionalToken<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<StatusEdit>>> {
    let viewer = token.account_id();
    let (row, versions) = statuses::history(&state, viewer, id.0).await?;
    let shown = rendered(&state, viewer, row).await?;
    let entries = (versions.into_iter())
        .map(|version| StatusEdit::from_row(version, &shown.account, &shown.media_attachments))
        .collect();
    Ok(Json(entries))
}

/// The text of one of the caller's statuses as typed, for editing.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/source", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["read:statuses"])),
    responses((status = 200, body = StatusSource), (status = 404)))]
pub async fn source(
    State(state): State<AppState>,
    user: User<ReadStatuses>,
    Path(id): Path<Id>,
) -> ApiResult<Json<StatusSource>> {
    let row = statuses::own(&state, user.account_id, id.0).await?;
    Ok(Json(StatusSource::from_row(row)))
}
