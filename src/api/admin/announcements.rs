//! Announcements through the admin API (admins only): list, publish, change, remove.
//! Mastodon manages announcements in its admin web pages only; these routes give apps
//! and scripts the same actions as `roost admin announcement-*`, through
//! `services::announcements`. Users read them at `/api/v1/announcements`.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ReadAnnouncements, Staff, WriteAnnouncements};
use crate::api::entities::announcement::Announcement;
use crate::api::entities::empty::Empty;
use crate::api::params::{lenient_opt_bool, Params};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::announcements::{self as service, AnnouncementInput, Listing};
use crate::state::AppState;

/// An announcement as an admin writes it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AnnouncementParams {
    /// Plain text; blank lines separate paragraphs.
    text: Option<String>,
    /// When the event it announces starts (RFC 3339).
    starts_at: Option<DateTime<Utc>>,
    /// When it ends; past this time users no longer see it.
    ends_at: Option<DateTime<Utc>>,
    /// The event lasts whole days.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    all_day: Option<bool>,
}

impl AnnouncementParams {
    fn input(&self) -> ApiResult<AnnouncementInput<'_>> {
        let text = self
            .text
            .as_deref()
            .ok_or_else(|| ApiError::validation("text", "ERR_BLANK", "text can't be blank"))?;
        Ok(AnnouncementInput {
            text,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            all_day: self.all_day.unwrap_or(false),
        })
    }
}

/// The entity of one announcement just written (no reactions read back).
fn entity(
    state: &AppState,
    row: crate::db::announcements::AnnouncementRow,
) -> ApiResult<Announcement> {
    let listing = Listing {
        announcements: vec![row],
        reactions: Vec::new(),
        emojis: Vec::new(),
    };
    Announcement::all(&listing, &state.config)
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Every announcement, newest first, ended ones too (at most 1,000).
#[utoipa::path(get, path = "/api/v1/admin/announcements", tag = "admin",
    security(("bearer" = ["admin:read"])),
    responses((status = 200, body = [Announcement]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff<ReadAnnouncements>,
) -> ApiResult<Json<Vec<Announcement>>> {
    let listing = service::all_with_reactions(&state, staff.account_id).await?;
    Ok(Json(Announcement::all(&listing, &state.config)))
}

/// Publishes an announcement to every user.
#[utoipa::path(post, path = "/api/v1/admin/announcements", tag = "admin",
    request_body = AnnouncementParams, security(("bearer" = ["admin:write"])),
    responses((status = 200, body = Announcement), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    _staff: Staff<WriteAnnouncements>,
    Params(params): Params<AnnouncementParams>,
) -> ApiResult<Json<Announcement>> {
    let row = service::add(&state, &params.input()?).await?;
    Ok(Json(entity(&state, row)?))
}

/// Changes an announcement: every parameter is set anew, as on creation.
#[utoipa::path(put, path = "/api/v1/admin/announcements/{id}", tag = "admin",
    params(("id" = String, Path, description = "Announcement id")),
    request_body = AnnouncementParams, security(("bearer" = ["admin:write"])),
    responses((status = 200, body = Announcement), (status = 403), (status = 404),
        (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    _staff: Staff<WriteAnnouncements>,
    Path(id): Path<Id>,
    Params(params): Params<AnnouncementParams>,
) -> ApiResult<Json<Announcement>> {
    let row = service::change(&state, id.0, &params.input()?).await?;
    Ok(Json(entity(&state, row)?))
}

/// Removes an announcement with its reactions.
#[utoipa::path(delete, path = "/api/v1/admin/announcements/{id}", tag = "admin",
    params(("id" = String, Path, description = "Announcement id")),
    security(("bearer" = ["admin:write"])),
    responses((status = 200, body = Empty), (status = 403), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    _staff: Staff<WriteAnnouncements>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::remove(&state, id.0).await?;
    Ok(Json(Empty {}))
}
