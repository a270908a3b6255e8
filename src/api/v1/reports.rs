//! Filing a report: `POST /api/v1/reports`
//! (<https://docs.joinmastodon.org/methods/reports/>). The moderators are notified
//! (`admin.report`); with `forward=true` a remote account's server gets a copy as a
//! `Flag` from the instance actor.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::check_length;
use super::follows::{load_account, signed_in_account};
use crate::api::entities::report::Report;
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::CurrentUser;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::federation::reports::{self as report_service, LocalReport};
use crate::state::AppState;

/// Longest comment (Mastodon's default).
const MAX_COMMENT_CHARS: usize = 1_000;
/// Most statuses and rules one report may cite.
const MAX_CITED: usize = 100;
/// Mastodon's report categories.
const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];

/// Body of `POST /api/v1/reports`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReportParams {
    account_id: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    status_ids: Option<Vec<String>>,
    comment: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    forward: Option<bool>,
    category: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    rule_ids: Option<Vec<String>>,
}

/// Parses a list of ids (at most [`MAX_CITED`]); 422 naming `field` otherwise.
fn id_list(field: &'static str, ids: Option<Vec<String>>) -> ApiResult<Vec<i64>> {
    let ids = ids.unwrap_or_default();
    if ids.len() > MAX_CITED {
        return Err(ApiError::validation(
            field,
            "ERR_TOO_LONG",
            format!("at most {MAX_CITED} ids"),
        ));
    }
    ids.iter()
        .map(|id| id.parse::<Id>().map(|id| id.0))
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::validation(field, "ERR_INVALID", format!("{field} must be ids")))
}

/// Every cited rule must be one of the instance's rules (`GET /api/v1/instance/rules`).
async fn check_rules(state: &AppState, rule_ids: &[i64]) -> ApiResult<()> {
    let rules = crate::db::rules::all(&state.db).await?;
    if rule_ids
        .iter()
        .all(|id| rules.iter().any(|rule| rule.id == *id))
    {
        Ok(())
    } else {
        Err(ApiError::validation(
            "rule_ids",
            "ERR_INVALID",
            "rule_ids must name rules of this instance",
        ))
    }
}

/// The category: given, else `violation` when rules are cited, else `other`.
fn category(given: Option<&str>, rule_ids: &[i64]) -> ApiResult<String> {
    if !rule_ids.is_empty() {
        return Ok("violation".to_owned());
    }
    match given.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok("other".to_owned()),
        Some(category) if CATEGORIES.contains(&category) => Ok(category.to_owned()),
        Some(_) => Err(ApiError::validation(
            "category",
            "ERR_INCLUSION",
            "category must be spam, legal, violation or other",
        )),
    }
}

/// Reports an account (and some of its statuses) to the moderators.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportParams,
    security(("bearer" = ["write:reports"])),
    responses((status = 200, body = Report), (status = 404), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<ReportParams>,
) -> ApiResult<Json<Report>> {
    user.token.require_scope(&["write:reports"])?;
    let account_id = params
        .account_id
        .as_deref()
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| ApiError::validation("account_id", "ERR_BLANK", "account_id is required"))?;
    let target = load_account(&state, account_id).await?;
    if target.id == user.account_id {
        return Err(ApiError::validation(
            "account_id",
            "ERR_INVALID",
            "You cannot report yourself",
        ));
    }
    check_length("comment", params.comment.as_deref(), MAX_COMMENT_CHARS)?;
    let status_ids = id_list("status_ids", params.status_ids)?;
    let rule_ids = id_list("rule_ids", params.rule_ids)?;
    check_rules(&state, &rule_ids).await?;
    let category = category(params.category.as_deref(), &rule_ids)?;
    let me = signed_in_account(&state, &user).await?;
    let report = LocalReport {
        status_ids: &status_ids,
        comment: params.comment.as_deref().unwrap_or_default(),
        category: &category,
        rule_ids: &rule_ids,
        forward: params.forward.unwrap_or(false),
    };
    let row = report_service::file(&state, &me, &target, &report).await?;
    Ok(Json(Report::from_row(&row, &target, &state.config)))
}
