//! The admin dashboard: `POST /api/v1/admin/measures`, `/dimensions` and `/retention`.
//! Moderators and admins (Mastodon's `view_dashboard`); the numbers and which keys
//! Roost computes are `services::admin_dashboard`'s. Spec:
//! <https://docs.joinmastodon.org/methods/admin/measures/>,
//! <https://docs.joinmastodon.org/methods/admin/dimensions/>,
//! <https://docs.joinmastodon.org/methods/admin/retention/>.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::{ReadTags, Staff};
use crate::api::entities::admin::dashboard::{AdminCohort, AdminDimension, AdminMeasure};
use crate::api::entities::timestamp;
use crate::api::params::{string_list, Params};
use crate::error::ApiResult;
use crate::services::admin_dashboard::{
    self as service, Frequency, Window, MAX_DAYS, MAX_MONTHLY_DAYS,
};
use crate::state::AppState;

/// Body of the measures and dimensions requests.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MetricsParams {
    /// The measures or dimensions wanted (unknown ones are skipped).
    #[serde(default, deserialize_with = "string_list")]
    keys: Option<Vec<String>>,
    /// The first day (`YYYY-MM-DD`).
    start_at: Option<String>,
    /// The last day (`YYYY-MM-DD`), at most 366 days after `start_at`.
    end_at: Option<String>,
    /// Dimensions only: entries per dimension (default 10, at most 100).
    limit: Option<String>,
    /// The keys' own parameters: `tag_accounts[id]`, `instance_accounts[domain]`, …
    #[serde(flatten)]
    #[schema(value_type = Object)]
    per_key: HashMap<String, Value>,
}

impl MetricsParams {
    fn window(&self) -> ApiResult<Window> {
        Window::parse(self.start_at.as_deref(), self.end_at.as_deref(), MAX_DAYS)
    }

    fn keys(&self) -> &[String] {
        self.keys.as_deref().unwrap_or_default()
    }

    /// The parameter of `key` (`key[id]` or `key[domain]`), if given.
    fn per_key(&self, key: &str) -> Option<String> {
        let given = self.per_key.get(key)?;
        let value = given.get("id").or_else(|| given.get("domain"))?;
        let text = match value {
            Value::String(text) => text.trim().to_owned(),
            Value::Number(number) => number.to_string(),
            _ => return None,
        };
        (!text.is_empty() && text.len() <= 253).then_some(text)
    }
}

/// Per-day numbers over a window: users, interactions, reports, a hashtag's or a
/// server's activity.
#[utoipa::path(post, path = "/api/v1/admin/measures", tag = "admin", request_body = MetricsParams,
    security(("bearer" = ["admin:read"])),
    responses((status = 200, body = [AdminMeasure]), (status = 403), (status = 422)))]
pub async fn measures(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Params(params): Params<MetricsParams>,
) -> ApiResult<Json<Vec<AdminMeasure>>> {
    let window = params.window()?;
    let measures =
        service::measures(&state, params.keys(), |key| params.per_key(key), window).await?;
    let rendered = measures
        .iter()
        .map(|m| AdminMeasure::from_measure(m, window));
    Ok(Json(rendered.collect()))
}

/// Ranked breakdowns over a window: languages, servers, space usage, versions, a
/// hashtag's or a server's.
#[utoipa::path(post, path = "/api/v1/admin/dimensions", tag = "admin", request_body = MetricsParams,
    security(("bearer" = ["admin:read"])),
    responses((status = 200, body = [AdminDimension]), (status = 403), (status = 422)))]
pub async fn dimensions(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Params(params): Params<MetricsParams>,
) -> ApiResult<Json<Vec<AdminDimension>>> {
    let window = params.window()?;
    let limit = params
        .limit
        .as_deref()
        .and_then(|limit| limit.trim().parse().ok())
        .unwrap_or(10);
    let keys = params.keys();
    let dimensions =
        service::dimensions(&state, keys, |key| params.per_key(key), window, limit).await?;
    Ok(Json(
        dimensions
            .iter()
            .map(AdminDimension::from_dimension)
            .collect(),
    ))
}

/// Body of the retention request.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RetentionParams {
    /// The first day (`YYYY-MM-DD`).
    start_at: Option<String>,
    /// The last day (`YYYY-MM-DD`).
    end_at: Option<String>,
    /// `day` (default) or `month`.
    frequency: Option<String>,
}

/// Sign-up cohorts by day or month, with the share of each still active later.
#[utoipa::path(post, path = "/api/v1/admin/retention", tag = "admin", request_body = RetentionParams,
    security(("bearer" = ["admin:read"])),
    responses((status = 200, body = [AdminCohort]), (status = 403), (status = 422)))]
pub async fn retention(
    State(state): State<AppState>,
    _staff: Staff<ReadTags>,
    Params(params): Params<RetentionParams>,
) -> ApiResult<Json<Vec<AdminCohort>>> {
    let frequency = Frequency::parse(params.frequency.as_deref())?;
    let max_days = match frequency {
        Frequency::Day => MAX_DAYS,
        Frequency::Month => MAX_MONTHLY_DAYS,
    };
    let window = Window::parse(
        params.start_at.as_deref(),
        params.end_at.as_deref(),
        max_days,
    )?;
    let cohorts = service::retention(&state, window, frequency).await?;
    let periods: Vec<String> = cohorts.iter().map(|c| timestamp(c.period)).collect();
    let rendered = cohorts
        .iter()
        .enumerate()
        .map(|(i, c)| AdminCohort::from_row(c, frequency.name(), &periods[i..]));
    Ok(Json(rendered.collect()))
}
