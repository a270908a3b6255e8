//! `GET /api/v1/instance` and `GET /api/v2/instance`
//! (<https://docs.joinmastodon.org/methods/instance/>). Public, no token needed.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use crate::api::entities::instance::{self, InstanceStats};
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
    responses((status = 200, description = "V1::Instance entity", body = Object)))]
pub async fn v1(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let mut entity = instance::v1(&state.config, stats(&state).await?);
    entity["rules"] = rule_entities(&state).await?;
    Ok(Json(entity))
}

/// The instance in Mastodon's v2 shape.
#[utoipa::path(get, path = "/api/v2/instance", tag = "instance",
    responses((status = 200, description = "Instance entity", body = Object)))]
pub async fn v2(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let mut entity = instance::v2(&state.config, stats(&state).await?);
    entity["configuration"]["vapid"]["public_key"] =
        Value::String(crate::api::v1::push::server_key(&state).await?);
    entity["rules"] = rule_entities(&state).await?;
    Ok(Json(entity))
}

/// The instance's rules (Rule entities: `id`, `text`, `hint`).
#[utoipa::path(get, path = "/api/v1/instance/rules", tag = "instance",
    responses((status = 200, description = "Rule entities", body = Object)))]
pub async fn rules(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(rule_entities(&state).await?))
}

async fn rule_entities(state: &AppState) -> ApiResult<Value> {
    let rules = crate::db::rules::all(&state.db).await?;
    Ok(Value::Array(
        rules
            .iter()
            .map(|rule| {
                serde_json::json!({
                    "id": rule.id.to_string(),
                    "text": rule.text,
                    "hint": rule.hint,
                })
            })
            .collect(),
    ))
}
