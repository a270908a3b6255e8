//! Annual reports (<https://docs.joinmastodon.org/methods/annual_reports/>): the
//! signed-in user's year in numbers. Each handler extracts its input, calls
//! `services::annual_reports` and renders.

use axum::extract::{Path, State};
use axum::Json;

use crate::api::entities::annual_report::{self, AnnualReports};
use crate::api::entities::empty::Empty;
use crate::auth::scoped::{ReadAccounts, WriteAccounts};
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::services::annual_reports::{self as service, ReportState};
use crate::state::AppState;

/// The year in the path; not a year: 404.
fn year(text: &str) -> ApiResult<i32> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// The user's reports not yet marked read.
#[utoipa::path(get, path = "/api/v1/annual_reports", tag = "accounts",
    security(("bearer" = ["read:accounts"])), responses((status = 200, body = AnnualReports)))]
pub async fn index(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
) -> ApiResult<Json<AnnualReports>> {
    let reports = service::unread(&state, user.account_id).await?;
    Ok(Json(
        annual_report::render(&state, user.account_id, reports).await?,
    ))
}

/// The user's report of one year (2016 to this year; this year's so far).
#[utoipa::path(get, path = "/api/v1/annual_reports/{year}", tag = "accounts",
    params(("year" = i32, Path, description = "The year")),
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = AnnualReports), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Path(text): Path<String>,
) -> ApiResult<Json<AnnualReports>> {
    let report = service::report(&state, user.account_id, year(&text)?).await?;
    Ok(Json(
        annual_report::render(&state, user.account_id, vec![report]).await?,
    ))
}

/// Marks a report read: it leaves the list of `GET /api/v1/annual_reports`.
#[utoipa::path(post, path = "/api/v1/annual_reports/{year}/read", tag = "accounts",
    params(("year" = i32, Path, description = "The year")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(text): Path<String>,
) -> ApiResult<Json<Empty>> {
    service::mark_read(&state, user.account_id, year(&text)?).await?;
    Ok(Json(Empty {}))
}

/// The body of `GET /api/v1/annual_reports/:year/state`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReportStateBody {
    /// `available`, `generating`, `eligible` or `ineligible`.
    pub state: ReportState,
}

/// Where the user's report of a year stands (Mastodon 4.6).
#[utoipa::path(get, path = "/api/v1/annual_reports/{year}/state", tag = "accounts",
    params(("year" = String, Path, description = "The year")),
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = ReportStateBody)))]
pub async fn state(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Path(text): Path<String>,
) -> ApiResult<Json<ReportStateBody>> {
    let report_state = match text.parse() {
        Ok(year) => service::state_of(&state, user.account_id, year).await?,
        Err(_) => ReportState::Ineligible,
    };
    Ok(Json(ReportStateBody {
        state: report_state,
    }))
}

/// Generates (and keeps) the user's report of a year (Mastodon 4.6). Immediate in
/// Roost, so always `200` `{}`: the report is then `available` (or the year ineligible).
#[utoipa::path(post, path = "/api/v1/annual_reports/{year}/generate", tag = "accounts",
    params(("year" = String, Path, description = "The year")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Empty)))]
pub async fn generate(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(text): Path<String>,
) -> ApiResult<Json<Empty>> {
    if let Ok(year) = text.parse() {
        service::generate(&state, user.account_id, year).await?;
    }
    Ok(Json(Empty {}))
}
