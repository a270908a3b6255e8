//! `GET /api/v1/instance` and `GET /api/v2/instance`
//! (<https://docs.joinmastodon.org/methods/instance/>). Public, no token needed.

use axum::extract::State;
use axum::Json;

use crate::api::entities::instance::{Instance, InstanceStats, InstanceV1, Rule};
use crate::db::accounts;
use crate::error::ApiResult;
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
