//! The instance's further public routes: `activity`, `domain_blocks`,
//! `extended_description`, `privacy_policy` and `terms_of_service`
//! (<https://docs.joinmastodon.org/methods/instance/>). No token needed.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;

use crate::api::entities::instance_extras::{
    Activity, DomainBlock, ExtendedDescription, PrivacyPolicy, TermsOfService,
};
use crate::auth::extractor::MaybeToken;
use crate::error::{ApiError, ApiResult};
use crate::services::instance_info::{self, TextKind};
use crate::state::AppState;

/// Twelve weeks of local activity, the current week first.
#[utoipa::path(get, path = "/api/v1/instance/activity", tag = "instance",
    responses((status = 200, description = "Weekly activity", body = Vec<Activity>),
        (status = 404, description = "Allowlist mode")))]
pub async fn activity(State(state): State<AppState>) -> ApiResult<Json<Vec<Activity>>> {
    let weeks = instance_info::activity(&state).await?;
    Ok(Json(weeks.iter().map(Activity::from_row).collect()))
}

/// The servers this one limits or suspends, as `ROOST_SHOW_DOMAIN_BLOCKS` allows.
#[utoipa::path(get, path = "/api/v1/instance/domain_blocks", tag = "instance",
    responses((status = 200, description = "DomainBlock entities", body = Vec<DomainBlock>),
        (status = 404, description = "Not shown to this caller")))]
pub async fn domain_blocks(
    State(state): State<AppState>,
    MaybeToken(token): MaybeToken,
) -> ApiResult<Json<Vec<DomainBlock>>> {
    let signed_in = token.is_some_and(|token| token.account_id.is_some());
    let blocks = instance_info::listed_domain_blocks(&state, signed_in).await?;
    Ok(Json(
        blocks.into_iter().map(DomainBlock::from_listed).collect(),
    ))
}

/// The admins' long description (empty when not set).
#[utoipa::path(get, path = "/api/v1/instance/extended_description", tag = "instance",
    responses((status = 200, description = "ExtendedDescription entity",
        body = ExtendedDescription)))]
pub async fn extended_description(
    State(state): State<AppState>,
) -> ApiResult<Json<ExtendedDescription>> {
    let row = instance_info::text(&state, TextKind::ExtendedDescription).await?;
    let content = row
        .as_ref()
        .map(|row| instance_info::render(&state, &row.text))
        .unwrap_or_default();
    Ok(Json(ExtendedDescription::new(row.as_ref(), content)))
}

/// The privacy policy; 404 while the admins have set none.
#[utoipa::path(get, path = "/api/v1/instance/privacy_policy", tag = "instance",
    responses((status = 200, description = "PrivacyPolicy entity", body = PrivacyPolicy),
        (status = 404, description = "None set")))]
pub async fn privacy_policy(State(state): State<AppState>) -> ApiResult<Json<PrivacyPolicy>> {
    let row = instance_info::text(&state, TextKind::PrivacyPolicy)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(PrivacyPolicy {
        updated_at: row.updated_at,
        content: instance_info::render(&state, &row.text),
    }))
}

/// The terms of service in force (or the first to come); 404 while none are set.
#[utoipa::path(get, path = "/api/v1/instance/terms_of_service", tag = "instance",
    responses((status = 200, description = "TermsOfService entity", body = TermsOfService),
        (status = 404, description = "None set")))]
pub async fn terms_of_service(State(state): State<AppState>) -> ApiResult<Json<TermsOfService>> {
    terms(&state, None).await
}

/// The version of the terms of service that takes effect on `date` (`YYYY-MM-DD`).
#[utoipa::path(get, path = "/api/v1/instance/terms_of_service/{date}", tag = "instance",
    params(("date" = String, Path, description = "Effective date, YYYY-MM-DD")),
    responses((status = 200, description = "TermsOfService entity", body = TermsOfService),
        (status = 404, description = "No version of that date")))]
pub async fn terms_of_service_of(
    State(state): State<AppState>,
    axum::extract::Path(date): axum::extract::Path<String>,
) -> ApiResult<Json<TermsOfService>> {
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| ApiError::NotFound)?;
    terms(&state, Some(date)).await
}

async fn terms(state: &AppState, date: Option<NaiveDate>) -> ApiResult<Json<TermsOfService>> {
    let terms = instance_info::terms(state, date).await?;
    let content = instance_info::render(state, &terms.row.text);
    Ok(Json(TermsOfService::new(&terms, content)))
}
