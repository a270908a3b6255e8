//! `GET /api/v1/instance`, `GET /api/v2/instance` and the instance's public
//! side-routes (rules, peers, translation languages)
//! (<https://docs.joinmastodon.org/methods/instance/>). Public, no token needed.

use axum::extract::State;
use std::collections::BTreeMap;

use axum::Json;

use crate::api::entities::instance::{Instance, InstanceStats, InstanceV1, Rule};
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

async fn stats(state: &AppState) -> ApiResult<InstanceStats> {
    Ok(InstanceStats {
        user_count: accounts::count_local(&state.db).await?,
        active_month: accounts::count_active_local(&state.db).await?,
        status_count: crate::db::statuses::count_local(&state.db).await?,
        domain_count: accounts::count_known_domains(&state.db).await?,
    })
}

/// The instance in Mastodon's v1 shape (older apps, Mastodon.py's version check).
#[utoipa::path(get, path = "/api/v1/instance", tag = "instance",
    responses((status = 200, description = "V1::Instance entity", body = InstanceV1)))]
pub async fn v1(State(state): State<AppState>) -> ApiResult<Json<InstanceV1>> {
    let stats = stats(&state).await?;
    let rules = rule_entities(&state).await?;
    Ok(Json(InstanceV1::new(&state.config, stats, rules)))
}

/// The instance in Mastodon's v2 shape.
#[utoipa::path(get, path = "/api/v2/instance", tag = "instance",
    responses((status = 200, description = "Instance entity", body = Instance)))]
pub async fn v2(State(state): State<AppState>) -> ApiResult<Json<Instance>> {
    let stats = stats(&state).await?;
    let vapid_key = crate::api::v1::push::server_key(&state).await?;
    let rules = rule_entities(&state).await?;
    Ok(Json(Instance::new(&state.config, stats, vapid_key, rules)))
}

/// The instance's rules.
#[utoipa::path(get, path = "/api/v1/instance/rules", tag = "instance",
    responses((status = 200, description = "Rule entities", body = Vec<Rule>)))]
pub async fn rules(State(state): State<AppState>) -> ApiResult<Json<Vec<Rule>>> {
    Ok(Json(rule_entities(&state).await?))
}

async fn rule_entities(state: &AppState) -> ApiResult<Vec<Rule>> {
    let rules = crate::db::rules::all(&state.db).await?;
    Ok(rules.iter().map(Rule::from_row).collect())
}

/// Most domains `GET /api/v1/instance/peers` lists: it comes from what other servers
/// sent, so it is bounded (Mastodon lists every one; past this many the list is cut,
/// alphabetically).
const MAX_PEERS: i64 = 100_000;

/// The remote domains this instance knows accounts of, except blocked ones (as
/// Mastodon's `Instance.searchable`). 404 in allowlist mode, where Mastodon hides it
/// too ("limited federation mode").
#[utoipa::path(get, path = "/api/v1/instance/peers", tag = "instance",
    responses((status = 200, description = "Domain names", body = Vec<String>),
        (status = 404, description = "Allowlist mode")))]
pub async fn peers(State(state): State<AppState>) -> ApiResult<Json<Vec<String>>> {
    if state.config.allowlist_mode {
        return Err(ApiError::NotFound);
    }
    Ok(Json(accounts::known_domains(&state.db, MAX_PEERS).await?))
}

/// Which languages statuses can be translated from and into: none, as Roost has no
/// translation service (Mastodon answers the same `{}` without one).
#[utoipa::path(get, path = "/api/v1/instance/translation_languages", tag = "instance",
    responses((status = 200, description = "Source language → target languages (empty)",
        body = BTreeMap<String, Vec<String>>)))]
pub async fn translation_languages() -> Json<BTreeMap<String, Vec<String>>> {
    Json(BTreeMap::new())
}
