//! Filing a report: `POST /api/v1/reports`
//! (<https://docs.joinmastodon.org/methods/reports/>). The rules, the moderators'
//! notification and the forwarding (`forward=true`: a remote account's server gets a
//! copy as a `Flag` from the instance actor) are `services::reports::file`'s.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::check_length;
use crate::api::entities::report::Report;
use crate::api::params::{lenient_opt_bool, string_list, Params};
use crate::auth::scoped::WriteReports;
use crate::auth::User;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::services::reports::{self, LocalReport};
use crate::state::AppState;

/// Longest comment (Mastodon's default).
const MAX_COMMENT_CHARS: usize = 1_000;
/// Most statuses and rules one report may cite.
const MAX_CITED: usize = 100;

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

impl ReportParams {
    /// The reported account: 422 when missing, 404 when no account can have that id.
    fn target_id(&self) -> ApiResult<i64> {
        let id = self
            .account_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                ApiError::validation("account_id", "ERR_BLANK", "account_id is required")
            })?;
        id.parse::<Id>()
            .map(|id| id.0)
            .map_err(|_| ApiError::NotFound)
    }
}

/// Parses a list of ids (at most [`MAX_CITED`]); 422 naming `field` otherwise.
pub(crate) fn id_list(field: &'static str, ids: Option<&[String]>) -> ApiResult<Vec<i64>> {
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

/// Reports an account (and some of its statuses) to the moderators.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportParams,
    security(("bearer" = ["write:reports"])),
    responses((status = 200, body = Report), (status = 404), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: User<WriteReports>,
    Params(params): Params<ReportParams>,
) -> ApiResult<Json<Report>> {
    let target_id = params.target_id()?;
    check_length("comment", params.comment.as_deref(), MAX_COMMENT_CHARS)?;
    let status_ids = id_list("status_ids", params.status_ids.as_deref())?;
    let rule_ids = id_list("rule_ids", params.rule_ids.as_deref())?;
    let report = LocalReport {
        target_id,
        status_ids: &status_ids,
        comment: params.comment.as_deref().unwrap_or_default(),
        category: params.category.as_deref(),
        rule_ids: &rule_ids,
        forward: params.forward.unwrap_or(false),
    };
    let filed = reports::file(&state, user.account_id, &report).await?;
    Ok(Json(Report::from_row(
        &filed.report,
        &filed.target,
        &state.config,
    )))
}
