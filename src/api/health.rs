//! `GET /health`: liveness and readiness for load balancers and orchestrators. Not part
//! of Mastodon's API, but listed in the OpenAPI document with it.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// The body of both answers: `ok` or `unavailable`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the database answered within 2 seconds, else `unavailable`.
    pub status: &'static str,
}

/// Liveness and readiness for load balancers: 200 when the database answers, 503 with
/// `Retry-After` within 2 seconds when it does not.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Healthy", body = Health),
        (status = 503, description = "Database unreachable", body = Health)))]
pub async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    let check = tokio::time::timeout(
        Duration::from_secs(2),
        crate::db::maintenance::ping(&state.db),
    )
    .await;
    match check {
        Ok(Ok(_)) => (StatusCode::OK, Json(Health { status: "ok" })).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "5")],
            Json(Health {
                status: "unavailable",
            }),
        )
            .into_response(),
    }
}
