//! Roost's own admin view of federation deliveries: dead letters (deliveries that ran
//! out of attempts), per-domain health, and replaying dead letters. Admins only.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{ReadDeliveries, Staff, WriteDeliveries};
use crate::api::entities::admin::{Deliveries, Replayed};
use crate::api::params::Params;
use crate::db::deliveries;
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
    security(("bearer" = ["admin:read"])), responses((status = 200, body = Deliveries), (status = 403)))]
pub async fn show(
    State(state): State<AppState>,
    _staff: Staff<ReadDeliveries>,
    Params(params): Params<DeliveryParams>,
) -> ApiResult<Json<Deliveries>> {
    let mut conn = state.db.acquire().await?;
    let overview =
        deliveries::overview(&mut conn, params.domain().as_deref(), params.limit()).await?;
    Ok(Json(Deliveries::from_overview(&overview)))
}

/// Puts dead letters (all, or one domain's) back in the queue with fresh attempts.
#[utoipa::path(post, path = "/api/v1/admin/deliveries/replay", tag = "admin", request_body = DeliveryParams,
    security(("bearer" = ["admin:write"])), responses((status = 200, body = Replayed), (status = 403)))]
pub async fn replay(
    State(state): State<AppState>,
    _staff: Staff<WriteDeliveries>,
    Params(params): Params<DeliveryParams>,
) -> ApiResult<Json<Replayed>> {
    let replayed = deliveries::replay_dead(&state.db, params.domain().as_deref()).await?;
    Ok(Json(Replayed { replayed }))
}
