//! Counting requests: an outer layer times every request and counts it by method,
//! route and status; an inner route layer tells it which route matched. The route is
//! axum's path pattern (`/api/v1/statuses/{id}`), never the raw path, so the labels
//! stay bounded whatever clients ask for; a request no route matched counts as
//! `unmatched`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The matched route, carried from the route layer to the outer layer on the response.
#[derive(Clone)]
struct MatchedRoute(Arc<str>);

/// The route layer: notes on the response which route answered.
pub async fn note_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response
            .extensions_mut()
            .insert(MatchedRoute(Arc::from(matched.as_str())));
    }
    response
}

/// The outer layer: counts the request once its response's head is ready (a stream's
/// life is not its latency).
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<MatchedRoute>()
        .map_or_else(|| Arc::from("unmatched"), |matched| matched.0.clone());
    state.metrics.request(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
