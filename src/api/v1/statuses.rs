//! Posting, reading and deleting statuses
//! (<https://docs.joinmastodon.org/methods/statuses/>).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

use super::check_length;
use super::compose::compose;
use super::media::{attach_media, check_media, media_ids};
use crate::api::entities::status::{self, Status};
use crate::api::entities::MediaAttachment;
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::{CurrentUser, MaybeToken};
use crate::db::statuses::{self, NewStatus, StatusRow};
use crate::db::users;
use crate::domain::status_text;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::federation::posts::{self, PostChange};
use crate::state::AppState;

/// Longest content warning accepted.
const MAX_SPOILER_CHARACTERS: usize = 500;

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
}

/// Posts a status (or a reply) and returns it. A repeated `Idempotency-Key` returns
/// the status the first request created.
#[utoipa::path(post, path = "/api/v1/statuses", tag = "statuses", request_body = CreateStatusParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404, description = "Unknown parent"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Params(params): Params<CreateStatusParams>,
) -> ApiResult<Json<Status>> {
    user.token.require_scope(&["write:statuses"])?;
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= 128);
    if let Some(key) = idempotency_key {
        if let Some(existing) = statuses::idempotent_status(&state.db, user.account_id, key).await?
        {
            return one(&state, Some(user.account_id), existing).await;
        }
    }
    let text = params.status.as_deref().unwrap_or_default();
    let media_ids = media_ids(&state, params.media_ids.as_deref())?;
    check_text(
        &state,
        text,
        media_ids.as_ref().is_some_and(|ids| !ids.is_empty()),
    )?;
    check_media(&state, &user, None, media_ids.as_deref()).await?;
    check_length(
        "spoiler_text",
        params.spoiler_text.as_deref(),
        MAX_SPOILER_CHARACTERS,
    )?;
    let parent = match params.in_reply_to_id.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => {
            let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
            Some(
                statuses::find_visible(&state.db, Some(user.account_id), id.0)
                    .await?
                    .ok_or(ApiError::NotFound)?,
            )
        }
        None => None,
    };
    let visibility = match params.visibility.as_deref() {
        Some(v @ ("public" | "unlisted" | "private" | "direct")) => v.to_owned(),
        Some(_) => {
            return Err(ApiError::validation(
                "visibility",
                "ERR_INCLUSION",
                "Visibility is not included in the list",
            ))
        }
        None => users::find_by_account_id(&state.db, user.account_id)
            .await?
            .map_or_else(|| "public".to_owned(), |u| u.default_privacy),
    };
    let composed = compose(&state, text).await?;
    let mentioned: Vec<i64> = composed.mentioned.iter().map(|a| a.id).collect();
    // A reply joins its parent's conversation; a new post starts one (Mastodon's form).
    let conversation = parent
        .as_ref()
        .and_then(|p| p.conversation.clone())
        .unwrap_or_else(|| {
            let today = chrono::Utc::now().format("%Y-%m-%d");
            let id = crate::urls::new_activity(&state.config);
            format!(
                "tag:{},{today}:objectId={id}:objectType=Conversation",
                state.config.domain
            )
        });
    let mut transaction = state.db.begin().await?;
    let row = statuses::insert(
        &mut transaction,
        &NewStatus {
            account_id: user.account_id,
            local: true,
            ap_id: None,
            url: None,
            text,
            content: &composed.html,
            spoiler_text: params.spoiler_text.as_deref().unwrap_or_default(),
            sensitive: params.sensitive.unwrap_or(false)
                || params
                    .spoiler_text
                    .as_deref()
                    .is_some_and(|s| !s.is_empty()),
            visibility: &visibility,
            language: params
                .language
                .as_deref()
                .filter(|l| (2..=8).contains(&l.len())),
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            conversation: Some(&conversation),
            created_at: None,
            mentioned_account_ids: &mentioned,
            tags: &composed.tags,
        },
    )
    .await?;
    // Read on the transaction's own connection (a handler never waits for a second
    // pooled connection while holding one), after the insert moved its counters.
    let author = crate::db::accounts::find_by_id(&mut *transaction, user.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(key) = idempotency_key {
        statuses::remember_idempotency_key(&mut transaction, user.account_id, key, row.id).await?;
    }
    attach_media(&mut transaction, &user, row.id, media_ids.as_deref()).await?;
    posts::send_post_change(&state, &mut transaction, &author, &row, PostChange::Created).await?;
    transaction.commit().await?;
    // Rendered from what is in hand: only attached media need reading back.
    let media = match media_ids.as_deref() {
        Some(ids) if !ids.is_empty() => crate::db::media::for_statuses(&state.db, &[row.id])
            .await?
            .iter()
            .map(|media| MediaAttachment::from_row(media, &state.config))
            .collect(),
        _ => Vec::new(),
    };
    let written = status::Written {
        row,
        author,
        mentioned: composed.mentioned,
        tags: composed.tags,
        media,
    };
    status::render_written(&state, written)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

async fn one(state: &AppState, viewer: Option<i64>, id: i64) -> ApiResult<Json<Status>> {
    let row = statuses::find_visible(&state.db, viewer, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    rendered_one(state, viewer, row).await.map(Json)
}

async fn rendered_one(state: &AppState, viewer: Option<i64>, row: StatusRow) -> ApiResult<Status> {
    status::render(state, viewer, vec![row])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// One status, if the caller may see it.
#[utoipa::path(get, path = "/api/v1/statuses/{id}", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    if let Some(token) = &token {
        token.require_scope(&["read:statuses"])?;
    }
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    one(&state, token.and_then(|t| t.account_id), id.0).await
}

/// Deletes one of the caller's statuses and returns it with its source `text`.
#[utoipa::path(delete, path = "/api/v1/statuses/{id}", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    user.token.require_scope(&["write:statuses"])?;
    let row = own_status(&state, &user, &id).await?;
    let mut shown = rendered_one(&state, Some(user.account_id), row.clone()).await?;
    let author = author(&state, &user).await?;
    let mut transaction = state.db.begin().await?;
    // Sent before the rows go, while the audience (mentions) is still known.
    posts::send_post_change(&state, &mut transaction, &author, &row, PostChange::Deleted).await?;
    statuses::delete(&mut transaction, row.id).await?;
    transaction.commit().await?;
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
}

/// Edits one of the caller's statuses; earlier versions stay in `/history`.
#[utoipa::path(put, path = "/api/v1/statuses/{id}", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), request_body = EditStatusParams,
    security(("bearer" = ["write:statuses"])),
    responses((status = 200, body = Status), (status = 404), (status = 422)))]
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Params(params): Params<EditStatusParams>,
) -> ApiResult<Json<Status>> {
    user.token.require_scope(&["write:statuses"])?;
    let row = own_status(&state, &user, &id).await?;
    let text = params.status.as_deref().unwrap_or(&row.text);
    let media_ids = media_ids(&state, params.media_ids.as_deref())?;
    let has_media = match &media_ids {
        Some(ids) => !ids.is_empty(),
        None => !crate::db::media::for_statuses(&state.db, &[row.id])
            .await?
            .is_empty(),
    };
    check_text(&state, text, has_media)?;
    check_media(&state, &user, Some(row.id), media_ids.as_deref()).await?;
    let spoiler_text = params.spoiler_text.as_deref().unwrap_or(&row.spoiler_text);
    check_length("spoiler_text", Some(spoiler_text), MAX_SPOILER_CHARACTERS)?;
    let composed = compose(&state, text).await?;
    let mentioned: Vec<i64> = composed.mentioned.iter().map(|a| a.id).collect();
    let author = author(&state, &user).await?;
    let mut transaction = state.db.begin().await?;
    let edited = statuses::edit(
        &mut transaction,
        &row,
        &statuses::StatusEdit {
            text,
            content: &composed.html,
            spoiler_text,
            sensitive: params.sensitive.unwrap_or(row.sensitive) || !spoiler_text.is_empty(),
            language: params
                .language
                .as_deref()
                .filter(|l| (2..=8).contains(&l.len())),
            mentioned_account_ids: &mentioned,
            tags: &composed.tags,
        },
    )
    .await?;
    attach_media(&mut transaction, &user, row.id, media_ids.as_deref()).await?;
    posts::send_post_change(
        &state,
        &mut transaction,
        &author,
        &edited,
        PostChange::Updated,
    )
    .await?;
    transaction.commit().await?;
    one(&state, Some(user.account_id), row.id).await
}

/// The signed-in author's account row.
async fn author(
    state: &AppState,
    user: &CurrentUser,
) -> ApiResult<crate::db::accounts::AccountRow> {
    crate::db::accounts::find_by_id(&state.db, user.account_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A status of the caller (not a boost), by id.
async fn own_status(state: &AppState, user: &CurrentUser, id: &str) -> ApiResult<StatusRow> {
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    let row = statuses::find_visible(&state.db, Some(user.account_id), id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    if row.account_id != user.account_id || row.reblog_of_id.is_some() {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

/// Rules shared by posting and editing: not blank unless there is media, not too long.
fn check_text(state: &AppState, text: &str, has_media: bool) -> ApiResult<()> {
    let max_characters = state.config.max_status_characters as usize;
    if text.trim().is_empty() && !has_media {
        return Err(ApiError::validation(
            "status",
            "ERR_BLANK",
            "Text can't be blank",
        ));
    }
    if status_text::character_count(text) > max_characters {
        return Err(ApiError::validation(
            "status",
            "ERR_TOO_LONG",
            format!("Text character limit of {max_characters} exceeded"),
        ));
    }
    Ok(())
}

/// Every version of a status, oldest first (Mastodon's StatusEdit entities).
#[utoipa::path(get, path = "/api/v1/statuses/{id}/history", tag = "statuses",
    params(("id" = String, Path, description = "Status id")),
    responses((status = 200, description = "StatusEdit entities", body = Vec<Object>), (status = 404)))]
pub async fn history(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    if let Some(token) = &token {
        token.require_scope(&["read:statuses"])?;
    }
    let viewer = token.and_then(|t| t.account_id);
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    let row = statuses::find_visible(&state.db, viewer, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let shown = rendered_one(&state, viewer, row.clone()).await?;
    let mut versions = statuses::versions(&state.db, row.id).await?;
    if versions.is_empty() {
        versions.push(statuses::EditRow {
            text: row.text.clone(),
            content: row.content.clone(),
            spoiler_text: row.spoiler_text.clone(),
            sensitive: row.sensitive,
            created_at: row.created_at,
        });
    }
    let entries = versions
        .into_iter()
        .map(|version| {
            serde_json::json!({
                "content": version.content,
                "spoiler_text": version.spoiler_text,
                "sensitive": version.sensitive,
                "created_at": crate::api::entities::timestamp(version.created_at),
                "account": shown.account,
                "poll": null,
                "media_attachments": shown.media_attachments,
                "emojis": [],
            })
        })
        .collect();
    Ok(Json(entries))
}

/// The text of one of the caller's statuses as typed, for editing.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/source", tag = "statuses",
    params(("id" = String, Path, description = "Status id")), security(("bearer" = ["read:statuses"])),
    responses((status = 200, description = "StatusSource entity", body = Object), (status = 404)))]
pub async fn source(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    user.token.require_scope(&["read:statuses"])?;
    let row = own_status(&state, &user, &id).await?;
    Ok(Json(serde_json::json!({
        "id": Id(row.id),
        "text": row.text,
        "spoiler_text": row.spoiler_text,
    })))
}
