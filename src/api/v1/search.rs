//! Search: `GET /api/v2/search` (accounts, hashtags and statuses) and
//! `GET /api/v1/accounts/search` (<https://docs.joinmastodon.org/methods/search/>,
//! <https://docs.joinmastodon.org/methods/accounts/#search>). The rules, the query
//! syntax and who may find what are `services::search`'s.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::api::entities::search::SearchResults;
use crate::api::entities::status;
use crate::api::entities::tag::Tag;
use crate::api::entities::Account;
use crate::api::paging::PageParams;
use crate::api::params::{lenient_opt_bool, Params};
use crate::auth::scoped::{ReadAccounts, ReadSearch};
use crate::auth::{OptionalToken, User};
use crate::domain::filters::FilterContext;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::services::search::{self, Kind, SearchRequest, MAX_OFFSET};
use crate::state::AppState;

/// Parameters of a search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    max_id: Option<String>,
    min_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    resolve: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    following: Option<bool>,
    /// Only hashtags an admin reviewed (apps set it when looking for trending ones).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    exclude_unreviewed: Option<bool>,
    /// `accounts`, `hashtags` or `statuses`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Only statuses of this account.
    account_id: Option<String>,
}

impl SearchParams {
    /// The request, with `limit` defaulting to `default` and at most `max`.
    fn request(&self, default: i64, max: i64) -> SearchRequest<'_> {
        let paging = PageParams {
            max_id: self.max_id.clone(),
            since_id: None,
            min_id: self.min_id.clone(),
            limit: self.limit.clone(),
        };
        SearchRequest {
            query: self.q.as_deref().unwrap_or_default(),
            kind: Kind::parse(self.kind.as_deref()),
            resolve: self.resolve == Some(true),
            following: self.following == Some(true),
            exclude_unreviewed: self.exclude_unreviewed == Some(true),
            // An id that does not parse names no account: nothing is found.
            account_id: self
                .account_id
                .as_deref()
                .map(|id| id.parse::<Id>().map_or(-1, |id| id.0)),
            page: paging.page(default, max),
            offset: self
                .offset
                .as_deref()
                .and_then(|o| o.trim().parse::<i64>().ok())
                .unwrap_or(0)
                .clamp(0, MAX_OFFSET),
        }
    }
}

/// `GET /api/v1/accounts/search`.
#[utoipa::path(get, path = "/api/v1/accounts/search", tag = "accounts", params(SearchParams),
    security(("bearer" = ["read:accounts"])), responses((status = 200, body = Vec<Account>)))]
pub async fn accounts(
    State(state): State<AppState>,
    user: User<ReadAccounts>,
    Params(params): Params<SearchParams>,
) -> ApiResult<Json<Vec<Account>>> {
    let request = params.request(40, 80);
    let found = search::accounts(&state, Some(user.account_id), &request).await?;
    Ok(Json(
        found
            .iter()
            .map(|a| Account::from_row(a, &state.config))
            .collect(),
    ))
}

/// `GET /api/v2/search`: accounts, hashtags and statuses (statuses signed in only).
#[utoipa::path(get, path = "/api/v2/search", tag = "search", params(SearchParams),
    responses((status = 200, description = "Search entity", body = SearchResults),
        (status = 401, description = "resolve or offset without a user token"),
        (status = 422, description = "malformed query")))]
pub async fn v2(
    State(state): State<AppState>,
    token: OptionalToken<ReadSearch>,
    Params(params): Params<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    let viewer = token.account_id();
    let found = search::search(&state, viewer, &params.request(20, 40)).await?;
    let statuses = status::render_in(&state, viewer, found.statuses, FilterContext::Public).await?;
    Ok(Json(SearchResults {
        accounts: found
            .accounts
            .iter()
            .map(|a| Account::from_row(a, &state.config))
            .collect(),
        statuses,
        hashtags: found
            .hashtags
            .iter()
            .map(|view| Tag::from_view(view, &state.config))
            .collect(),
    }))
}
