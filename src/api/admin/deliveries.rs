//! Roost's own admin view of federation deliveries: dead letters (deliveries that ran
//! out of attempts), per-domain health, and replaying dead letters. Admins only.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{authorize, Needs};
use crate::api::entities::timestamp;
use crate::api::params::Params;
use crate::auth::CurrentUser;
use crate::db::deliveries;
use crate::domain::Id;
use crate::error::ApiResult;
use crate::state::AppState;

/// Filters of the delivery view.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Only this domain.
    domain: Option<String>,
    /// At most this many dead letters and domains (default 40, at most 200).
    limit: Option<String>,
}

impl DeliveryParams {
    fn domain(&self) -> Option<String> {
        self.domain
            .as_deref()
            .map(|d| d.trim().to_lowercase())
            .filter(|d| !d.is_empty())
    }

    fn limit(&self) -> i64 {
        self.limit
            .as_deref()
            .and_then(|l| l.parse::<i64>().ok())
            .unwrap_or(40)
            .clamp(1, 200)
    }
}

/// Dead letters and per-domain delivery health.
#[utoipa::path(get, path = "/api/v1/admin/deliveries", tag = "admin", params(DeliveryParams),
    security(("bearer" = ["admin:read"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<DeliveryParams>,
) -> ApiResult<Json<Value>> {
    authorize(&user, &["admin:read"], Needs::Admin)?;
    let domain = params.domain();
    let dead = deliveries::dead(&state.db, domain.as_deref(), params.limit()).await?;
    let health = deliveries::domain_health(&state.db, domain.as_deref(), params.limit()).await?;
    Ok(Json(json!({
        "pending": deliveries::count_by_state(&state.db, "pending").await?,
        "dead_total": deliveries::count_by_state(&state.db, "dead").await?,
        "dead": dead.iter().map(|d| json!({
            "id": Id(d.id),
            "activity_id": d.activity_id,
            "inbox": d.inbox_url,
            "domain": d.domain,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "created_at": timestamp(d.created_at),
            "finished_at": d.finished_at.map(timestamp),
        })).collect::<Vec<_>>(),
        "domains": health.iter().map(|h| json!({
            "domain": h.domain,
            "consecutive_failures": h.consecutive_failures,
            "last_success_at": h.last_success_at.map(timestamp),
            "last_failure_at": h.last_failure_at.map(timestamp),
            "unavailable_until": h.unavailable_until.map(timestamp),
            "pending": h.pending,
            "dead": h.dead,
        })).collect::<Vec<_>>(),
    })))
}

/// Puts dead letters (all, or one domain's) back in the queue with fresh attempts.
#[utoipa::path(post, path = "/api/v1/admin/deliveries/replay", tag = "admin", request_body = DeliveryParams,
    security(("bearer" = ["admin:write"])), responses((status = 200, body = Object), (status = 403)))]
pub async fn replay(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(params): Params<DeliveryParams>,
) -> ApiResult<Json<Value>> {
    authorize(&user, &["admin:write"], Needs::Admin)?;
    let replayed = deliveries::replay_dead(&state.db, params.domain().as_deref()).await?;
    if replayed > 0 {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(deliveries::NOTIFY_CHANNEL)
            .execute(&state.db)
            .await?;
    }
    Ok(Json(json!({ "replayed": replayed })))
}
