//! Follow suggestions: `GET /api/v2/suggestions`, `GET /api/v1/suggestions` and
//! `DELETE /api/v1/suggestions/:account_id`. The sources and exclusions are
//! `services::suggestions`'. Spec: <https://docs.joinmastodon.org/methods/suggestions/>.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::empty::Empty;
use crate::api::entities::suggestion::Suggestion;
use crate::api::entities::Account;
use crate::api::params::Params;
use crate::auth::scoped::{ReadAccounts, WriteAccounts};
use crate::auth::User;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::suggestions::{self as service, DEFAULT_LIMIT};
use crate::state::AppState;

/// Parameters of the suggestion lists.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionParams {
    /// Suggestions to return: default 40, at most 80.
    limit: Option<String>,
}

impl SuggestionParams {
    fn limit(&self) -> i64 {
        let limit = self.limit.as_deref().and_then(|l| l.trim().parse().ok());
        limit.unwrap_or(DEFAULT_LIMIT)
    }
}

/// Accounts the user might follow, with the reasons.
#[utoipa::path(get, path = "/api/v2/suggestions", tag = "suggestions", params(SuggestionParams),
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = Vec<Suggestion>), (status = 401)))]
pub async fn index_v2(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Params(params): Params<SuggestionParams>,
) -> ApiResult<Json<Vec<Suggestion>>> {
    let views = service::list(&state, user.account_id, params.limit()).await?;
    let config = &state.config;
    Ok(Json(
        views
            .iter()
            .map(|view| Suggestion::from_view(view, config))
            .collect(),
    ))
}

/// Accounts the user might follow (the older form: accounts only).
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "suggestions", params(SuggestionParams),
    security(("bearer" = ["read:accounts"])),
    responses((status = 200, body = Vec<Account>), (status = 401)))]
pub async fn index_v1(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Params(params): Params<SuggestionParams>,
) -> ApiResult<Json<Vec<Account>>> {
    let views = service::list(&state, user.account_id, params.limit()).await?;
    let config = &state.config;
    Ok(Json(
        views
            .iter()
            .map(|view| Account::from_row(&view.account, config))
            .collect(),
    ))
}

/// Never suggests this account to the user again.
#[utoipa::path(delete, path = "/api/v1/suggestions/{account_id}", tag = "suggestions",
    params(("account_id" = String, Path, description = "Account id")),
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = Empty), (status = 404)))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Empty>> {
    service::dismiss(&state, user.account_id, id.0).await?;
    Ok(Json(Empty {}))
}
